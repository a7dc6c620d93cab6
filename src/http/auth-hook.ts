import type { FastifyRequest } from 'fastify';
import type { ApiKeyStore, Principal } from '../auth/api-key-store';
import { ArgusError } from '../errors/argus-error';
import { roleAllows } from './access';

export interface AuthHookOptions {
  keys: Pick<ApiKeyStore, 'verify'>;
  /** false (loopback only): every caller acts as the admin "anonymous". */
  auth: boolean;
  /** Verifications in flight at once; beyond it 503 ARGUS_E_AUTH_BUSY (unknown keys cost a full scrypt each). */
  maxPendingVerifications?: number;
}

const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', role: 'admin' });
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The onRequest hook that enforces each route's `access`: before the body is read, so a caller
 * without a valid key gets 401 (not 413 or 415) and costs no parsing.
 */
export function authHook(o: AuthHookOptions): (req: FastifyRequest) => Promise<void> {
  const maxPending = o.maxPendingVerifications ?? 64;
  let pending = 0;
  return async (req) => {
    const access = req.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    let principal: Principal | undefined;
    if (!o.auth) {
      principal = ANONYMOUS;
    } else {
      const m = BEARER.exec(req.headers.authorization ?? '');
      if (!m) throw new ArgusError('ARGUS_E_AUTH_REQUIRED');
      if (pending >= maxPending) throw new ArgusError('ARGUS_E_AUTH_BUSY', { count: pending });
      pending++;
      try {
        principal = await o.keys.verify(m[1]!);
      } finally {
        pending--;
      }
      if (!principal) throw new ArgusError('ARGUS_E_AUTH_INVALID_KEY');
    }
    req.principal = principal;
    if (!roleAllows(principal.role, access)) {
      throw new ArgusError('ARGUS_E_FORBIDDEN', {
        role: principal.role,
        action: req.routeOptions.config?.action ?? `call ${req.method} ${req.routeOptions.url ?? ''}`,
      });
    }
  };
}
