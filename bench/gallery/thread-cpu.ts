import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) of the calling thread, from /proc/thread-self/stat (Linux; 10 ms
 * ticks), or NaN elsewhere. On a shared machine a build's wall time mostly measures the other
 * work; its CPU time is what it would take on a core of its own.
 */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
