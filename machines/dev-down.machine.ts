// `stagecraft dev down` (SPEC §4 "Down machine", §6).
//
// States: reading (session.json) → planning → locking → tearingDown.{staleProject, ownProject} → releasing → done;
//         a live holder first: stoppingHolder.{asking, waiting, forcing, waitingForced} (SIGTERM, wait bounded,
//         SIGTERM again so it forces its teardown, wait bounded, give up with exit 4), or awaitingHolder when the
//         record's tags say it is tearing down already (waited for, never signalled);
//         a failure or STOP once the lock may be ours → restoring (put a stale record back, leave) → failed | interrupted.
// Events: STOP { signal } from the CLI (every SIGINT/SIGTERM/SIGHUP) cancels: exit 128+n; the done/error events
//         of the invoked actors; the delays holderStopTimeout, holderForceTimeout, holderTeardownTimeout.
// Effects are named actors; the real ones come from src/down/dev-down-actors.ts through .provide().
// This file imports only xstate and types; the exit codes come in as data (DevDownInput.exitCodes).
import { assign, emit, fromPromise, setup } from 'xstate';
import type {
  DevDownOutput,
  ExitCodeTable,
  LockTaken,
  RecordSurvey,
  SessionHolder,
  SignalResult,
} from './dev-down.types.js';
import { defaultStopGraceSeconds, type DevPlan, type Removal, type SessionFailure, type StopSignal } from './dev-session.types.js';

export interface DevDownInput {
  /** `--grace` of this command (unset: the plan's longest `stop_grace_period`): bounds the wait for a holder's own teardown. */
  readonly graceSeconds: number | undefined;
  readonly exitCodes: ExitCodeTable;
}

export type DevDownEvent = { readonly type: 'STOP'; readonly signal: StopSignal };

/** What the machine tells the reporter (`actor.on('*', …)`). */
export type DevDownEmitted =
  | { readonly type: 'planned'; readonly plan: DevPlan }
  | { readonly type: 'holderFound'; readonly holder: SessionHolder; readonly waiting: 'asked' | 'tearingDown' }
  | { readonly type: 'forcingHolder'; readonly holder: SessionHolder; readonly waitedSeconds: number }
  /** A teardown finished: what it removed of `projectName` (the engine then listed nothing of it). */
  | { readonly type: 'removed'; readonly projectName: string; readonly removal: Removal };

export interface DevDownContext extends DevDownInput {
  readonly recordedProject: string | undefined;
  readonly holder: SessionHolder | undefined;
  readonly plan: DevPlan | undefined;
  readonly stalePlan: DevPlan | undefined;
  readonly failure: SessionFailure | undefined;
  readonly signal: StopSignal | undefined;
}

/**
 * A holder that is tearing down already (a stopping session, a rollback, another `dev down`):
 * read from its tags; a record written before tags existed says so only by mode `down`.
 */
export function holderTearingDown(holder: SessionHolder): boolean {
  return holder.tags === undefined ? holder.mode === 'down' : holder.tags.includes('tearingDown');
}

function notProvided(name: string): never {
  throw new Error(`not provided: ${name}`);
}

/** An actor's rejection as a failure: one of SPEC §5's kinds, or else a bug (`internal`). */
function failureOf(error: unknown, exitCodes: ExitCodeTable): SessionFailure {
  const kind = typeof error === 'object' && error !== null && 'kind' in error ? error.kind : undefined;
  if (typeof kind === 'string' && Object.hasOwn(exitCodes.failures, kind)) return error as SessionFailure;
  return { kind: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

// The holder's own teardown is bounded by its grace + 30 s before it forces itself; a forced
// teardown (kill, down --timeout 0) takes seconds.
const stopTimeoutSeconds = (context: DevDownContext): number =>
  (context.graceSeconds ?? context.plan?.stopGraceSeconds ?? defaultStopGraceSeconds) + 60;
const forceTimeoutSeconds = 30;
const teardownTimeoutSeconds = (context: DevDownContext): number => stopTimeoutSeconds(context) + forceTimeoutSeconds;
const ownTeardownSeconds = (context: DevDownContext): number =>
  2 * (context.graceSeconds ?? context.plan?.stopGraceSeconds ?? defaultStopGraceSeconds) + forceTimeoutSeconds;

function givenUp(context: DevDownContext, reason: 'askedTwice' | 'tearingDown'): SessionFailure {
  const h = context.holder ?? notProvided('holder');
  const session = `a live session (pid ${h.pid}, ${h.mode}, ${h.state})`;
  const then = `then run \`stagecraft dev down\` again`;
  return {
    kind: 'locked',
    message:
      reason === 'askedTwice'
        ? `project ${h.project} is still held by ${session}: asked twice to stop, it has not ended in ` +
          `${stopTimeoutSeconds(context) + forceTimeoutSeconds} s; stop it in its terminal (Ctrl+C) or with \`kill ${h.pid}\`, ${then}`
        : `project ${h.project} is held by ${session} that is tearing down and has not ended in ` +
          `${teardownTimeoutSeconds(context)} s; wait for it, or stop it in its terminal (Ctrl+C), ${then}`,
  };
}

const planOf = ({ context }: { context: DevDownContext }): DevPlan => context.plan ?? notProvided('plan');
const holderOf = ({ context }: { context: DevDownContext }): SessionHolder => context.holder ?? notProvided('holder');

export const devDownMachine = setup({
  types: {
    context: {} as DevDownContext,
    events: {} as DevDownEvent,
    input: {} as DevDownInput,
    output: {} as DevDownOutput,
    emitted: {} as DevDownEmitted,
  },
  actors: {
    /** Reads and checks session.json; rejects `input` naming a crafted or corrupt file. */
    readRecord: fromPromise<RecordSurvey, void>(async () => notProvided('readRecord')),
    /** The plan from the dev files, or rebuilt for the recorded project when they are gone or invalid. */
    loadPlan: fromPromise<DevPlan, { readonly recordedProject: string | undefined }>(async () =>
      notProvided('loadPlan'),
    ),
    /** SIGTERM to the holder, only once it is verified a stagecraft session; `gone` when it is not (any more). */
    signalHolder: fromPromise<SignalResult, SessionHolder>(async () => notProvided('signalHolder')),
    /** Resolves once the holder's process has ended; never rejects for a slow holder (the machine bounds it). */
    awaitHolderExit: fromPromise<void, SessionHolder>(async () => notProvided('awaitHolderExit')),
    /** Claims session.json (and the project); rejects `locked` when a live session holds either. */
    takeLock: fromPromise<LockTaken, DevPlan>(async () => notProvided('takeLock')),
    /** `down --remove-orphans --timeout G` of the plan; cancelled through its abort signal. */
    teardown: fromPromise<Removal, DevPlan>(async () => notProvided('teardown')),
    /** Removes session.json and drops the claim: the stacks are gone. */
    release: fromPromise<void, DevPlan>(async () => notProvided('release')),
    /** Puts back a stale record that was not torn down, and lets go of the lock; a no-op if none was taken. */
    restoreLock: fromPromise<void, void>(async () => notProvided('restoreLock')),
  },
  guards: {
    hasHolder: ({ context }) => context.holder !== undefined,
    holderTearingDown: ({ context }) => context.holder !== undefined && holderTearingDown(context.holder),
    holderGone: (_, params: { result: SignalResult }) => params.result === 'gone',
    hasStalePlan: (_, params: { taken: LockTaken }) => params.taken.stalePlan !== undefined,
    stopped: ({ context }) => context.signal !== undefined,
  },
  delays: {
    holderStopTimeout: ({ context }) => stopTimeoutSeconds(context) * 1000,
    holderForceTimeout: forceTimeoutSeconds * 1000,
    holderTeardownTimeout: ({ context }) => teardownTimeoutSeconds(context) * 1000,
    // Our own teardown: the stop timeout compose gives each service, then as long again for the rest.
    teardownDeadline: ({ context }) => ownTeardownSeconds(context) * 1000,
  },
  actions: {
    recordSurvey: assign((_, params: { survey: RecordSurvey }) => ({
      recordedProject: params.survey.recordedProject,
      holder: params.survey.holder,
    })),
    recordPlan: assign((_, params: { plan: DevPlan }) => ({ plan: params.plan })),
    recordStalePlan: assign((_, params: { taken: LockTaken }) => ({ stalePlan: params.taken.stalePlan })),
    recordFailure: assign(({ context }, params: { error: unknown }) => ({
      failure: failureOf(params.error, context.exitCodes),
    })),
    recordStop: assign(({ context }, params: { signal: StopSignal }) => ({ signal: context.signal ?? params.signal })),
    giveUp: assign(({ context }, params: { reason: 'askedTwice' | 'tearingDown' }) => ({
      failure: givenUp(context, params.reason),
    })),
    announcePlanned: emit(({ context }) => ({ type: 'planned', plan: planOf({ context }) }) as const),
    announceHolder: emit(({ context }, params: { waiting: 'asked' | 'tearingDown' }) => ({
      type: 'holderFound' as const,
      holder: holderOf({ context }),
      waiting: params.waiting,
    })),
    announceForcingHolder: emit(({ context }) => ({
      type: 'forcingHolder' as const,
      holder: holderOf({ context }),
      waitedSeconds: stopTimeoutSeconds(context),
    })),
    announceRemoved: emit((_, params: { projectName: string; removal: Removal }) => ({ type: 'removed' as const, ...params })),
    recordLockWaitTimedOut: assign(({ context }) => ({
      failure: {
        kind: 'locked',
        message:
          `project ${planOf({ context }).projectName} is held by another stagecraft process that has not let go in ${teardownTimeoutSeconds(context)} s; ` +
          'stop it (Ctrl+C in its terminal), then run `stagecraft dev down` again',
      } as const,
    })),
    recordTeardownTimedOut: assign(({ context }) => ({
      failure: {
        kind: 'command-failed',
        message:
          `the teardown of project ${planOf({ context }).projectName} did not finish in ${ownTeardownSeconds(context)} s: the engine may be hung; ` +
          'check it (`docker info`), then run `stagecraft dev down` again',
      } as const,
    })),
  },
}).createMachine({
  id: 'devDown',
  context: ({ input }) => ({
    graceSeconds: input.graceSeconds,
    exitCodes: input.exitCodes,
    recordedProject: undefined,
    holder: undefined,
    plan: undefined,
    stalePlan: undefined,
    failure: undefined,
    signal: undefined,
  }),
  initial: 'reading',
  states: {
    reading: {
      invoke: {
        id: 'readRecord',
        src: 'readRecord',
        onDone: { target: 'planning', actions: { type: 'recordSurvey', params: ({ event }) => ({ survey: event.output }) } },
        onError: { target: 'failed', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
      },
      on: { STOP: { target: 'interrupted', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    planning: {
      invoke: {
        id: 'loadPlan',
        src: 'loadPlan',
        input: ({ context }) => ({ recordedProject: context.recordedProject }),
        onDone: [
          {
            guard: 'holderTearingDown',
            target: 'awaitingHolder',
            actions: [
              { type: 'recordPlan', params: ({ event }) => ({ plan: event.output }) },
              { type: 'announceHolder', params: { waiting: 'tearingDown' } },
            ],
          },
          {
            guard: 'hasHolder',
            target: 'stoppingHolder',
            actions: { type: 'recordPlan', params: ({ event }) => ({ plan: event.output }) },
          },
          { target: 'locking', actions: { type: 'recordPlan', params: ({ event }) => ({ plan: event.output }) } },
        ],
        onError: { target: 'failed', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
      },
      on: { STOP: { target: 'interrupted', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    stoppingHolder: {
      initial: 'asking',
      states: {
        asking: {
          invoke: {
            id: 'signalHolder',
            src: 'signalHolder',
            input: holderOf,
            onDone: [
              { guard: { type: 'holderGone', params: ({ event }) => ({ result: event.output }) }, target: '#devDown.locking' },
              { target: 'waiting', actions: { type: 'announceHolder', params: { waiting: 'asked' } } },
            ],
            onError: {
              target: '#devDown.failed',
              actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        waiting: {
          invoke: {
            id: 'awaitHolderExit',
            src: 'awaitHolderExit',
            input: holderOf,
            onDone: { target: '#devDown.locking' },
            onError: {
              target: '#devDown.failed',
              actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
          after: { holderStopTimeout: { target: 'forcing', actions: 'announceForcingHolder' } },
        },
        // A second STOP makes a session force its own teardown (kill, down --timeout 0).
        forcing: {
          invoke: {
            id: 'signalHolder',
            src: 'signalHolder',
            input: holderOf,
            onDone: [
              { guard: { type: 'holderGone', params: ({ event }) => ({ result: event.output }) }, target: '#devDown.locking' },
              { target: 'waitingForced' },
            ],
            onError: {
              target: '#devDown.failed',
              actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        waitingForced: {
          invoke: {
            id: 'awaitHolderExit',
            src: 'awaitHolderExit',
            input: holderOf,
            onDone: { target: '#devDown.locking' },
            onError: {
              target: '#devDown.failed',
              actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
          // No third signal: a session abandons its teardown at the third STOP.
          after: {
            holderForceTimeout: { target: '#devDown.failed', actions: { type: 'giveUp', params: { reason: 'askedTwice' } } },
          },
        },
      },
      on: { STOP: { target: 'interrupted', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    awaitingHolder: {
      invoke: {
        id: 'awaitHolderExit',
        src: 'awaitHolderExit',
        input: holderOf,
        onDone: { target: 'locking' },
        onError: { target: 'failed', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
      },
      after: {
        holderTeardownTimeout: { target: 'failed', actions: { type: 'giveUp', params: { reason: 'tearingDown' } } },
      },
      on: { STOP: { target: 'interrupted', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    locking: {
      entry: 'announcePlanned',
      invoke: {
        id: 'takeLock',
        src: 'takeLock',
        input: planOf,
        onDone: [
          {
            guard: { type: 'hasStalePlan', params: ({ event }) => ({ taken: event.output }) },
            target: 'tearingDown.staleProject',
            actions: { type: 'recordStalePlan', params: ({ event }) => ({ taken: event.output }) },
          },
          { target: 'tearingDown.ownProject' },
        ],
        onError: { target: 'restoring', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
      },
      // A holder that took the lock as we came is waited for (its end heard through the lock): bounded.
      after: { holderTeardownTimeout: { target: 'restoring', actions: 'recordLockWaitTimedOut' } },
      // Leaving the state aborts a claim still waiting for the mutex; restoring undoes one that got in.
      on: { STOP: { target: 'restoring', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    tearingDown: {
      initial: 'ownProject',
      states: {
        staleProject: {
          invoke: {
            id: 'teardown',
            src: 'teardown',
            input: ({ context }) => context.stalePlan ?? notProvided('stale plan'),
            onDone: {
              target: 'ownProject',
              actions: {
                type: 'announceRemoved',
                params: ({ context, event }) => ({ projectName: (context.stalePlan ?? notProvided('stale plan')).projectName, removal: event.output }),
              },
            },
            onError: {
              target: '#devDown.restoring',
              actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        ownProject: {
          invoke: {
            id: 'teardown',
            src: 'teardown',
            input: planOf,
            onDone: {
              target: '#devDown.releasing',
              actions: { type: 'announceRemoved', params: ({ context, event }) => ({ projectName: planOf({ context }).projectName, removal: event.output }) },
            },
            onError: {
              target: '#devDown.restoring',
              actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
      },
      // Leaving the state cancels the running `down` through its abort signal.
      after: { teardownDeadline: { target: 'restoring', actions: 'recordTeardownTimedOut' } },
      on: { STOP: { target: 'restoring', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    // Short and final steps: a STOP here is not acted on (the work is done, or being undone).
    releasing: {
      invoke: {
        id: 'release',
        src: 'release',
        input: planOf,
        onDone: { target: 'done' },
        onError: { target: 'failed', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    restoring: {
      invoke: {
        id: 'restoreLock',
        src: 'restoreLock',
        onDone: [{ guard: 'stopped', target: 'interrupted' }, { target: 'failed' }],
        onError: [{ guard: 'stopped', target: 'interrupted' }, { target: 'failed' }],
      },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
    interrupted: { type: 'final' },
  },
  output: ({ context }) => outputOf(context),
});

/** The outcome follows from the context: a failure fails, else a STOP interrupts, else it is done. */
function outputOf(context: DevDownContext): DevDownOutput {
  const { failure, signal, exitCodes } = context;
  const projectName = context.plan?.projectName;
  if (failure !== undefined) return { outcome: 'failed', exitCode: exitCodes.failures[failure.kind], failure, signal, projectName };
  if (signal !== undefined) return { outcome: 'interrupted', exitCode: exitCodes.signals[signal], failure, signal, projectName };
  return { outcome: 'done', exitCode: exitCodes.ok, failure, signal, projectName };
}

export type DevDownMachine = typeof devDownMachine;
