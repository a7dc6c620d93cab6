/** Polls `predicate` until it holds or `timeoutMs` passes (then rejects naming `what`). */
export async function waitFor(
  what: string,
  predicate: () => boolean,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<number> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Date.now() - start;
}

/** True while a process with this pid exists. */
export function pidAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
