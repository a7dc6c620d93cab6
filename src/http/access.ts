import type { Principal, Role } from '../auth/api-key-store';
import { ROLES } from '../auth/api-key-store';

/**
 * Who may call a route, set per route as `config: { access }`:
 * - a role: that role or a higher one (viewer < operator < admin, each includes the one before);
 * - 'public': no key needed (health, docs).
 * Routes without `access` (plugins such as WHIP and the dashboard) are left to their own checks.
 */
export type Access = Role | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** What the route does, in words, for ARGUS_E_FORBIDDEN ("The viewer role may not <action>"). */
    action?: string;
  }
  interface FastifyRequest {
    /** Set by the auth hook on routes with a role; undefined on public routes. */
    principal?: Principal;
  }
}

export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The audit actor of a caller: 'key:<keyId>'. */
export function actorOf(p: Principal | undefined): string {
  return `key:${p?.id ?? 'unknown'}`;
}
