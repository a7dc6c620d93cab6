import { ArgusError, toArgusError } from '../errors/argus-error';

/** Turns a better-sqlite3 error into the catalogued gallery error it stands for. */
export function mapSqliteError(err: unknown, file: string, busyTimeoutMs: number): ArgusError {
  if (err instanceof ArgusError) return err;
  const code = String((err as { code?: unknown })?.code ?? '');
  const reason = `${code}: ${(err as Error)?.message ?? String(err)}`;
  const options = { cause: err };
  if (code.startsWith('SQLITE_READONLY')) {
    return new ArgusError('ARGUS_E_GALLERY_READONLY', { path: file, reason }, options);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new ArgusError('ARGUS_E_GALLERY_CORRUPT', { path: file, reason }, options);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new ArgusError('ARGUS_E_GALLERY_BUSY', { path: file, ms: busyTimeoutMs }, options);
  }
  if (
    code === 'SQLITE_FULL' ||
    code.startsWith('SQLITE_IOERR') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code === 'SQLITE_PERM'
  ) {
    return new ArgusError('ARGUS_E_GALLERY_STORAGE', { reason }, options);
  }
  return toArgusError(err);
}
