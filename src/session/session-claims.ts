import type { SessionFailure, StaleSession } from '../../machines/dev-session.types.js';
import type { SessionRecord } from '../session-file/session-file.js';
import path from 'node:path';
import { quoteArg, quoteArgv } from '../util/shell-words.js';

/**
 * Exit 4: another live session holds the project; says which, and how to watch or stop
 * it. `elsewhere`: its session file, when it runs from another dev dir.
 */
export function lockedFailure(holder: SessionRecord, elsewhere?: string): Extract<SessionFailure, { kind: 'locked' }> {
  const where = elsewhere === undefined ? '' : ` from ${path.dirname(elsewhere)}`;
  const down = elsewhere === undefined ? 'stagecraft dev down' : `stagecraft dev down --dev-dir ${quoteArg(path.dirname(elsewhere))}`;
  return {
    kind: 'locked',
    message:
      `project ${holder.project} is held by a live session${where} (pid ${holder.pid}, ${holder.mode}, ${holder.state}, since ${holder.startedAt}); ` +
      `watch it with: ${quoteArgv(holder.plan.attach.argv)}; stop it with: ${down} (or Ctrl+C in its terminal), or wait for it to end`,
  };
}

/** A session file left by a process that is gone, as the machine sees it. */
export function staleSession(record: SessionRecord): StaleSession {
  return { project: record.project, pid: record.pid, state: record.state, plan: record.plan };
}
