import { readFileSync } from 'node:fs';

/** A process, identified so that a reused pid is not mistaken for it. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); null where unknown. */
  readonly startTicks: number | null;
}

/** The fields of /proc/<pid>/stat from field 3 (the state) on; undefined where unreadable (not Linux, gone). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The start time of `pid` from /proc, or null when it cannot be read (not Linux, gone). */
export function processStartTicks(pid: number): number | null {
  const ticks = Number(statFields(pid)?.[19]);
  return Number.isFinite(ticks) ? ticks : null;
}

export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, startTicks: processStartTicks(process.pid) };
}

/** True when the process still runs and is the same one (its start time matches, where known). */
export function isAlive(identity: ProcessIdentity): boolean {
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie has ended; only its parent has not reaped it yet (or never will, under a pid 1
  // that does not reap orphans, as in a container without --init). It holds nothing.
  const fields = statFields(identity.pid);
  if (fields?.[0] === 'Z' || fields?.[0] === 'X') return false;
  const now = Number(fields?.[19]);
  return identity.startTicks === null || !Number.isFinite(now) || now === identity.startTicks;
}
