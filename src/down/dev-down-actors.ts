import { fromPromise } from 'xstate';
import type { devDownMachine } from '../../machines/dev-down.machine.js';
import type { LockTaken, RecordSurvey, SessionHolder, SignalResult } from '../../machines/dev-down.types.js';
import type { DevOptions, DevPlan, Removal, SessionFailure } from '../../machines/dev-session.types.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { Reporter } from '../output/reporter.js';
import type { ProcessControl } from '../session-file/process-control.js';
import type { ProcessIdentity } from '../session-file/process-identity.js';
import { readCheckedSessionFile, type SessionRecord } from '../session-file/session-file.js';
import { whenRecordOf } from '../session-file/record-written.js';
import type { AcquireResult } from '../session-file/session-lock.js';
import { lockedFailure } from '../session/session-claims.js';
import { tearDown } from '../session/tear-down.js';
import { loadDownPlan, planForProject } from './down-plan.js';

/**
 * How many times `dev down` waits for a process that took the project's lock as it came: for
 * its record to be written (it can then be named and asked to stop), for it to let go, and twice more.
 */
const racingHolderTries = 4;

/** The part of the session lock `dev down` uses (SessionLock in production). */
export interface DownLock {
  acquire(plan: DevPlan, state: string, signal?: AbortSignal): Promise<AcquireResult>;
  reconciled(): void;
  release(): Promise<void>;
  restoreUnreconciled(): Promise<boolean>;
  leave(): Promise<void>;
}

export interface DevDownDeps {
  readonly options: DevOptions;
  /** The working directory the dev dir is relative to. */
  readonly cwd: string;
  /** `<dev-dir>/session.json`, absolute. */
  readonly sessionFile: string;
  readonly runner: ComposeRunner;
  readonly lock: DownLock;
  readonly processes: ProcessControl;
  readonly reporter: Reporter;
  /** This process: a record naming it holds nothing against it. */
  readonly ownPid: number;
  /** The project locks (ProjectLock): a holder's end is heard through its lock, not polled. */
  readonly locks: { whenReleased(project: string, signal?: AbortSignal): Promise<void> };
  /** Resolves once the session file names `pid`, or changes (src/session-file/record-written.ts; the real one by default). */
  readonly recordWritten?: (file: string, pid: number, signal: AbortSignal) => Promise<void>;
}

type ActorImplementations = Parameters<typeof devDownMachine.provide>[0]['actors'];

/** Exit 1: a session file that stagecraft did not write as it is; nothing in it was acted on. */
export function untrustedRecord(file: string, problem: string): SessionFailure {
  return {
    kind: 'input',
    message:
      `session file ${file} is not a record stagecraft wrote (${problem}); it was ignored: nothing it names was ` +
      'signalled or run. Remove it if no stagecraft session runs for this project, then run `stagecraft dev down` again',
  };
}

const identityOf = (holder: SessionHolder | SessionRecord): ProcessIdentity => ({
  pid: holder.pid,
  startTicks: holder.pidStartTicks,
});

/**
 * The session machine's final states. A record in one of them names a session that has ended
 * (a detached start that said so, a kept failure, an abandoned teardown): its process is only
 * exiting, and lets go of the project's lock as it ends. It is waited for, never signalled: a
 * SIGTERM landing while Node exits kills it (Node puts back the default action then), and its
 * exit status is no longer the one its machine chose.
 */
export const endedSessionStates: readonly string[] = ['detached', 'stopped', 'failed', 'abandoned'];

/** True when `record`'s session has reached a final state. */
export function sessionEnded(record: Pick<SessionRecord, 'state'>): boolean {
  return endedSessionStates.includes(record.state);
}

function holderOf(record: SessionRecord): SessionHolder {
  const { pid, pidStartTicks, project, mode, state, tags } = record;
  return { pid, pidStartTicks, project, mode, state, tags };
}

/**
 * Reads session.json strictly: the live stagecraft session holding it, if one does.
 * Rejects with an `input` failure naming the file when it is corrupt or crafted (its pid
 * is a live process that is not stagecraft).
 */
export async function surveyRecord(deps: Pick<DevDownDeps, 'sessionFile' | 'processes' | 'ownPid'>): Promise<RecordSurvey> {
  const checked = await readCheckedSessionFile(deps.sessionFile);
  if (checked.kind === 'none') return { recordedProject: undefined, holder: undefined };
  if (checked.kind === 'invalid') throw untrustedRecord(deps.sessionFile, checked.problem);
  const { record } = checked;
  const kind = record.pid === deps.ownPid ? 'gone' : deps.processes.identify(identityOf(record));
  if (kind === 'other') {
    throw untrustedRecord(deps.sessionFile, `its pid ${record.pid} is a running process that is not a stagecraft session`);
  }
  // `unverified` (no start time to compare) is no holder to signal, nor a session that has ended;
  // the lock still sees either live, and takeLock waits for it.
  return { recordedProject: record.project, holder: kind === 'stagecraft' && !sessionEnded(record) ? holderOf(record) : undefined };
}

/**
 * The real effects of the dev-down machine, for `.provide({ actors })`. Teardowns run
 * plans built from the current flags; processes are touched only through `deps.processes`.
 */
export function createDevDownActors(deps: DevDownDeps) {
  const { lock, processes, options } = deps;
  const recordWritten = deps.recordWritten ?? whenRecordOf;

  /**
   * Until the holder of `claim` lets go; for one this dev dir's record does not name yet (a
   * start that took the lock this instant and is writing its record), until it is written too.
   */
  const heldUntil = async (claim: Extract<AcquireResult, { kind: 'held' }>, signal: AbortSignal): Promise<void> => {
    const { pid } = claim;
    if (claim.holder !== undefined || claim.elsewhere !== undefined || pid === undefined) {
      await deps.locks.whenReleased(claim.project, signal);
      return;
    }
    const waits = new AbortController();
    const stop = (): void => waits.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    try {
      await Promise.race([deps.locks.whenReleased(claim.project, waits.signal), recordWritten(deps.sessionFile, pid, waits.signal)]);
    } finally {
      signal.removeEventListener('abort', stop);
      waits.abort();
    }
  };

  const actors = {
    readRecord: fromPromise<RecordSurvey, void>(() => surveyRecord(deps)),

    loadPlan: fromPromise<DevPlan, { readonly recordedProject: string | undefined }>(({ input }) =>
      loadDownPlan(options, deps.cwd, input.recordedProject),
    ),

    signalHolder: fromPromise<SignalResult, SessionHolder>(async ({ input }) => {
      try {
        return processes.signal(identityOf(input), 'SIGTERM') ? 'sent' : 'gone';
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
        throw {
          kind: 'locked',
          message: `project ${input.project} is held by a live session of another user (pid ${input.pid}, ${input.state}); stop it as that user (\`stagecraft dev down\`, or Ctrl+C in its terminal)`,
        } satisfies SessionFailure;
      }
    }),

    // A live holder lets go of the project's lock when it has ended (or its process died):
    // its lock connection closes then, so nothing is polled. How long to wait is the
    // machine's decision (its named delays).
    awaitHolderExit: fromPromise<void, SessionHolder>(async ({ input, signal }) => {
      await deps.locks.whenReleased(input.project, signal);
    }),

    takeLock: fromPromise<LockTaken, DevPlan>(async ({ input: plan, signal }) => {
      let claim = await lock.acquire(plan, 'down', signal);
      // Taken at this very instant by another stagecraft process (a session still claiming or
      // starting, one that has ended and is exiting, or another `dev down`): a session that
      // has not ended is asked to stop; either way its end is heard through the lock, then the
      // lock is ours to take. The machine bounds the wait.
      for (let tries = 0; claim.kind === 'held' && tries < racingHolderTries; tries++) {
        const holder = claim.holder;
        const stoppable = holder !== undefined && holder.mode !== 'down' && !sessionEnded(holder) && holder.pid !== deps.ownPid;
        if (stoppable && processes.identify(identityOf(holder)) === 'stagecraft') {
          processes.signal(identityOf(holder), 'SIGTERM');
        }
        await heldUntil(claim, signal);
        claim = await lock.acquire(plan, 'down', signal);
      }
      if (claim.kind === 'held') throw lockedFailure(claim);
      const stale = claim.stale;
      if (stale === undefined || stale.project === plan.projectName) return { stalePlan: undefined };
      return { stalePlan: planForProject(options, stale.project, `the stale session file ${deps.sessionFile}`) };
    }),

    teardown: fromPromise<Removal, DevPlan>(({ input: plan, signal }) => tearDown(deps.runner, plan.teardown, plan, signal)),

    release: fromPromise<void, DevPlan>(async () => {
      lock.reconciled();
      await lock.release();
    }),

    // A teardown that failed or was cancelled leaves the session file as it was found: a stale
    // record (perhaps of another project) must survive for the next `down` or `dev` to finish.
    restoreLock: fromPromise<void, void>(async () => {
      await lock.restoreUnreconciled().catch((error: unknown) =>
        deps.reporter.report({ type: 'notice', message: `could not put back the stale session file ${deps.sessionFile}: ${String(error)}` }),
      );
      await lock.leave();
    }),
  };
  return actors satisfies ActorImplementations;
}
