import type { DevPlan, SessionFailure, StaleSession } from '../../machines/dev-session.types.js';
import { planForProjectOf } from '../plan/build-plan.js';
import { maxGraceSeconds } from '../plan/check-flags.js';
import type { SessionRecord } from '../session-file/session-file.js';
import path from 'node:path';
import { quoteArg, quoteArgv } from '../util/shell-words.js';

/** Who holds a project, as far as it is known: what `SessionLock.acquire` says when refused. */
export interface ProjectHeld {
  readonly project: string;
  /** The holder's record, when it could be read. */
  readonly holder: SessionRecord | undefined;
  readonly pid?: number | undefined;
  /** The holder's session file, when it is another dev dir's. */
  readonly elsewhere?: string | undefined;
}

/**
 * Exit 4: another live session holds the project on this engine; says which, and how to
 * watch or stop it.
 */
export function lockedFailure(held: ProjectHeld): Extract<SessionFailure, { kind: 'locked' }> {
  const { holder, elsewhere } = held;
  const where = elsewhere === undefined ? '' : ` from ${path.dirname(elsewhere)}`;
  const down = elsewhere === undefined ? 'stagecraft dev down' : `stagecraft dev down --dev-dir ${quoteArg(path.dirname(elsewhere))}`;
  if (holder === undefined) {
    const pid = held.pid === undefined ? '' : ` (pid ${held.pid})`;
    return {
      kind: 'locked',
      message:
        `project ${held.project} is held by another live stagecraft session on this engine${where}${pid}, which did not say more (stopped with Ctrl+Z?); ` +
        `resume or stop it (${down}, or Ctrl+C in its terminal), or wait for it to end`,
    };
  }
  return {
    kind: 'locked',
    message:
      `project ${holder.project} is held by a live session${where} (pid ${holder.pid}, ${holder.mode}, ${holder.state}, since ${holder.startedAt}); ` +
      `watch it with: ${quoteArgv(holder.plan.attach.argv)}; stop it with: ${down} (or Ctrl+C in its terminal), or wait for it to end`,
  };
}

/**
 * A session record left by a process that is gone, as the machine sees it: its teardown is
 * `current`'s, retargeted at the project the record names (checked first), never the argv
 * the record holds. Throws an `input` failure naming `file` for a project compose would refuse.
 */
export function staleSession(record: SessionRecord, current: DevPlan, file: string): StaleSession {
  // That session's own grace, when its record holds a sane one (a number is data, not argv);
  // else this command's (undefined: no --timeout, each service's stop_grace_period holds).
  const recorded = (record.plan as Partial<DevPlan> | undefined)?.graceSeconds;
  const grace = typeof recorded === 'number' && Number.isInteger(recorded) && recorded >= 0 && recorded <= maxGraceSeconds ? recorded : current.graceSeconds;
  const plan = planForProjectOf(current, record.project, `the project named by the session file ${file}`, grace);
  return { project: record.project, pid: record.pid, state: record.state, plan };
}
