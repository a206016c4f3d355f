// What a foreground CLI tells its guardian, one JSON line at a time, over the pipe only the
// CLI writes to. Everything the guardian may act on arrives here, as data from the CLI's
// memory: the plan the session was built with, never an argv read back from a file.
import type { DevPlan } from '../../machines/dev-session.types.js';
import type { ProcessIdentity } from '../session-file/process-identity.js';

/** One line from the CLI to its guardian. */
export type GuardianMessage =
  /** A compose child was started in its own process group (its pid is the group's id). */
  | { readonly type: 'child'; readonly child: ProcessIdentity }
  /** That child has ended: its group is none of the guardian's business any more. */
  | { readonly type: 'ended'; readonly pid: number }
  /**
   * `up` is about to run: from now on, should the CLI die, tear down `plan` (taking the
   * project's lock first, for the record at `sessionFile`). `cli` is the CLI itself.
   */
  | { readonly type: 'arm'; readonly cli: ProcessIdentity; readonly plan: DevPlan; readonly sessionFile: string }
  /** The session is forcing its teardown (a second Ctrl+C, a deadline): so would the guardian. */
  | { readonly type: 'force' }
  /** The session has ended (its machine is final): whatever it left is meant to stay. */
  | { readonly type: 'disarm' }
  /** A clean end: exit at once, doing nothing. */
  | { readonly type: 'done' };

/** The line that carries `message` (JSON has no raw newline in it). */
export function encodeMessage(message: GuardianMessage): string {
  return `${JSON.stringify(message)}\n`;
}

const isPid = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 1;

function isIdentity(value: unknown): value is ProcessIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const { pid, startTicks } = value as Partial<ProcessIdentity>;
  return isPid(pid) && (startTicks === null || (typeof startTicks === 'number' && Number.isFinite(startTicks)));
}

function isPlan(value: unknown): value is DevPlan {
  if (typeof value !== 'object' || value === null) return false;
  const plan = value as Partial<DevPlan>;
  return typeof plan.projectName === 'string' && typeof plan.teardown === 'object' && typeof plan.forcedTeardown === 'object';
}

/**
 * The message a line holds; undefined for anything else (a torn or foreign line is ignored:
 * only the CLI writes to the pipe, so it can only be a bug, and acting on it would be worse).
 */
export function parseMessage(line: string): GuardianMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message['type']) {
    case 'child':
      return isIdentity(message['child']) ? { type: 'child', child: message['child'] } : undefined;
    case 'ended':
      return isPid(message['pid']) ? { type: 'ended', pid: message['pid'] } : undefined;
    case 'arm': {
      const { cli, plan, sessionFile } = message;
      return isIdentity(cli) && isPlan(plan) && typeof sessionFile === 'string' ? { type: 'arm', cli, plan, sessionFile } : undefined;
    }
    case 'force':
    case 'disarm':
    case 'done':
      return { type: message['type'] };
    default:
      return undefined;
  }
}
