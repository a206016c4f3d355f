// `stagecraft dev restart [svc…]` (SPEC §2): restart services of the running project and wait
// until they are ready again by the start's rules (SPEC §4).
//
// States: surveying (one `ps`: is the project running, which services have a container) →
//         refused (final, exit 1) | working = engine.{following, resyncing} ∥
//         steps.{restarting, observing, settling, waiting, diagnosing} → restarted (final, exit 0) |
//         failed (final, exit 2); interrupted (final, 128+n) on STOP from any state.
// Events: STOP { signal } from the CLI; ENGINE_EVENT / EVENTS_ENDED from the engine's event stream
//         (followed from before `restart` runs); SERVICE_CHANGED from one spawned service machine
//         per restarted service; the done/error events of the invoked actors.
// The service machines see the restart as the engine reports it (kill → stopping → die → stopped
// → start → running | starting → healthy). A service is judged (ready, or failed) only on the
// status of its container since the restart: once its `start` is heard, or, for one the stream
// heard nothing of, once a `ps` read after `restart` returned has reached its machine — never on
// what it was before (a `die` of the old container is no failure, an `exit 0` no readiness).
// Every `ps` is bounded (surveyTimeout), as the restart and the wait are. Effects are named actors supplied by src/restart/ through .provide(). This file imports
// only xstate, types and the pure modules of machines/.
import { assign, emit, enqueueActions, fromCallback, fromPromise, setup } from 'xstate';
import type { DevRestartOutput, RestartFinalState, RestartPlan } from './dev-restart.types.js';
import { maxEventsRestarts, type ObservedServices } from './dev-session.machine.js';
import { toFailure } from './dev-session.output.js';
import { specOf } from './dev-session.services.js';
import { diagnoseDeadlineMs, type SessionFailure, type StopSignal } from './dev-session.types.js';
import { exitCodeForFailure, exitCodeForSignal, ExitCode } from './exit-code.js';
import { serviceEventOf, serviceMachine, type ObservedContainer, type ServiceChanged } from './service.machine.js';
import { waitingFor, type EngineEvent, type ServiceStatus } from './service.types.js';

export type DevRestartEvent =
  | { readonly type: 'STOP'; readonly signal: StopSignal }
  /** To itself, after a `ps` read went to the service machines: their answers are in. */
  | { readonly type: 'SETTLED' }
  /** To itself, after a `start` went to `service`'s machine: its answer is in, it is current. */
  | { readonly type: 'STARTED'; readonly service: string }
  | { readonly type: 'ENGINE_EVENT'; readonly event: EngineEvent }
  | { readonly type: 'EVENTS_ENDED'; readonly reason: string }
  | ServiceChanged;

/** Where a STOP found the restart: during `restart` a service may be left stopped. */
export type RestartStep = 'survey' | 'restart' | 'wait';

/** What the machine tells the reporter (`actor.on('*', …)`). */
export type DevRestartEmitted =
  | { readonly type: 'restarting'; readonly projectName: string; readonly services: readonly string[] }
  | { readonly type: 'service'; readonly status: ServiceStatus; readonly previous: ServiceStatus | undefined }
  | { readonly type: 'waiting'; readonly services: readonly string[]; readonly timeoutSeconds: number }
  | { readonly type: 'eventsLost'; readonly reason: string }
  | { readonly type: 'restarted'; readonly projectName: string; readonly statuses: readonly ServiceStatus[] }
  | { readonly type: 'restartInterrupted'; readonly projectName: string; readonly step: RestartStep; readonly services: readonly string[] };

export interface DiagnoseRestartInput {
  readonly plan: RestartPlan;
  /** The services that failed. */
  readonly services: readonly string[];
  /** Every restarted service's status (container ids for `inspect`). */
  readonly statuses: readonly ServiceStatus[];
}

export interface DevRestartContext {
  readonly plan: RestartPlan;
  /** The services being restarted, sorted. */
  readonly targets: readonly string[];
  readonly services: Readonly<Record<string, ServiceStatus>>;
  /** Targets the events stream has reported anything of: what follows (their `start`) comes in order. */
  readonly heard: readonly string[];
  /** Targets whose status is their container's since the restart: judged for readiness and failure. */
  readonly current: readonly string[];
  readonly step: RestartStep;
  /** The resync's `ps` began after `restart` returned: what it sees is of the restarted containers. */
  readonly resyncAfterRestart: boolean;
  readonly failure: SessionFailure | undefined;
  readonly signal: StopSignal | undefined;
  readonly eventsLost: number;
}

const childId = (service: string): string => `service:${service}`;

/** The output of a `survey` done event. */
function observedIn(event: { type: string }): ObservedServices {
  return (event as unknown as { output?: ObservedServices }).output ?? {};
}

const running = (observed: ObservedServices): boolean =>
  Object.values(observed).some((c) => c.state === 'running' || c.state === 'restarting');

/** The services to restart: the named ones, or every one with a container. */
function targetsOf(plan: RestartPlan, observed: ObservedServices): string[] {
  return plan.named.length > 0 ? [...new Set(plan.named)].sort() : Object.keys(observed).filter((s) => s !== '').sort();
}

/** Why `dev restart` will not restart anything here, or undefined when it will. */
function refusal(plan: RestartPlan, observed: ObservedServices): SessionFailure | undefined {
  const start = 'start it with `stagecraft dev`';
  if (!running(observed)) {
    return { kind: 'input', message: `project ${plan.projectName} is not running (no container of it runs); ${start}` };
  }
  const missing = plan.named.filter((s) => observed[s] === undefined);
  if (missing.length === 0) return undefined;
  const names = missing.join(', ');
  return {
    kind: 'input',
    message: `${names} of project ${plan.projectName} ${missing.length === 1 ? 'has' : 'have'} no container to restart (behind an inactive profile, or scaled to 0?); \`stagecraft dev\` starts what the project runs`,
  };
}

const statusesOf = (context: DevRestartContext): ServiceStatus[] =>
  context.targets.flatMap((s) => (context.services[s] === undefined ? [] : [context.services[s]]));

/** The statuses of the targets whose status is of their container since the restart. */
const currentStatuses = (context: DevRestartContext): ServiceStatus[] =>
  statusesOf(context).filter((s) => context.current.includes(s.service));

const including = (list: readonly string[], more: readonly string[]): readonly string[] =>
  more.every((s) => list.includes(s)) ? list : [...new Set([...list, ...more])];

const again = (context: DevRestartContext): string => `stagecraft dev restart ${context.targets.join(' ')}`;

function failedFailure(context: DevRestartContext): SessionFailure {
  const failed = currentStatuses(context).filter((s) => s.failed);
  const what = failed.map((s) => `${s.service} ${s.state === 'unhealthy' ? 'turned unhealthy' : `exited with code ${s.exitCode ?? '?'}`}`);
  return {
    kind: 'command-failed',
    message: `restarting ${context.targets.join(', ')} of project ${context.plan.projectName} failed: ${what.join(', ')} after the restart; see the last log lines above, fix it and run \`${again(context)}\``,
  };
}

function notReadyFailure(context: DevRestartContext): SessionFailure {
  const waiting = statusesOf(context).filter((s) => !s.ready || !context.current.includes(s.service));
  const why = (s: ServiceStatus): string => (context.current.includes(s.service) ? waitingFor(s) : 'not started again yet');
  const what = waiting.map((s) => `${s.service} (${why(s)})`).join(', ');
  return {
    kind: 'command-failed',
    message: `${what} of project ${context.plan.projectName} not ready ${context.plan.waitTimeoutSeconds} s after the restart; raise --wait-timeout if it needs longer, or see \`stagecraft dev logs ${waiting.map((s) => s.service).join(' ')}\``,
  };
}

function buildOutput(context: DevRestartContext, finalState: RestartFinalState): DevRestartOutput {
  const exitCode =
    finalState === 'interrupted' && context.signal !== undefined
      ? exitCodeForSignal(context.signal)
      : context.failure === undefined
        ? ExitCode.ok
        : exitCodeForFailure(context.failure);
  return {
    finalState,
    exitCode,
    projectName: context.plan.projectName,
    services: context.targets,
    failure: context.failure,
    signal: context.signal,
    statuses: statusesOf(context),
  };
}

const restartSetup = setup({
  types: {
    context: {} as DevRestartContext,
    events: {} as DevRestartEvent,
    input: {} as RestartPlan,
    output: {} as DevRestartOutput,
    emitted: {} as DevRestartEmitted,
  },
  actors: {
    /** One `ps --all --format json` read: each service's latest container. */
    survey: fromPromise<ObservedServices, RestartPlan>(async () => notProvided('survey')),
    /** `events --json`: sends ENGINE_EVENT per line, EVENTS_ENDED when the stream ends. */
    followEvents: fromCallback<DevRestartEvent, RestartPlan>(() => notProvided('followEvents')),
    /** `restart [svc…]`; cancelled through its abort signal. */
    restart: fromPromise<void, RestartPlan>(async () => notProvided('restart')),
    /** Prints the failed services' last log lines and health-check output. */
    diagnose: fromPromise<void, DiagnoseRestartInput>(async () => notProvided('diagnose')),
    service: serviceMachine,
  },
  guards: {
    /** The survey found nothing to restart: the project is not running, or a named service has no container. */
    surveyRefuses: ({ context, event }) => refusal(context.plan, observedIn(event)) !== undefined,
    allReady: ({ context }) => currentStatuses(context).length === context.targets.length && currentStatuses(context).every((s) => s.ready),
    anyFailed: ({ context }) => currentStatuses(context).some((s) => s.failed),
    eventsKeepEnding: ({ context }) => context.eventsLost >= maxEventsRestarts,
  },
  delays: {
    // A `ps` that does not answer (a frozen engine) must not hold the command.
    surveyTimeout: diagnoseDeadlineMs,
    restartTimeout: ({ context }) => context.plan.restartTimeoutSeconds * 1000,
    waitTimeout: ({ context }) => context.plan.waitTimeoutSeconds * 1000,
    // Diagnostics are best effort: a hung `logs` must not hold the answer.
    diagnoseDeadline: diagnoseDeadlineMs,
  },
  actions: {
    recordFailure: assign((_, params: { error: unknown }) => ({ failure: toFailure(params.error) })),
    recordStop: assign(({ context }, params: { signal: StopSignal }) => ({ signal: context.signal ?? params.signal })),
    recordStep: assign((_, params: { step: RestartStep }) => ({ step: params.step })),
    recordServiceFailed: assign(({ context }) => ({ failure: failedFailure(context) })),
    recordNotReady: assign(({ context }) => ({ failure: notReadyFailure(context) })),
    recordSurveyTimedOut: assign(({ context }) => ({
      failure: {
        kind: 'command-failed',
        message: `\`${context.plan.survey.argv.join(' ')}\` did not answer in ${diagnoseDeadlineMs / 1000} s: the engine may be hung; check it (\`docker info\`)`,
      } as const,
    })),
    recordRestartTimedOut: assign(({ context }) => ({
      failure: {
        kind: 'command-failed',
        message: `\`${context.plan.restart.argv.join(' ')}\` did not finish in ${context.plan.restartTimeoutSeconds} s: the engine may be hung; check it (\`docker info\`), then run \`${again(context)}\` again`,
      } as const,
    })),
    recordEventsGaveUp: assign(({ context }) => ({
      failure: {
        kind: 'command-failed',
        message: `the engine's event stream (\`${context.plan.events.argv.join(' ')}\`) ended ${context.eventsLost + 1} times; check the engine (\`docker info\`), then see \`stagecraft dev status\``,
      } as const,
    })),
    noteEventsLost: assign(({ context }) => ({ eventsLost: context.eventsLost + 1 })),
    updateService: assign(({ context }, params: { status: ServiceStatus }) => ({
      services: { ...context.services, [params.status.service]: params.status },
    })),
    announceRestarting: emit(({ context }) => ({
      type: 'restarting' as const,
      projectName: context.plan.projectName,
      services: context.targets,
    })),
    announceService: emit(({ context }, params: { status: ServiceStatus }) => ({
      type: 'service' as const,
      status: params.status,
      previous: context.services[params.status.service],
    })),
    announceWaiting: emit(({ context }) => ({
      type: 'waiting' as const,
      services: context.targets.filter((s) => context.services[s]?.ready !== true || !context.current.includes(s)),
      timeoutSeconds: context.plan.waitTimeoutSeconds,
    })),
    announceEventsLost: emit(({ event }) => ({
      type: 'eventsLost' as const,
      reason: event.type === 'EVENTS_ENDED' ? event.reason : 'it ended',
    })),
    announceRestarted: emit(({ context }) => ({
      type: 'restarted' as const,
      projectName: context.plan.projectName,
      statuses: statusesOf(context),
    })),
    announceInterrupted: emit(({ context }) => ({
      type: 'restartInterrupted' as const,
      projectName: context.plan.projectName,
      step: context.step,
      services: context.targets,
    })),
  },
});

function notProvided(name: string): never {
  throw new Error(`not provided: ${name}`);
}

// The actions that spawn and message the service machines, typed against the setup above.
const withChildren = restartSetup.extend({
  actions: {
    /** The survey's verdict: the services to restart, and one service machine for each. */
    spawnTargets: restartSetup.createAction(
      enqueueActions(({ context, event, enqueue }) => {
        const targets = targetsOf(context.plan, observedIn(event));
        enqueue.assign({ targets });
        for (const service of targets) enqueue.spawnChild('service', { id: childId(service), input: specOf(context.plan, service) });
      }),
    ),
    refuse: restartSetup.createAction(
      enqueueActions(({ context, event, enqueue }) => {
        enqueue.assign({ failure: refusal(context.plan, observedIn(event)), targets: targetsOf(context.plan, observedIn(event)) });
      }),
    ),
    /** An engine event of a restarted service, to its machine; other services' are not this command's. */
    forwardEngineEvent: restartSetup.createAction(
      enqueueActions(({ context, event, enqueue, self }) => {
        if (event.type !== 'ENGINE_EVENT' || !context.targets.includes(event.event.service)) return;
        const { service, action } = event.event;
        enqueue.assign({ heard: including(context.heard, [service]) });
        enqueue.sendTo(childId(service), serviceEventOf(event.event));
        // Current once its machine has taken the start in: STARTED comes after its answer.
        if (action === 'start') enqueue.sendTo(self, { type: 'STARTED', service });
      }),
    ),
    /**
     * `restart` has returned, so the engine has started every service it restarted. What `ps`
     * sees goes to each one the stream has heard nothing of (it began after the start, or has
     * not delivered it yet), which is then judged on it. One the stream has heard of gets its
     * `start` (and what follows) in order on the stream: a `ps` read may be older than that.
     * Then SETTLED to itself: it comes after the service machines' answers.
     */
    observeRestarted: restartSetup.createAction(
      enqueueActions(({ context, event, enqueue, self }) => {
        const observed = observedIn(event);
        const told = context.targets.filter((s) => observed[s] !== undefined && !context.heard.includes(s));
        for (const service of told) enqueue.sendTo(childId(service), { type: 'OBSERVED', container: observed[service] as ObservedContainer });
        enqueue.assign({ current: including(context.current, told) });
        enqueue.sendTo(self, { type: 'SETTLED' });
      }),
    ),
    /**
     * After the events stream was lost: what `ps` sees, to every restarted service. When it
     * was read after `restart` returned it is of the restarted containers, so they are judged
     * on it; one begun before may have seen a container between its death and its start, so it
     * goes only to the services not judged yet, and judges none.
     * What the lost stream heard says nothing of what the new one will (a start may have
     * gone while it was down): heard starts again from nothing.
     */
    resyncServices: restartSetup.createAction(
      enqueueActions(({ context, event, enqueue }) => {
        const observed = observedIn(event);
        // A ps begun before `restart` returned is older than what made a target current since.
        const told = context.targets.filter((s) => observed[s] !== undefined && (context.resyncAfterRestart || !context.current.includes(s)));
        for (const service of told) enqueue.sendTo(childId(service), { type: 'OBSERVED', container: observed[service] as ObservedContainer });
        enqueue.assign({ heard: [], current: context.resyncAfterRestart ? including(context.current, told) : context.current });
      }),
    ),
    markCurrent: restartSetup.createAction(
      enqueueActions(({ context, event, enqueue }) => {
        if (event.type === 'STARTED') enqueue.assign({ current: including(context.current, [event.service]) });
      }),
    ),
  },
});

const toFailed = (target = '#devRestart.failed') => ({
  target,
  actions: { type: 'recordFailure' as const, params: ({ event }: { event: { error?: unknown } }) => ({ error: event.error }) },
});

export const devRestartMachine = withChildren.createMachine({
  id: 'devRestart',
  context: ({ input }) => ({
    plan: input,
    targets: [],
    services: {},
    heard: [],
    current: [],
    step: 'survey',
    resyncAfterRestart: false,
    failure: undefined,
    signal: undefined,
    eventsLost: 0,
  }),
  initial: 'surveying',
  on: {
    STOP: {
      target: '.interrupted',
      actions: [{ type: 'recordStop', params: ({ event }) => ({ signal: event.signal }) }, 'announceInterrupted'],
    },
    ENGINE_EVENT: { actions: 'forwardEngineEvent' },
    STARTED: { actions: 'markCurrent' },
    SERVICE_CHANGED: {
      actions: [
        { type: 'announceService', params: ({ event }) => ({ status: event.status }) },
        { type: 'updateService', params: ({ event }) => ({ status: event.status }) },
      ],
    },
  },
  states: {
    surveying: {
      invoke: {
        id: 'survey',
        src: 'survey',
        input: ({ context }) => context.plan,
        onDone: [
          { guard: 'surveyRefuses', target: 'refused', actions: 'refuse' },
          { target: 'working', actions: 'spawnTargets' },
        ],
        onError: toFailed(),
      },
      after: { surveyTimeout: { target: 'failed', actions: 'recordSurveyTimedOut' } },
    },
    working: {
      type: 'parallel',
      entry: 'announceRestarting',
      states: {
        engine: {
          initial: 'following',
          states: {
            following: {
              invoke: { id: 'followEvents', src: 'followEvents', input: ({ context }) => context.plan },
              on: {
                EVENTS_ENDED: [
                  { guard: 'eventsKeepEnding', target: '#devRestart.failed', actions: 'recordEventsGaveUp' },
                  { target: 'resyncing', actions: ['noteEventsLost', 'announceEventsLost'] },
                ],
              },
            },
            // The stream ended (the engine restarted?): one `ps` read says where things are,
            // then the stream is followed again.
            resyncing: {
              entry: assign(({ context }) => ({ resyncAfterRestart: context.step === 'wait' })),
              invoke: {
                id: 'resync',
                src: 'survey',
                input: ({ context }) => context.plan,
                onDone: { target: 'following', actions: 'resyncServices' },
                onError: toFailed(),
              },
              after: { surveyTimeout: { target: '#devRestart.failed', actions: 'recordSurveyTimedOut' } },
            },
          },
        },
        steps: {
          initial: 'restarting',
          states: {
            restarting: {
              entry: { type: 'recordStep', params: { step: 'restart' } },
              invoke: {
                id: 'restart',
                src: 'restart',
                input: ({ context }) => context.plan,
                onDone: 'observing',
                onError: toFailed(),
              },
              after: { restartTimeout: { target: '#devRestart.failed', actions: 'recordRestartTimedOut' } },
            },
            observing: {
              entry: { type: 'recordStep', params: { step: 'wait' } },
              invoke: {
                id: 'observe',
                src: 'survey',
                input: ({ context }) => context.plan,
                onDone: { target: 'settling', actions: 'observeRestarted' },
                onError: toFailed(),
              },
              after: { surveyTimeout: { target: '#devRestart.failed', actions: 'recordSurveyTimedOut' } },
            },
            // The services told what `ps` saw answer before SETTLED arrives.
            settling: { on: { SETTLED: 'waiting' } },
            // The start's readiness rules (SPEC §4): healthy, running, or exited 0 for good.
            waiting: {
              // Said only when there is something left to wait for.
              entry: enqueueActions(({ enqueue, check }) => {
                if (!check('anyFailed') && !check('allReady')) enqueue('announceWaiting');
              }),
              always: [
                { guard: 'anyFailed', target: 'diagnosing', actions: 'recordServiceFailed' },
                { guard: 'allReady', target: '#devRestart.restarted' },
              ],
              after: { waitTimeout: { target: '#devRestart.failed', actions: 'recordNotReady' } },
            },
            diagnosing: {
              invoke: {
                id: 'diagnose',
                src: 'diagnose',
                input: ({ context }) => ({
                  plan: context.plan,
                  services: currentStatuses(context).filter((s) => s.failed).map((s) => s.service),
                  statuses: statusesOf(context),
                }),
                onDone: '#devRestart.failed',
                onError: '#devRestart.failed',
              },
              after: { diagnoseDeadline: '#devRestart.failed' },
            },
          },
        },
      },
    },
    restarted: { type: 'final', entry: 'announceRestarted', output: { finalState: 'restarted' } },
    refused: { type: 'final', output: { finalState: 'refused' } },
    failed: { type: 'final', output: { finalState: 'failed' } },
    interrupted: { type: 'final', output: { finalState: 'interrupted' } },
  },
  output: ({ context, event }) =>
    buildOutput(context, (event as unknown as { output: { finalState: RestartFinalState } }).output.finalState),
});

export type DevRestartMachine = typeof devRestartMachine;
