// The guardian's real effects, loaded only once its CLI has died: the execa runner, the
// session lock as `dev down` takes it, and the one teardown (src/session/tear-down.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { ExecaComposeRunner } from '../compose/execa-compose-runner.js';
import { processStartTicks, type ProcessIdentity } from '../session-file/process-identity.js';
import { ProjectLock } from '../session-file/project-lock.js';
import { SessionLock } from '../session-file/session-lock.js';
import { forceTearDown, tearDown } from '../session/tear-down.js';
import type { GuardianDeps } from './guardian-act.js';

/**
 * SIGKILLs a child's process group (each compose child leads its own). A leader that still
 * runs with another start time means the pid was reused: not ours. A leader that is gone
 * leaves its group (compose's plugin child) under the same id, which no new group can take.
 */
export function killChildGroup(child: ProcessIdentity): void {
  const now = processStartTicks(child.pid);
  if (now !== null && child.startTicks !== null && now !== child.startTicks) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone already.
  }
}

const silent = { commandStarted: () => undefined, commandOutput: () => undefined, commandEnded: () => undefined };

/** The real deps: compose runs in `cwd` with `env`, as the CLI's did. */
export function createGuardianDeps(env: NodeJS.ProcessEnv, cwd: string): GuardianDeps {
  const runner = new ExecaComposeRunner({ cwd, env, observer: silent, colorLogs: false });
  // Its own compose children (in groups of their own) do not outlive it either, even when it gives up.
  process.once('exit', () => runner.killAll());
  return {
    killGroup: killChildGroup,
    // Given a warning sink, a dev dir that cannot be written does not stop the teardown (as for `dev down`).
    lockFor: (sessionFile) => new SessionLock(sessionFile, 'down', { lock: new ProjectLock(env), warnUnrecorded: () => undefined }),
    tearDown: (plan, signal) => tearDown(runner, plan.teardown, plan, signal),
    forceTearDown: (plan, signal) => forceTearDown(runner, plan, signal),
    idle: (killAfterMs) => runner.idle({ killAfterMs }),
    deadline: (ms) => AbortSignal.timeout(ms),
    pause: (ms) => sleep(ms),
  };
}
