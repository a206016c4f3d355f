// The dev-session lifecycle (SPEC §4).
//
// States: validating → preflight → starting → attached (foreground) | detached (final);
//         stopping.{readingExitCodes, graceful, forced} → stopped (final);
//         rollingBack.{diagnosing, tearingDown} → failed (final); abandoned (final, third STOP).
// Events: STOP { signal } from the CLI (every SIGINT/SIGTERM/SIGHUP), LOGS_ENDED from the log
//         follower, and the done/error events of the invoked actors.
// Effects are named actors and delays; their real implementations come from
// src/session/dev-session-actors.ts through .provide(). This file imports only xstate.
import { assign, emit, fromCallback, fromPromise, setup } from 'xstate';
import type {
  DevOptions,
  DevPlan,
  FinalState,
  PreflightResult,
  ServiceExit,
  StaleSession,
  SessionFailure,
  StopSignal,
} from './dev-session.types.js';
import { buildOutput, toFailure, type DevSessionContext } from './dev-session.output.js';

export interface DevSessionInput {
  readonly options: DevOptions;
}

export type DevSessionEvent =
  | { readonly type: 'STOP'; readonly signal: StopSignal }
  | { readonly type: 'LOGS_ENDED'; readonly exitCode: number };

/** What the machine tells the outside world, for the reporter (`actor.on('*', …)`). */
export type DevSessionEmitted =
  | { readonly type: 'planned'; readonly plan: DevPlan; readonly options: DevOptions }
  | { readonly type: 'reconciling'; readonly stale: StaleSession }
  | { readonly type: 'starting'; readonly projectName: string }
  | { readonly type: 'started'; readonly projectName: string; readonly mode: DevOptions['mode'] }
  | {
      readonly type: 'stopping';
      readonly projectName: string;
      /** `logs-ended`: the log stream ended but the stack had not (its containers could not be read as ended). */
      readonly cause: 'signal' | 'stack-ended' | 'logs-ended';
      readonly signal: StopSignal | undefined;
    }
  | { readonly type: 'forcing'; readonly cause: 'signal' | 'deadline' }
  | { readonly type: 'rollingBack'; readonly keepOnFailure: boolean };

export interface DiagnoseInput {
  readonly plan: DevPlan;
  readonly failure: SessionFailure | undefined;
}

function notProvided(name: string): never {
  throw new Error(`not provided: ${name}`);
}

/** Why the session is stopping: a signal, the stack ending by itself, or only its log stream ending. */
function stopCause(context: DevSessionContext): 'signal' | 'stack-ended' | 'logs-ended' {
  if (!context.stackEnded) return 'signal';
  const failure = context.failure;
  return failure === undefined || failure.kind === 'services-failed' ? 'stack-ended' : 'logs-ended';
}

const planOf = ({ context }: { context: DevSessionContext }): DevPlan =>
  context.plan ?? notProvided('plan (an actor ran before validation)');

export const devSessionMachine = setup({
  types: {
    context: {} as DevSessionContext,
    events: {} as DevSessionEvent,
    input: {} as DevSessionInput,
    output: {} as ReturnType<typeof buildOutput>,
    emitted: {} as DevSessionEmitted,
  },
  actors: {
    /** Reads the dev files and flags; resolves with the plan, rejects with an `input` failure. */
    validate: fromPromise<DevPlan, DevOptions>(async () => notProvided('validate')),
    /** `C version`, then the session lock; rejects `locked` when a live session holds it. */
    preflight: fromPromise<PreflightResult, DevPlan>(async () => notProvided('preflight')),
    /** Tears down the project of a stale session before this one starts. */
    reconcile: fromPromise<void, StaleSession>(async () => notProvided('reconcile')),
    /** `up --detach …`; cancelled through its abort signal when STOP arrives. */
    start: fromPromise<void, DevPlan>(async () => notProvided('start')),
    /** `logs --follow`; sends LOGS_ENDED when the child ends by itself. */
    followLogs: fromCallback<DevSessionEvent, DevPlan>(() => notProvided('followLogs')),
    /** `ps --all --format json`; resolves with each service's exit. */
    readExitCodes: fromPromise<readonly ServiceExit[], DevPlan>(async () =>
      notProvided('readExitCodes'),
    ),
    /** Prints the failed services' last log lines; resolves with their names. */
    diagnose: fromPromise<readonly string[], DiagnoseInput>(async () => notProvided('diagnose')),
    /** `down --remove-orphans --timeout G`. */
    teardown: fromPromise<void, DevPlan>(async () => notProvided('teardown')),
    /** `kill`, then `down --remove-orphans --timeout 0`. */
    forcedTeardown: fromPromise<void, DevPlan>(async () => notProvided('forcedTeardown')),
  },
  guards: {
    isDetached: ({ context }) => context.options.mode === 'detach',
    foundStale: (_, params: { result: PreflightResult }) => params.result.stale !== undefined,
    keepOnFailure: ({ context }) => context.options.keepOnFailure,
    startFailed: ({ context }) => context.startFailed,
  },
  delays: {
    // A graceful teardown that hangs (daemon wedged, container ignoring SIGKILL) must not hold
    // the terminal forever: compose has its own per-container timeout, this bounds the whole.
    teardownDeadline: ({ context }) => (context.options.graceSeconds + 30) * 1000,
  },
  actions: {
    recordPlan: assign((_, params: { plan: DevPlan }) => ({ plan: params.plan })),
    recordStale: assign((_, params: { result: PreflightResult }) => ({ stale: params.result.stale })),
    clearStale: assign({ stale: undefined }),
    recordFailure: assign((_, params: { error: unknown }) => ({ failure: toFailure(params.error) })),
    recordTeardownFailure: assign((_, params: { error: unknown }) => ({
      teardownFailure: toFailure(params.error),
    })),
    recordStop: assign(({ context }, params: { signal: StopSignal }) => ({
      // The first signal names the exit code; later ones only escalate.
      signal: context.signal ?? params.signal,
    })),
    recordServiceExits: assign((_, params: { exits: readonly ServiceExit[] }) => {
      const failed = params.exits.filter((exit) => exit.exitCode !== 0);
      return failed.length === 0 ? {} : { failure: { kind: 'services-failed', services: failed } as const };
    }),
    recordFailedServices: assign(({ context }, params: { services: readonly string[] }) =>
      context.failure?.kind === 'start-failed'
        ? { failure: { ...context.failure, services: params.services } }
        : {},
    ),
    markStackMayExist: assign({ stackMayExist: true }),
    markStackEnded: assign({ stackEnded: true }),
    markStartFailed: assign({ startFailed: true }),
    recordFinal: assign((_, params: { state: FinalState }) => ({ finalState: params.state })),
    announcePlan: emit(
      ({ context }) => ({ type: 'planned', plan: planOf({ context }), options: context.options }) as const,
    ),
    announceReconciling: emit(({ context }) => ({
      type: 'reconciling' as const,
      stale: context.stale ?? notProvided('stale session'),
    })),
    announceStarting: emit(
      ({ context }) => ({ type: 'starting', projectName: planOf({ context }).projectName }) as const,
    ),
    announceStarted: emit(
      ({ context }) =>
        ({
          type: 'started',
          projectName: planOf({ context }).projectName,
          mode: context.options.mode,
        }) as const,
    ),
    announceStopping: emit(
      ({ context }) =>
        ({
          type: 'stopping',
          projectName: planOf({ context }).projectName,
          cause: stopCause(context),
          signal: context.signal,
        }) as const,
    ),
    announceForcing: emit((_, params: { cause: 'signal' | 'deadline' }) => ({
      type: 'forcing' as const,
      cause: params.cause,
    })),
    announceRollingBack: emit(
      ({ context }) =>
        ({ type: 'rollingBack', keepOnFailure: context.options.keepOnFailure }) as const,
    ),
  },
}).createMachine({
  id: 'devSession',
  context: ({ input }) => ({
    options: input.options,
    plan: undefined,
    stale: undefined,
    failure: undefined,
    teardownFailure: undefined,
    signal: undefined,
    stackMayExist: false,
    stackEnded: false,
    startFailed: false,
    finalState: undefined,
  }),
  initial: 'validating',
  states: {
    validating: {
      invoke: {
        id: 'validate',
        src: 'validate',
        input: ({ context }) => context.options,
        onDone: {
          target: 'preflight',
          actions: [{ type: 'recordPlan', params: ({ event }) => ({ plan: event.output }) }, 'announcePlan'],
        },
        onError: {
          target: 'failed',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
        },
      },
      on: { STOP: { target: 'stopped', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    preflight: {
      invoke: {
        id: 'preflight',
        src: 'preflight',
        input: planOf,
        onDone: [
          {
            guard: { type: 'foundStale', params: ({ event }) => ({ result: event.output }) },
            target: 'reconciling',
            actions: { type: 'recordStale', params: ({ event }) => ({ result: event.output }) },
          },
          { target: 'starting' },
        ],
        onError: {
          target: 'failed',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
        },
      },
      on: { STOP: { target: 'stopped', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    reconciling: {
      entry: 'announceReconciling',
      invoke: {
        id: 'reconcile',
        src: 'reconcile',
        input: ({ context }) => context.stale ?? notProvided('stale session'),
        onDone: { target: 'starting', actions: 'clearStale' },
        onError: {
          target: 'failed',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
        },
      },
      on: { STOP: { target: 'stopped', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    starting: {
      entry: ['markStackMayExist', 'announceStarting'],
      invoke: {
        id: 'start',
        src: 'start',
        input: planOf,
        onDone: [{ guard: 'isDetached', target: 'detached' }, { target: 'attached' }],
        onError: {
          target: 'rollingBack',
          actions: [{ type: 'recordFailure', params: ({ event }) => ({ error: event.error }) }, 'markStartFailed'],
        },
      },
      // Leaving the state stops the invoked `start`: its abort signal cancels `up`.
      on: { STOP: { target: 'stopping', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    attached: {
      entry: 'announceStarted',
      invoke: {
        id: 'followLogs',
        src: 'followLogs',
        input: planOf,
        onError: {
          target: 'stopping',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
        },
      },
      on: {
        STOP: { target: 'stopping', actions: { type: 'recordStop', params: ({ event }) => event } },
        LOGS_ENDED: { target: 'stopping.readingExitCodes', actions: 'markStackEnded' },
      },
    },
    stopping: {
      initial: 'graceful',
      states: {
        readingExitCodes: {
          invoke: {
            id: 'readExitCodes',
            src: 'readExitCodes',
            input: planOf,
            onDone: {
              target: 'graceful',
              actions: { type: 'recordServiceExits', params: ({ event }) => ({ exits: event.output }) },
            },
            onError: {
              target: 'graceful',
              actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
          on: { STOP: { target: 'graceful', actions: { type: 'recordStop', params: ({ event }) => event } } },
        },
        graceful: {
          entry: 'announceStopping',
          invoke: {
            id: 'teardown',
            src: 'teardown',
            input: planOf,
            onDone: { target: '#devSession.stopped' },
            onError: {
              target: '#devSession.failed',
              actions: { type: 'recordTeardownFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
          after: {
            teardownDeadline: {
              target: 'forced',
              actions: { type: 'announceForcing', params: { cause: 'deadline' } },
            },
          },
          on: {
            STOP: {
              target: 'forced',
              actions: [
                { type: 'recordStop', params: ({ event }) => event },
                { type: 'announceForcing', params: { cause: 'signal' } },
              ],
            },
          },
        },
        forced: {
          invoke: {
            id: 'forcedTeardown',
            src: 'forcedTeardown',
            input: planOf,
            onDone: [
              { guard: 'startFailed', target: '#devSession.failed' },
              { target: '#devSession.stopped' },
            ],
            onError: {
              target: '#devSession.failed',
              actions: { type: 'recordTeardownFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
          on: {
            STOP: {
              target: '#devSession.abandoned',
              actions: { type: 'recordStop', params: ({ event }) => event },
            },
          },
        },
      },
    },
    rollingBack: {
      entry: 'announceRollingBack',
      initial: 'diagnosing',
      states: {
        diagnosing: {
          invoke: {
            id: 'diagnose',
            src: 'diagnose',
            input: ({ context }) => ({ plan: planOf({ context }), failure: context.failure }),
            onDone: [
              {
                guard: 'keepOnFailure',
                target: '#devSession.failed',
                actions: { type: 'recordFailedServices', params: ({ event }) => ({ services: event.output }) },
              },
              {
                target: 'tearingDown',
                actions: { type: 'recordFailedServices', params: ({ event }) => ({ services: event.output }) },
              },
            ],
            // Diagnostics are best effort: failing to read logs must not stop the rollback.
            onError: [{ guard: 'keepOnFailure', target: '#devSession.failed' }, { target: 'tearingDown' }],
          },
          on: {
            STOP: [
              {
                guard: 'keepOnFailure',
                target: '#devSession.failed',
                actions: { type: 'recordStop', params: ({ event }) => event },
              },
              { target: 'tearingDown', actions: { type: 'recordStop', params: ({ event }) => event } },
            ],
          },
        },
        tearingDown: {
          invoke: {
            id: 'teardown',
            src: 'teardown',
            input: planOf,
            onDone: { target: '#devSession.failed' },
            onError: {
              target: '#devSession.failed',
              actions: { type: 'recordTeardownFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
          after: {
            teardownDeadline: {
              target: '#devSession.stopping.forced',
              actions: { type: 'announceForcing', params: { cause: 'deadline' } },
            },
          },
          on: {
            STOP: {
              target: '#devSession.stopping.forced',
              actions: [
                { type: 'recordStop', params: ({ event }) => event },
                { type: 'announceForcing', params: { cause: 'signal' } },
              ],
            },
          },
        },
      },
    },
    detached: {
      type: 'final',
      entry: ['announceStarted', { type: 'recordFinal', params: { state: 'detached' } }],
    },
    stopped: { type: 'final', entry: { type: 'recordFinal', params: { state: 'stopped' } } },
    failed: { type: 'final', entry: { type: 'recordFinal', params: { state: 'failed' } } },
    abandoned: { type: 'final', entry: { type: 'recordFinal', params: { state: 'abandoned' } } },
  },
  output: ({ context }) => buildOutput(context),
});

export type DevSessionMachine = typeof devSessionMachine;
