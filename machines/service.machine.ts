// One compose service's lifecycle (SPEC §4), spawned by the session machine and
// driven by the engine's events (`compose events --json`).
//
// States: pending → created → starting (healthcheck) | running → healthy | unhealthy;
//         die → restarting (the restart policy will start it again) | exited (for good);
//         kill → stopping → stopped (stopped on purpose: compose stop/restart/down, docker stop);
//         destroy → removed; create → created again.
// Events: CREATE, START, DIE { exitCode }, HEALTHY, UNHEALTHY, KILL, DESTROY (from the
//         engine), OBSERVED { container } (one `ps` read: after `up` the session sends it only
//         to services still pending; after the events stream was lost, to every service).
// Every entry reports the service's status to the session (SERVICE_CHANGED).
// This file imports only xstate and types.
import { assign, sendParent, setup } from 'xstate';
import type { EngineEvent, ServiceSpec, ServiceState, ServiceStatus } from './service.types.js';

/** A container as one `ps --all --format json` read saw it. */
export interface ObservedContainer {
  readonly container: string;
  /** compose's `State`: running, exited, restarting, created, … */
  readonly state: string;
  /** compose's `Health`: healthy, unhealthy, starting, or empty. */
  readonly health: string;
  readonly exitCode: number;
}

export type ServiceEvent =
  | { readonly type: 'CREATE' | 'START' | 'KILL' | 'DESTROY' | 'HEALTHY' | 'UNHEALTHY'; readonly container: string }
  | { readonly type: 'DIE'; readonly container: string; readonly exitCode: number }
  | { readonly type: 'OBSERVED'; readonly container: ObservedContainer };

/** What a service machine sends its parent on every change. */
export interface ServiceChanged {
  readonly type: 'SERVICE_CHANGED';
  readonly status: ServiceStatus;
}

/** The service machine's event for one engine event. */
export function serviceEventOf(event: EngineEvent): ServiceEvent {
  switch (event.action) {
    case 'die':
      return { type: 'DIE', container: event.container, exitCode: event.exitCode };
    case 'health':
      return { type: event.health === 'healthy' ? 'HEALTHY' : 'UNHEALTHY', container: event.container };
    default:
      return { type: event.action.toUpperCase() as 'CREATE' | 'START' | 'KILL' | 'DESTROY', container: event.container };
  }
}

export interface ServiceContext {
  readonly spec: ServiceSpec;
  readonly exitCode: number | undefined;
  readonly restarts: number;
  readonly container: string | undefined;
  /** Containers of the service started and not yet dead (more than one when scaled). */
  readonly live: readonly string[];
}

const activeStates: ReadonlySet<ServiceState> = new Set<ServiceState>([
  'pending', 'created', 'starting', 'running', 'healthy', 'unhealthy', 'stopping', 'restarting',
]);

/** The status a service reports in `state`: ready, active and failed follow SPEC §4. */
export function statusOf(state: ServiceState, context: ServiceContext): ServiceStatus {
  const exitedOk = state === 'exited' && context.exitCode === 0;
  return {
    service: context.spec.name,
    state,
    ready: state === 'healthy' || (state === 'running' && !context.spec.healthcheck) || exitedOk,
    active: activeStates.has(state),
    failed: state === 'unhealthy' || (state === 'exited' && context.exitCode !== 0),
    exitCode: context.exitCode,
    restarts: context.restarts,
    container: context.container,
    healthcheck: context.spec.healthcheck,
  };
}

/** Whether the engine will start the container again after it exited with `exitCode`. */
function willRestart(context: ServiceContext, exitCode: number): boolean {
  const { kind, maxRetries } = context.spec.restart;
  switch (kind) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (maxRetries === undefined || context.restarts < maxRetries);
    case 'no':
      return false;
  }
}

const report = (state: ServiceState) => ({ type: 'report', params: { state } }) as const;

export const serviceMachine = setup({
  types: {
    context: {} as ServiceContext,
    events: {} as ServiceEvent,
    input: {} as ServiceSpec,
  },
  guards: {
    hasHealthcheck: ({ context }) => context.spec.healthcheck,
    willRestart: ({ context, event }) => event.type === 'DIE' && willRestart(context, event.exitCode),
    otherContainersLive: ({ context, event }) => context.live.some((id) => id !== event.container),
    observedRunning: ({ event }) => event.type === 'OBSERVED' && event.container.state === 'running',
    observedHealthy: ({ event }) => event.type === 'OBSERVED' && event.container.health === 'healthy',
    observedUnhealthy: ({ event }) => event.type === 'OBSERVED' && event.container.health === 'unhealthy',
    observedStarting: ({ event }) => event.type === 'OBSERVED' && event.container.health === 'starting',
    observedRestarting: ({ event }) => event.type === 'OBSERVED' && event.container.state === 'restarting',
    observedExited: ({ event }) =>
      event.type === 'OBSERVED' && (event.container.state === 'exited' || event.container.state === 'dead'),
    observedCreated: ({ event }) => event.type === 'OBSERVED' && event.container.state === 'created',
  },
  actions: {
    report: sendParent(
      ({ context }, params: { state: ServiceState }): ServiceChanged => ({
        type: 'SERVICE_CHANGED',
        status: statusOf(params.state, context),
      }),
    ),
    noteContainer: assign(({ event }) => ({
      container: event.type === 'OBSERVED' ? event.container.container : event.container,
    })),
    // Any start after a death is a restart (by the policy, or by hand).
    noteStart: assign(({ context, event }) => ({
      restarts: context.exitCode === undefined ? context.restarts : context.restarts + 1,
      live: event.type === 'START' && !context.live.includes(event.container) ? [...context.live, event.container] : context.live,
    })),
    noteDeath: assign(({ context, event }) => ({
      exitCode: event.type === 'DIE' ? event.exitCode : context.exitCode,
      live: context.live.filter((id) => event.type === 'OBSERVED' || id !== event.container),
    })),
    noteObservedExit: assign(({ event }) => ({
      exitCode: event.type === 'OBSERVED' ? event.container.exitCode : undefined,
      live: [],
    })),
    noteObservedRunning: assign(({ event }) => ({
      live: event.type === 'OBSERVED' ? [event.container.container] : [],
    })),
  },
}).createMachine({
  id: 'service',
  context: ({ input }) => ({ spec: input, exitCode: undefined, restarts: 0, container: undefined, live: [] }),
  initial: 'pending',
  // What each engine event means, from any state; states below refine it.
  on: {
    CREATE: { target: '.created', actions: 'noteContainer' },
    START: [
      { guard: 'hasHealthcheck', target: '.starting', actions: ['noteContainer', 'noteStart'] },
      { target: '.running', actions: ['noteContainer', 'noteStart'] },
    ],
    DIE: [
      // One replica of a scaled service died; the others still run it.
      { guard: 'otherContainersLive', actions: 'noteDeath' },
      { guard: 'willRestart', target: '.restarting', actions: ['noteContainer', 'noteDeath'] },
      { target: '.exited', actions: ['noteContainer', 'noteDeath'] },
    ],
    HEALTHY: { target: '.healthy', actions: 'noteContainer' },
    UNHEALTHY: { target: '.unhealthy', actions: 'noteContainer' },
    KILL: { target: '.stopping', actions: 'noteContainer' },
    DESTROY: { target: '.removed', actions: 'noteContainer' },
    // What `ps` saw: a container that existed before the events stream saw it, or where the
    // service got to while the stream was lost (a resync must learn of deaths it missed).
    OBSERVED: [
      { guard: 'observedRestarting', target: '.restarting', actions: ['noteContainer', 'noteObservedExit'] },
      { guard: 'observedExited', target: '.exited', actions: ['noteContainer', 'noteObservedExit'] },
      { guard: 'observedCreated', target: '.created', actions: 'noteContainer' },
      { guard: 'observedHealthy', target: '.healthy', actions: ['noteContainer', 'noteObservedRunning'] },
      { guard: 'observedUnhealthy', target: '.unhealthy', actions: ['noteContainer', 'noteObservedRunning'] },
      { guard: 'observedStarting', target: '.starting', actions: ['noteContainer', 'noteObservedRunning'] },
      { guard: 'observedRunning', target: '.running', actions: ['noteContainer', 'noteObservedRunning'] },
    ],
  },
  states: {
    pending: { entry: report('pending') },
    created: { entry: report('created') },
    starting: { entry: report('starting') },
    running: { entry: report('running') },
    healthy: { entry: report('healthy') },
    unhealthy: { entry: report('unhealthy') },
    // Being stopped on purpose (`kill`: compose stop/restart/down, docker stop): the next
    // death is not the service ending by itself, and no restart policy brings it back.
    stopping: {
      entry: report('stopping'),
      on: {
        DIE: [
          { guard: 'otherContainersLive', actions: 'noteDeath' },
          { target: 'stopped', actions: ['noteContainer', 'noteDeath'] },
        ],
      },
    },
    // Stopped by someone: it may well be started again (`compose restart`).
    stopped: { entry: report('stopped') },
    restarting: { entry: report('restarting') },
    exited: { entry: report('exited') },
    removed: { entry: report('removed') },
  },
});

export type ServiceMachine = typeof serviceMachine;
