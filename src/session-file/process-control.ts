// The one way `dev down` touches another process (issue 11 item 8). A pid read from
// session.json is only a claim: it is signalled only once /proc shows that the process
// is the one the record names (same start time) and that it runs stagecraft's CLI.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive, processStartTicks, type ProcessIdentity } from './process-identity.js';

/**
 * What runs under a recorded pid now: `gone` (ended, or the pid was reused), `stagecraft`
 * (verified), `other` (the same process, and not stagecraft: the record lies), or
 * `unverified` (it runs, but its start time cannot be compared: not Linux, or none recorded).
 */
export type ProcessKind = 'gone' | 'stagecraft' | 'other' | 'unverified';

/** The port: the machine's actors signal and watch processes only through it. */
export interface ProcessControl {
  identify(identity: ProcessIdentity): ProcessKind;
  /** True while the process runs and is the same one. */
  isRunning(identity: ProcessIdentity): boolean;
  /**
   * Sends `signal` when `identity` is a verified stagecraft session; false when it is not
   * (any more). Throws the `kill` error otherwise (EPERM: another user's process).
   */
  signal(identity: ProcessIdentity, signal: NodeJS.Signals): boolean;
}

/**
 * `node … <…/dist/src/cli.js | …/stagecraft> dev …`, from /proc/<pid>/cmdline; or a session's
 * guardian, `node …/dist/src/guardian/guardian-main.js`, holding the project while it tears down.
 */
export function isStagecraftCommandLine(argv: readonly string[]): boolean {
  const [exe, ...rest] = argv;
  if (exe === undefined || !/^node(js)?[0-9.]*$/.test(path.basename(exe))) return false;
  // Node's own flags come before the script; a flag that takes a separate value makes the
  // value look like the script, which then fails the check: never signalled, the safe side.
  const at = rest.findIndex((arg) => !arg.startsWith('-'));
  const script = rest[at];
  if (script === undefined) return false;
  if (script.endsWith('/dist/src/guardian/guardian-main.js')) return rest.length === at + 1;
  const isCli = script.endsWith('/dist/src/cli.js') || path.basename(script) === 'stagecraft';
  return isCli && rest[at + 1] === 'dev';
}

function commandLineOf(pid: number): string[] | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    return argv;
  } catch {
    return undefined;
  }
}

/** The real port, over /proc and `process.kill`. */
export const procProcessControl: ProcessControl = {
  identify(identity) {
    if (!isAlive(identity)) return 'gone';
    const now = processStartTicks(identity.pid);
    if (identity.startTicks === null || now === null) return 'unverified';
    const argv = commandLineOf(identity.pid);
    if (argv === undefined) return 'unverified';
    return isStagecraftCommandLine(argv) ? 'stagecraft' : 'other';
  },
  isRunning: isAlive,
  signal(identity, signal) {
    if (this.identify(identity) !== 'stagecraft') return false;
    try {
      process.kill(identity.pid, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  },
};
