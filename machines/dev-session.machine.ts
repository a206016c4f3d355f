// The dev-session lifecycle (SPEC §4).
//
// States: validating → claiming → (reconciling) → starting → waiting (--wait) → attached | detached (final);
//         waiting.{observing, watching, resyncing}; attached = logs.{following, between} ∥
//         engine.{seeding, watching, ended, draining, resyncing};
//         stopping.{graceful, forced} → stopped (final); rollingBack.{diagnosing, tearingDown, forced}
//         → failed (final); abandoned (final, third STOP).
// Events: STOP { signal } from the CLI; ENGINE_EVENT / EVENTS_ENDED from the engine's event stream;
//         SERVICE_CHANGED from each spawned service machine; LOGS_ENDED from the log follower;
//         and the done/error events of the invoked actors.
// Every lifecycle decision is here: when the stack is ready (guards over the services' statuses),
// when it has ended, when to re-attach the logs, when to force. Effects are named actors, actions
// and delays supplied by src/session/ through .provide(). This file imports only xstate.
import { assign, emit, enqueueActions, fromCallback, fromPromise, not, or, setup, stateIn, stopChild } from 'xstate';
import {
  diagnoseDeadlineMs,
  forcedTeardownDeadlineMs,
  type ClaimResult,
  type DevOptions,
  type DevPlan,
  type LogCursor,
  type Removal,
  type SessionFailure,
  type StaleSession,
  type StopSignal,
} from './dev-session.types.js';
import { buildOutput, createdNothing, toFailure, type DevSessionContext, type StopCause } from './dev-session.output.js';
import { endedStackFailure, notReadyFailure, serviceFailedFailure, stackEnded, stackEndedByItself, specOf } from './dev-session.services.js';
import { serviceEventOf, serviceMachine, type ObservedContainer, type ServiceChanged, type ServiceEvent } from './service.machine.js';
import type { EngineEvent, ServiceSpec, ServiceStatus } from './service.types.js';

export interface DevSessionInput {
  readonly options: DevOptions;
}

export type DevSessionEvent =
  | { readonly type: 'STOP'; readonly signal: StopSignal }
  | { readonly type: 'LOGS_ENDED'; readonly cursor: LogCursor | undefined }
  | { readonly type: 'ENGINE_EVENT'; readonly event: EngineEvent }
  /** The events stream ended or failed (engine restarted, or it could not start). */
  | { readonly type: 'EVENTS_ENDED'; readonly reason: string }
  /** To the log follower: follow again from where the stream got to (a container restarted). */
  | { readonly type: 'REATTACH_LOGS' }
  | ServiceChanged;

/** What the machine tells the outside world, for the reporter (`actor.on('*', …)`). */
export type DevSessionEmitted =
  | { readonly type: 'planned'; readonly plan: DevPlan; readonly options: DevOptions }
  | { readonly type: 'reconciling'; readonly stale: StaleSession }
  | { readonly type: 'starting'; readonly projectName: string }
  | { readonly type: 'waiting'; readonly services: readonly string[]; readonly timeoutSeconds: number }
  | { readonly type: 'started'; readonly projectName: string; readonly mode: DevOptions['mode'] }
  | { readonly type: 'service'; readonly status: ServiceStatus; readonly previous: ServiceStatus | undefined }
  | { readonly type: 'eventsLost'; readonly reason: string }
  | { readonly type: 'logsReattaching'; readonly since: string | undefined }
  | {
      readonly type: 'stopping';
      readonly projectName: string;
      /** `failed`: an error ended the session (the failure is reported at its end). */
      readonly cause: StopCause | 'failed';
      readonly signal: StopSignal | undefined;
    }
  | { readonly type: 'forcing'; readonly cause: 'signal' | 'deadline' }
  /** A further STOP while the forced teardown runs: it is not interrupted, only bounded. */
  | { readonly type: 'stillForcing'; readonly seconds: number }
  | { readonly type: 'rollingBack'; readonly keepOnFailure: boolean }
  /** The rollback's teardown begins (its diagnostics are done). */
  | { readonly type: 'rollbackTeardown'; readonly projectName: string }
  /** A teardown finished: what it removed of `projectName` (the engine then listed nothing of it). */
  | { readonly type: 'removed'; readonly projectName: string; readonly removal: Removal };

export interface DiagnoseInput {
  readonly plan: DevPlan;
  readonly failure: SessionFailure | undefined;
  /** The statuses of the services, as the events left them (container ids for `inspect`). */
  readonly services: readonly ServiceStatus[];
}

export interface FollowLogsInput {
  readonly plan: DevPlan;
  readonly cursor: LogCursor | undefined;
  /** The engine's time of the session's first event: no unseen log line is older. */
  readonly floor: string | undefined;
}

/** One `ps --all --format json` read, per service. */
export type ObservedServices = Readonly<Record<string, ObservedContainer>>;

function notProvided(name: string): never {
  throw new Error(`not provided: ${name}`);
}

const planOf = ({ context }: { context: DevSessionContext }): DevPlan =>
  context.plan ?? notProvided('plan (an actor ran before validation)');

const childId = (service: string): string => `service:${service}`;

/** The output of an `observeServices` done event. */
function observedIn(event: { type: string }): ObservedServices {
  return (event as unknown as { output?: ObservedServices }).output ?? {};
}

/**
 * Whether a `ps` read after `up` knows more than the events so far: the service has no
 * event yet, or `ps` saw its container dead while the events still have it alive (its `die`
 * is on the way). A container's life only goes forward, so this never undoes an event.
 */
function observedIsNewer(known: ServiceStatus | undefined, container: ObservedContainer): boolean {
  if (known === undefined || known.state === 'pending') return true;
  const dead = container.state === 'exited' || container.state === 'dead';
  const alive = known.state === 'created' || known.state === 'starting' || known.state === 'running' || known.state === 'healthy' || known.state === 'unhealthy';
  return dead && alive;
}

/** Sends what `ps` saw of `service` to its machine, spawning one for a service not seen before. */
function observe(
  enqueue: { spawnChild: (src: 'service', options: { id: string; input: ServiceSpec }) => void; sendTo: (id: string, event: ServiceEvent) => void },
  self: { getSnapshot(): { children: Record<string, unknown> } },
  context: DevSessionContext,
  service: string,
  container: ObservedContainer,
): void {
  const id = childId(service);
  if (self.getSnapshot().children[id] === undefined) {
    enqueue.spawnChild('service', { id, input: specOf(planOf({ context }), service) });
  }
  enqueue.sendTo(id, { type: 'OBSERVED', container });
}

/** The log follower (while one runs) starts a new stream from where its stream got to. */
function reattachLogs(
  enqueue: { sendTo: (id: 'followLogs', event: { type: 'REATTACH_LOGS' }) => void },
  self: { getSnapshot(): { children: Record<string, unknown> } },
): void {
  if (self.getSnapshot().children['followLogs'] !== undefined) enqueue.sendTo('followLogs', { type: 'REATTACH_LOGS' });
}

/** The state names each entry records, for the session record (SPEC §6). */
const recordAs = (state: string) => ({ type: 'record', params: { state } }) as const;

/** How many times the events stream may end and be followed again before the session gives up. */
export const maxEventsRestarts = 3;


const sessionSetup = setup({
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
    /** Takes the session lock; rejects `locked` when a live session holds it. */
    claim: fromPromise<ClaimResult, DevPlan>(async () => notProvided('claim')),
    /** Tears down the project of a stale session before this one starts. */
    reconcile: fromPromise<Removal, StaleSession>(async () => notProvided('reconcile')),
    /** `up --detach …`; cancelled through its abort signal when STOP arrives. */
    start: fromPromise<void, DevPlan>(async () => notProvided('start')),
    /** `events --json`: sends ENGINE_EVENT per line, EVENTS_ENDED when the stream ends. */
    followEvents: fromCallback<DevSessionEvent, DevPlan>(() => notProvided('followEvents')),
    /** `logs --follow` (from the cursor); sends LOGS_ENDED with its cursor when the child ends. */
    followLogs: fromCallback<DevSessionEvent, FollowLogsInput>(() => notProvided('followLogs')),
    /** One `ps --all --format json` read: each service's latest container. */
    observeServices: fromPromise<ObservedServices, DevPlan>(async () => notProvided('observeServices')),
    /** Prints the failed services' last log lines and health-check output; resolves with their names. */
    diagnose: fromPromise<readonly string[], DiagnoseInput>(async () => notProvided('diagnose')),
    /** Removes the project's stack (SPEC §3 teardown). */
    teardown: fromPromise<Removal, DevPlan>(async () => notProvided('teardown')),
    /** `kill`, then the teardown with a 0 timeout. */
    forcedTeardown: fromPromise<Removal, DevPlan>(async () => notProvided('forcedTeardown')),
    service: serviceMachine,
  },
  guards: {
    isDetached: ({ context }) => context.options.mode === 'detach',
    waits: ({ context }) => context.options.wait,
    /** The events stream is followed in the foreground and while `--wait` waits (SPEC §3). */
    watchesEngine: ({ context }) => context.options.mode === 'foreground' || context.options.wait,
    foundStale: (_, params: { result: ClaimResult }) => params.result.stale !== undefined,
    keepOnFailure: ({ context }) => context.options.keepOnFailure,
    allReady: ({ context }) => Object.values(context.services).every((s) => s.ready),
    anyFailed: ({ context }) => Object.values(context.services).some((s) => s.failed),
    stackEnded: ({ context }) => stackEnded(context.services),
    stackEndedByItself: ({ context }) => stackEndedByItself(context.services),
    /** The ended stack's last lines are out once the log stream ends: it ended by itself, or it is being drained. */
    logsAreLast: or(['stackEndedByItself', stateIn('#devSession.attached.engine.draining')]),
    /** The events stream ended and has not been followed again since. */
    eventsDown: ({ context }) => context.eventsLost > context.eventsRestarts,
    eventsKeepEnding: ({ context }) => context.eventsLost > maxEventsRestarts,
    createdNothing: (_, params: { error: unknown }) => createdNothing(toFailure(params.error)),
  },
  delays: {
    // A graceful teardown that hangs (daemon wedged, container ignoring SIGKILL) must not hold
    // the terminal forever: compose has its own per-container timeout, this bounds the whole.
    // Unset --grace: the longest stop_grace_period of the plan's services holds.
    teardownDeadline: ({ context }) => ((context.options.graceSeconds ?? planOf({ context }).stopGraceSeconds) + 30) * 1000,
    waitTimeout: ({ context }) => context.options.waitTimeoutSeconds * 1000,
    // `up` that neither ends nor fails (a frozen engine) ends the start; --wait or not.
    startTimeout: ({ context }) => context.options.startTimeoutSeconds * 1000,
    // Diagnostics are best effort: a hung `ps` or `logs` must not hold the rollback.
    diagnoseDeadline: diagnoseDeadlineMs,
    // The forced teardown's own bound: past it the session gives up (abandoned, exit 2).
    forcedTeardownDeadline: forcedTeardownDeadlineMs,
    // compose ends `logs --follow` when no container runs (one restarting, say): follow again
    // after a moment, from where it stopped, rather than spin.
    reattachDelay: 500,
    // An ended stack waits this long for a service to come back (`compose restart`) or its log
    // stream to end; then the logs are followed once more from the cursor (with nothing running,
    // that stream ends by itself once it has printed them), within logDrainDeadline.
    logDrainTimeout: 2000,
    logDrainDeadline: 15_000,
  },
  actions: {
    /** Writes the session record (SPEC §6): the state and its tags. Supplied by src/. */
    record: (_, _params: { state: string }) => undefined,
    /** The session is over and nothing of it runs: the record goes. Supplied by src/. */
    releaseRecord: () => undefined,
    /** The session is over but its stack may still run: the record stays, in `state`. Supplied by src/. */
    leaveRecord: (_, _params: { state: string }) => undefined,
    recordPlan: assign((_, params: { plan: DevPlan }) => ({ plan: params.plan })),
    recordStale: assign((_, params: { result: ClaimResult }) => ({ stale: params.result.stale })),
    clearStale: assign({ stale: undefined }),
    recordFailure: assign((_, params: { error: unknown }) => ({ failure: toFailure(params.error) })),
    recordTeardownFailure: assign((_, params: { error: unknown }) => ({
      teardownFailure: toFailure(params.error),
    })),
    recordStop: assign(({ context }, params: { signal: StopSignal }) => ({
      // The first signal names the exit code; later ones only escalate.
      signal: context.signal ?? params.signal,
    })),
    recordCause: assign((_, params: { cause: StopCause }) => ({ stopCause: params.cause })),
    recordStackEnded: assign(({ context }) => ({
      stopCause: 'stack-ended' as const,
      failure: endedStackFailure(context.services),
    })),
    recordServiceFailed: assign(({ context }) => ({ failure: serviceFailedFailure(planOf({ context }), context.services) })),
    recordStartTimedOut: assign(({ context }) => ({
      failure: {
        kind: 'start-failed',
        message:
          `starting project ${planOf({ context }).projectName} did not finish in ${context.options.startTimeoutSeconds} s (--start-timeout): ` +
          'the engine may be hung, or a pull or build stalled',
        stderrTail: '',
        services: [],
        timedOutSeconds: context.options.startTimeoutSeconds,
      } as const,
    })),
    recordReconcileTimedOut: assign(({ context }) => ({
      failure: {
        kind: 'command-failed',
        message: `the teardown of the stale session of project ${(context.stale ?? notProvided('stale session')).project} did not finish in time; check the engine (\`docker info\`), then run \`stagecraft dev down\``,
      } as const,
    })),
    recordNotReady: assign(({ context }) => ({
      failure: notReadyFailure(planOf({ context }), context.services, context.options.waitTimeoutSeconds),
    })),
    recordEventsGaveUp: assign(({ context }) => ({
      stopCause: 'events-lost' as const,
      failure: {
        kind: 'command-failed',
        message: `the engine's event stream (\`${planOf({ context }).events.argv.join(' ')}\`) ended ${context.eventsLost} times; check the engine (\`docker info\`) and run \`stagecraft dev\` again`,
      } as const,
    })),
    recordFailedServices: assign(({ context }, params: { services: readonly string[] }) =>
      context.failure?.kind === 'start-failed' && context.failure.services.length === 0
        ? { failure: { ...context.failure, services: params.services } }
        : {},
    ),
    recordCursor: assign((_, params: { cursor: LogCursor | undefined }) =>
      params.cursor === undefined ? {} : { logCursor: params.cursor },
    ),
    noteEventTime: assign(({ context, event }) =>
      context.firstEventTime === undefined && event.type === 'ENGINE_EVENT' && event.event.time !== ''
        ? { firstEventTime: event.event.time }
        : {},
    ),
    keepForInspection: assign(({ context }) => ({ keptForInspection: planOf({ context }).teardown.down.argv })),
    noteEventsLost: assign(({ context }) => ({ eventsLost: context.eventsLost + 1 })),
    updateService: assign(({ context }, params: { status: ServiceStatus }) => ({
      services: { ...context.services, [params.status.service]: params.status },
    })),
    stopEvents: stopChild('followEvents'),
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
    announceWaiting: emit(
      ({ context }) =>
        ({
          type: 'waiting',
          services: Object.values(context.services).filter((s) => !s.ready).map((s) => s.service),
          timeoutSeconds: context.options.waitTimeoutSeconds,
        }) as const,
    ),
    announceStarted: emit(
      ({ context }) =>
        ({
          type: 'started',
          projectName: planOf({ context }).projectName,
          mode: context.options.mode,
        }) as const,
    ),
    announceService: emit(({ context }, params: { status: ServiceStatus }) => ({
      type: 'service' as const,
      status: params.status,
      previous: context.services[params.status.service],
    })),
    /** The events stream ended: says why (the EVENTS_ENDED being handled). */
    announceEventsLost: emit(({ event }) => ({
      type: 'eventsLost' as const,
      reason: event.type === 'EVENTS_ENDED' ? event.reason : 'it ended',
    })),
    announceReattaching: emit(({ context }) => ({
      type: 'logsReattaching' as const,
      since: context.logCursor?.since,
    })),
    announceStopping: emit(
      ({ context }) =>
        ({
          type: 'stopping',
          projectName: planOf({ context }).projectName,
          cause: context.stopCause ?? (context.signal === undefined && context.failure !== undefined ? 'failed' : 'signal'),
          signal: context.signal,
        }) as const,
    ),
    /** A STOP while the forced teardown runs: it keeps its bounded chance, said once per STOP. */
    announceStillForcing: emit(() => ({ type: 'stillForcing' as const, seconds: forcedTeardownDeadlineMs / 1000 })),
    announceForcing: emit((_, params: { cause: 'signal' | 'deadline' }) => ({
      type: 'forcing' as const,
      cause: params.cause,
    })),
    announceRemoved: emit((_, params: { projectName: string; removal: Removal }) => ({ type: 'removed' as const, ...params })),
    announceRollingBack: emit(
      ({ context }) => ({ type: 'rollingBack', keepOnFailure: context.options.keepOnFailure }) as const,
    ),
    announceRollbackTeardown: emit(({ context }) => ({ type: 'rollbackTeardown' as const, projectName: planOf({ context }).projectName })),
  },
});

// The actions that spawn and message the session's children, typed against the setup above.
const withChildren = sessionSetup.extend({
  actions: {
    /** One service machine per expected service of the plan. */
    spawnServices: sessionSetup.createAction(enqueueActions(({ context, enqueue }) => {
      for (const spec of planOf({ context }).services) {
        if (spec.profiled) continue;
        enqueue.spawnChild('service', { id: childId(spec.name), input: spec });
      }
    })),
    spawnEvents: sessionSetup.createAction(enqueueActions(({ enqueue, check }) => {
      if (check('watchesEngine')) {
        enqueue.spawnChild('followEvents', { id: 'followEvents', input: planOf });
      }
    })),
    respawnEvents: sessionSetup.createAction(enqueueActions(({ enqueue }) => {
      enqueue.stopChild('followEvents');
      enqueue.spawnChild('followEvents', { id: 'followEvents', input: planOf });
      enqueue.assign(({ context }) => ({ eventsRestarts: context.eventsLost }));
    })),
    /** The engine event to its service's machine; a service first seen here (a profile, a `run`) gets one. */
    forwardEngineEvent: sessionSetup.createAction(
      enqueueActions(({ context, event, enqueue, self }) => {
        if (event.type !== 'ENGINE_EVENT') return;
        const id = childId(event.event.service);
        if (self.getSnapshot().children[id] === undefined) {
          enqueue.spawnChild('service', { id, input: specOf(planOf({ context }), event.event.service) });
        }
        enqueue.sendTo(id, serviceEventOf(event.event));
      }),
    ),
    /** compose's log stream does not pick up a restarted container: the follower starts again from its cursor. */
    reattachOnRestart: sessionSetup.createAction(
      enqueueActions(({ context, event, enqueue, self }) => {
        if (event.type !== 'SERVICE_CHANGED') return;
        const previous = context.services[event.status.service];
        const restarted = previous !== undefined && event.status.restarts > previous.restarts;
        if (restarted) reattachLogs(enqueue, self);
      }),
    ),
    /** The ended stack's log stream has not ended: a new one from the cursor prints the rest and ends. */
    drainLogs: sessionSetup.createAction(enqueueActions(({ enqueue, self }) => reattachLogs(enqueue, self))),
    /** A `ps` read after `up`, to the services the events have not reached yet. */
    seedServices: sessionSetup.createAction(
      enqueueActions(({ context, event, enqueue, self }) => {
        for (const [service, container] of Object.entries(observedIn(event))) {
          if (!observedIsNewer(context.services[service], container)) continue;
          observe(enqueue, self, context, service, container);
        }
      }),
    ),
    /** A `ps` read after the events stream was lost, to every service. */
    resyncServices: sessionSetup.createAction(
      enqueueActions(({ context, event, enqueue, self }) => {
        for (const [service, container] of Object.entries(observedIn(event))) {
          observe(enqueue, self, context, service, container);
        }
      }),
    ),
  },
});

export const devSessionMachine = withChildren.createMachine({
  id: 'devSession',
  context: ({ input }) => ({
    options: input.options,
    plan: undefined,
    stale: undefined,
    failure: undefined,
    teardownFailure: undefined,
    signal: undefined,
    stopCause: undefined,
    services: {},
    logCursor: undefined,
    firstEventTime: undefined,
    keptForInspection: undefined,
    eventsLost: 0,
    eventsRestarts: 0,
  }),
  initial: 'validating',
  // From any state: the engine's events go to the service machines, whose statuses come back.
  on: {
    ENGINE_EVENT: { actions: ['noteEventTime', 'forwardEngineEvent'] },
    SERVICE_CHANGED: {
      actions: [
        { type: 'announceService', params: ({ event }) => ({ status: event.status }) },
        'reattachOnRestart',
        { type: 'updateService', params: ({ event }) => ({ status: event.status }) },
      ],
    },
    EVENTS_ENDED: { actions: ['noteEventsLost', 'announceEventsLost'] },
  },
  states: {
    validating: {
      invoke: {
        id: 'validate',
        src: 'validate',
        input: ({ context }) => context.options,
        onDone: {
          target: 'claiming',
          actions: [{ type: 'recordPlan', params: ({ event }) => ({ plan: event.output }) }, 'announcePlan'],
        },
        onError: { target: 'failed', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
      },
      on: { STOP: { target: 'stopped', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    claiming: {
      invoke: {
        id: 'claim',
        src: 'claim',
        input: planOf,
        onDone: [
          {
            guard: { type: 'foundStale', params: ({ event }) => ({ result: event.output }) },
            target: 'reconciling',
            actions: { type: 'recordStale', params: ({ event }) => ({ result: event.output }) },
          },
          { target: 'starting' },
        ],
        onError: { target: 'failed', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
      },
      on: { STOP: { target: 'stopped', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    reconciling: {
      tags: ['tearingDown'],
      entry: ['announceReconciling', recordAs('reconciling')],
      invoke: {
        id: 'reconcile',
        src: 'reconcile',
        input: ({ context }) => context.stale ?? notProvided('stale session'),
        onDone: {
          target: 'starting',
          actions: [
            {
              type: 'announceRemoved',
              params: ({ context, event }) => ({ projectName: (context.stale ?? notProvided('stale session')).project, removal: event.output }),
            },
            'clearStale',
          ],
        },
        onError: { target: 'failed', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
      },
      after: { teardownDeadline: { target: 'failed', actions: 'recordReconcileTimedOut' } },
      on: { STOP: { target: 'stopped', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    starting: {
      tags: ['stackMayExist'],
      // The events stream starts before `up`, so no container's life goes unseen.
      entry: ['spawnServices', 'spawnEvents', 'announceStarting', recordAs('starting')],
      invoke: {
        id: 'start',
        src: 'start',
        input: planOf,
        onDone: [
          { guard: 'waits', target: 'waiting' },
          { guard: 'isDetached', target: 'detached' },
          { target: 'attached' },
        ],
        onError: [
          // compose or the engine is not there: `up` created nothing, so there is nothing to roll back.
          { guard: { type: 'createdNothing', params: ({ event }) => ({ error: event.error }) }, target: 'failed', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
          { target: 'rollingBack', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
        ],
      },
      // Leaving the state stops the invoked `start`: its abort signal cancels `up`.
      after: { startTimeout: { target: 'rollingBack', actions: 'recordStartTimedOut' } },
      on: {
        STOP: { target: 'stopping', actions: { type: 'recordStop', params: ({ event }) => event } },
        // Noted, not told: `up` fails the same way when compose or the engine is missing;
        // when it succeeds, the stack's state is read once and the stream followed again.
        EVENTS_ENDED: { actions: 'noteEventsLost' },
      },
    },
    waiting: {
      tags: ['stackMayExist'],
      entry: ['announceWaiting', recordAs('waiting')],
      // Readiness is stagecraft's (SPEC §4): decided here from the services' statuses.
      always: [
        { guard: 'eventsKeepEnding', target: 'rollingBack', actions: 'recordEventsGaveUp' },
        { guard: 'anyFailed', target: 'rollingBack', actions: 'recordServiceFailed' },
      ],
      after: { waitTimeout: { target: 'rollingBack', actions: 'recordNotReady' } },
      initial: 'observing',
      states: {
        // One `ps` read after `up` first: a container that died as `up` returned is seen
        // before its start alone could count as ready.
        observing: {
          invoke: {
            id: 'observeServices',
            src: 'observeServices',
            input: planOf,
            onDone: [
              { guard: 'eventsDown', target: 'watching', actions: ['resyncServices', 'respawnEvents'] },
              { target: 'watching', actions: 'seedServices' },
            ],
            // Only a safety net for events missed before the stream was listening.
            onError: { target: 'watching' },
          },
          on: { EVENTS_ENDED: { target: 'resyncing', actions: ['noteEventsLost', 'announceEventsLost'] } },
        },
        watching: {
          always: { guard: 'allReady', target: '#devSession.ready' },
          on: { EVENTS_ENDED: { target: 'resyncing', actions: ['noteEventsLost', 'announceEventsLost'] } },
        },
        resyncing: {
          invoke: {
            id: 'resync',
            src: 'observeServices',
            input: planOf,
            onDone: { target: 'watching', actions: ['resyncServices', 'respawnEvents'] },
            onError: { target: '#devSession.rollingBack', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
          },
        },
      },
      on: { STOP: { target: 'stopping', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    ready: {
      tags: ['stackMayExist'],
      always: [{ guard: 'isDetached', target: 'detached' }, { target: 'attached' }],
    },
    attached: {
      tags: ['stackMayExist'],
      entry: ['announceStarted', recordAs('attached')],
      always: { guard: 'eventsKeepEnding', target: 'stopping', actions: 'recordEventsGaveUp' },
      type: 'parallel',
      states: {
        logs: {
          initial: 'following',
          states: {
            following: {
              invoke: {
                id: 'followLogs',
                src: 'followLogs',
                input: ({ context }) => ({ plan: planOf({ context }), cursor: context.logCursor, floor: context.firstEventTime }),
                onError: { target: '#devSession.stopping', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
              },
              on: {
                LOGS_ENDED: [
                  // The stack ended (by itself, or drained) and its last lines are out: now it can go.
                  { guard: 'logsAreLast', target: '#devSession.stopping', actions: 'recordStackEnded' },
                  {
                    target: 'between',
                    actions: { type: 'recordCursor', params: ({ event }) => ({ cursor: event.cursor }) },
                  },
                ],
              },
            },
            // compose ended the stream while services still run: follow again from the cursor.
            between: {
              // An ended stack's last lines may not be out yet: follow once more to drain them.
              always: { guard: 'logsAreLast', target: 'following' },
              after: { reattachDelay: { target: 'following', actions: 'announceReattaching' } },
            },
          },
        },
        engine: {
          initial: 'seeding',
          states: {
            // One `ps` read after `up`, for what the events missed before the stream listened
            // (or everything, when the stream ended while `up` ran: then it is followed again).
            seeding: {
              invoke: {
                id: 'observeServices',
                src: 'observeServices',
                input: planOf,
                onDone: [
                  { guard: 'eventsDown', target: 'watching', actions: ['resyncServices', 'respawnEvents'] },
                  { target: 'watching', actions: 'seedServices' },
                ],
                onError: { target: 'watching' },
              },
              on: { EVENTS_ENDED: { target: 'resyncing', actions: ['noteEventsLost', 'announceEventsLost'] } },
            },
            watching: {
              // Every service exited for good (SPEC §4), decided from the events.
              always: { guard: 'stackEnded', target: 'ended' },
              on: { EVENTS_ENDED: { target: 'resyncing', actions: ['noteEventsLost', 'announceEventsLost'] } },
            },
            // The stack has ended, unless a service comes back (`compose restart` stops them
            // all for a moment): the log stream gets a moment to print the last lines (compose
            // ends it once every container has stopped, but may miss one that ended as it started).
            ended: {
              always: { guard: not('stackEnded'), target: 'watching' },
              after: { logDrainTimeout: { target: 'draining' } },
              on: { EVENTS_ENDED: { target: 'resyncing', actions: ['noteEventsLost', 'announceEventsLost'] } },
            },
            // Still ended, its log stream still open (slow to start under load, or compose missed a
            // container that ended as it started): the logs are followed once more, from the cursor,
            // and that stream's end is the session's (logsAreLast); bounded, for a frozen engine.
            draining: {
              entry: 'drainLogs',
              always: { guard: not('stackEnded'), target: 'watching' },
              after: { logDrainDeadline: { target: '#devSession.stopping', actions: 'recordStackEnded' } },
              on: { EVENTS_ENDED: { target: 'resyncing', actions: ['noteEventsLost', 'announceEventsLost'] } },
            },
            // The events stream ended (engine restarted?): one `ps` read says where things are.
            resyncing: {
              invoke: {
                id: 'resync',
                src: 'observeServices',
                input: planOf,
                onDone: { target: 'watching', actions: ['resyncServices', 'respawnEvents'] },
                onError: { target: '#devSession.stopping', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
              },
            },
          },
        },
      },
      on: { STOP: { target: 'stopping', actions: { type: 'recordStop', params: ({ event }) => event } } },
    },
    stopping: {
      tags: ['stackMayExist', 'tearingDown'],
      entry: 'stopEvents',
      initial: 'graceful',
      states: {
        graceful: {
          entry: ['announceStopping', recordAs('stopping.graceful')],
          invoke: {
            id: 'teardown',
            src: 'teardown',
            input: planOf,
            onDone: { target: '#devSession.stopped', actions: { type: 'announceRemoved', params: ({ context, event }) => ({ projectName: planOf({ context }).projectName, removal: event.output }) } },
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
              actions: [{ type: 'recordStop', params: ({ event }) => event }, { type: 'announceForcing', params: { cause: 'signal' } }],
            },
          },
        },
        forced: {
          entry: recordAs('stopping.forced'),
          invoke: {
            id: 'forcedTeardown',
            src: 'forcedTeardown',
            input: planOf,
            onDone: { target: '#devSession.stopped', actions: { type: 'announceRemoved', params: ({ context, event }) => ({ projectName: planOf({ context }).projectName, removal: event.output }) } },
            onError: {
              target: '#devSession.failed',
              actions: { type: 'recordTeardownFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
          // A burst of signals does not cut the forced teardown short: it has its bounded chance.
          after: { forcedTeardownDeadline: { target: '#devSession.abandoned' } },
          on: { STOP: { actions: [{ type: 'recordStop', params: ({ event }) => event }, 'announceStillForcing'] } },
        },
      },
    },
    rollingBack: {
      tags: ['stackMayExist', 'startFailed'],
      entry: ['stopEvents', 'announceRollingBack'],
      initial: 'diagnosing',
      states: {
        diagnosing: {
          entry: recordAs('rollingBack.diagnosing'),
          invoke: {
            id: 'diagnose',
            src: 'diagnose',
            input: ({ context }) => ({
              plan: planOf({ context }),
              failure: context.failure,
              services: Object.values(context.services),
            }),
            onDone: [
              {
                guard: 'keepOnFailure',
                target: '#devSession.failed',
                actions: [
                  { type: 'recordFailedServices', params: ({ event }) => ({ services: event.output }) },
                  'keepForInspection',
                ],
              },
              {
                target: 'tearingDown',
                actions: { type: 'recordFailedServices', params: ({ event }) => ({ services: event.output }) },
              },
            ],
            // Diagnostics are best effort: failing to read logs must not stop the rollback.
            onError: [
              { guard: 'keepOnFailure', target: '#devSession.failed', actions: 'keepForInspection' },
              { target: 'tearingDown' },
            ],
          },
          after: {
            diagnoseDeadline: [
              { guard: 'keepOnFailure', target: '#devSession.failed', actions: 'keepForInspection' },
              { target: 'tearingDown' },
            ],
          },
          on: {
            STOP: [
              {
                guard: 'keepOnFailure',
                target: '#devSession.failed',
                actions: [{ type: 'recordStop', params: ({ event }) => event }, 'keepForInspection'],
              },
              { target: 'tearingDown', actions: { type: 'recordStop', params: ({ event }) => event } },
            ],
          },
        },
        tearingDown: {
          tags: ['tearingDown'],
          entry: ['announceRollbackTeardown', recordAs('rollingBack.tearingDown')],
          invoke: {
            id: 'teardown',
            src: 'teardown',
            input: planOf,
            onDone: { target: '#devSession.failed', actions: { type: 'announceRemoved', params: ({ context, event }) => ({ projectName: planOf({ context }).projectName, removal: event.output }) } },
            onError: {
              target: '#devSession.failed',
              actions: { type: 'recordTeardownFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
          after: {
            teardownDeadline: { target: 'forced', actions: { type: 'announceForcing', params: { cause: 'deadline' } } },
          },
          on: {
            STOP: {
              target: 'forced',
              actions: [{ type: 'recordStop', params: ({ event }) => event }, { type: 'announceForcing', params: { cause: 'signal' } }],
            },
          },
        },
        // The rollback's own forced teardown: however it ends, the session failed.
        forced: {
          tags: ['tearingDown'],
          entry: recordAs('rollingBack.forced'),
          invoke: {
            id: 'forcedTeardown',
            src: 'forcedTeardown',
            input: planOf,
            onDone: { target: '#devSession.failed', actions: { type: 'announceRemoved', params: ({ context, event }) => ({ projectName: planOf({ context }).projectName, removal: event.output }) } },
            onError: {
              target: '#devSession.failed',
              actions: { type: 'recordTeardownFailure', params: ({ event }) => ({ error: event.error }) },
            },
          },
          // A burst of signals does not cut the forced teardown short: it has its bounded chance.
          after: { forcedTeardownDeadline: { target: '#devSession.abandoned' } },
          on: { STOP: { actions: [{ type: 'recordStop', params: ({ event }) => event }, 'announceStillForcing'] } },
        },
      },
    },
    detached: {
      type: 'final',
      entry: ['stopEvents', 'announceStarted', { type: 'leaveRecord', params: { state: 'detached' } }],
      output: { finalState: 'detached' },
    },
    stopped: { type: 'final', entry: 'releaseRecord', output: { finalState: 'stopped' } },
    failed: {
      type: 'final',
      entry: enqueueActions(({ context, enqueue }) => {
        enqueue.stopChild('followEvents');
        if (buildOutput(context, 'failed').leftBehind === undefined) enqueue('releaseRecord');
        else enqueue({ type: 'leaveRecord', params: { state: 'failed' } });
      }),
      output: { finalState: 'failed' },
    },
    abandoned: {
      type: 'final',
      entry: { type: 'leaveRecord', params: { state: 'abandoned' } },
      output: { finalState: 'abandoned' },
    },
  },
  output: ({ context, event }) =>
    buildOutput(context, (event as unknown as { output: { finalState: 'detached' | 'stopped' | 'failed' | 'abandoned' } }).output.finalState),
});

export type DevSessionMachine = typeof devSessionMachine;
