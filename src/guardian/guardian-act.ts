// What the guardian does once its CLI's pipe has closed without a clean end: end the CLI's
// compose children, then, for a session that had started `up`, take the project as
// `dev down` does (lock, record), tear the stack down within a bound and let go. Every
// effect comes in through GuardianDeps, so the decisions here are tested with fakes.
import type { DevPlan, Removal } from '../../machines/dev-session.types.js';
import type { ProcessIdentity } from '../session-file/process-identity.js';
import type { AcquireResult } from '../session-file/session-lock.js';
import type { Armed, Verdict } from './guardian-ledger.js';

/** The part of the session lock the guardian uses (SessionLock in production, mode `down`). */
export interface GuardianLock {
  acquire(plan: DevPlan, state: string): Promise<AcquireResult>;
  update(state: string, tags?: readonly string[]): Promise<void>;
  reconciled(): void;
  release(): Promise<void>;
  restoreUnreconciled(): Promise<boolean>;
  leave(): Promise<void>;
}

export interface GuardianDeps {
  /** SIGKILLs the child's process group, unless its pid now names another process. */
  killGroup(child: ProcessIdentity): void;
  /** The session lock of the record at `sessionFile` (the dead session's dev dir). */
  lockFor(sessionFile: string): GuardianLock;
  /** The graceful teardown (src/session/tear-down.ts), cancelled through `signal`. */
  tearDown(plan: DevPlan, signal: AbortSignal): Promise<Removal>;
  /** The forced one: `kill`, then the teardown with `down --timeout 0`. */
  forceTearDown(plan: DevPlan, signal: AbortSignal): Promise<Removal>;
  /** Resolves once this guardian's own compose children have ended; SIGKILLs them after `killAfterMs`. */
  idle(killAfterMs: number): Promise<void>;
  /** A signal that aborts after `ms`. */
  deadline(ms: number): AbortSignal;
  /** Resolves after `ms`. */
  pause(ms: number): Promise<void>;
}

/** How it ended, for the guardian's exit status and for tests. */
export type GuardianOutcome =
  /** The CLI ended cleanly. */
  | 'nothing'
  /** The CLI's children were ended; it had not started `up` (or its session had ended). */
  | 'childrenEnded'
  /** Another live process holds the project (a new session, a `dev down`): the stack is its. */
  | 'heldElsewhere'
  | 'tornDown'
  /** The teardown failed or ran out of time; the record was put back for the next `dev` or `dev down`. */
  | 'teardownFailed';

/**
 * How long the dying CLI may still seem to hold the project (the kernel closes its pipe and
 * its lock socket one after the other, and its pid lives until it is reaped): 20 tries, 100 ms apart.
 */
export const claimTries = 20;
export const claimPauseMs = 100;
/** The forced teardown's bound, and how long a cancelled graceful command gets before SIGKILL. */
export const forcedTeardownMs = 30_000;
export const cancelledKillAfterMs = 1000;

/** The graceful teardown's bound: the machine's own (the stop timeout, plus 30 s for compose and the engine). */
export function gracefulTeardownMs(plan: DevPlan): number {
  return ((plan.graceSeconds ?? plan.stopGraceSeconds) + 30) * 1000;
}

/**
 * Takes the project for the teardown. A refusal naming the dying CLI (or nobody) is waited
 * out; any other holder is a live process whose stack this is now: false, nothing touched.
 */
async function claim(armed: Armed, lock: GuardianLock, deps: GuardianDeps): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const result = await lock.acquire(armed.plan, 'guardian');
    if (result.kind === 'acquired') return true;
    const dying = result.pid === undefined || result.pid === armed.cli.pid;
    if (!dying || attempt >= claimTries) return false;
    await deps.pause(claimPauseMs);
  }
}

/**
 * Graceful within its bound, else forced within its own (at once when the session was forcing
 * already); rejects when neither removed everything.
 */
async function boundedTearDown(armed: Armed, deps: GuardianDeps): Promise<Removal> {
  const { plan } = armed;
  if (!armed.forced) {
    try {
      return await deps.tearDown(plan, deps.deadline(gracefulTeardownMs(plan)));
    } catch {
      // What the deadline cancelled (a stuck `down`) must be gone before `kill` and `down` run again.
      await deps.idle(cancelledKillAfterMs);
    }
  }
  return await deps.forceTearDown(plan, deps.deadline(forcedTeardownMs));
}

/**
 * Acts on the CLI's end. Never rejects for an expected failure: a teardown that fails puts the
 * dead session's record back (as `dev down` does), so the next `dev` or `dev down` finishes it.
 */
export async function actOnHangUp(verdict: Verdict, deps: GuardianDeps): Promise<GuardianOutcome> {
  if (verdict.kind === 'nothing') return 'nothing';
  // First, so that no `up` of the dead CLI goes on creating what the teardown removes.
  for (const child of verdict.children) deps.killGroup(child);
  const armed = verdict.teardown;
  if (armed === undefined) return 'childrenEnded';
  const lock = deps.lockFor(armed.sessionFile);
  if (!(await claim(armed, lock, deps))) return 'heldElsewhere';
  try {
    // Tagged as a session tearing down: a `dev down` meanwhile waits for it instead of signalling it.
    await lock.update('guardian.tearingDown', ['tearingDown']);
    await boundedTearDown(armed, deps);
    lock.reconciled();
    await lock.release();
    return 'tornDown';
  } catch {
    await lock.restoreUnreconciled().catch(() => false);
    await lock.leave();
    return 'teardownFailed';
  }
}
