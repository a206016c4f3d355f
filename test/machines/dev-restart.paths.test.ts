// L2: model-based paths through the `dev restart` machine (STYLE §6).
//
// `getSimplePaths` from xstate/graph walks the real machine's `transition` with, in every
// non-final state: a STOP; the done and error events of the actors the state holds (the
// survey's answers: running, not running, a named service without a container); the delays it
// runs; the events stream ending (until the machine gives up); and, along a story of each
// restarted service, SERVICE_CHANGED from its spawned machine (statuses made by the service
// machine's own `statusOf`) and the engine's `start` of it (ENGINE_EVENT; in one story its `kill`
// too), which the machine notes (heard: ps after `restart` is then not told to it) and forwards.
// As in production, the service machine answers a forwarded engine event at once: the next step
// is its SERVICE_CHANGED (the real machine's rules), then, after a `start`, the STARTED the
// machine sent itself (it is then current); nothing comes between (the graph's snapshots carry
// what is on its way: see `model`). In `settling`, SETTLED alone (the machine sent it to itself
// with the ps read: the replay sends nothing). A delay is offered only when it is the first to
// fire of those running (every `ps` is bounded by surveyTimeout). Every simple path that ends in
// a final state is replayed on a fresh actor with gated fakes (the service machines are callback
// fakes too, which answer an engine event with the path's next step) and must satisfy, whatever
// happened:
//   1. it ends in a final state (restarted | refused | failed | interrupted) with the exit code
//      SPEC §5 gives, both worked out here from the path's events;
//   2. `restarted` only when every target's last status is ready, after `restart` and the ps
//      read after it succeeded; nothing is judged (restarted, or diagnosing) before SETTLED, nor
//      on a target not current (STARTED after its `start`, or told ps after `restart`, or on a
//      resync after it: worked out here from the path, a resync forgetting what was heard);
//   3. the survey runs first; `restart` only after it answered, at most once, with the events
//      stream already followed; `diagnose` only for the current targets failed at that moment; each
//      service machine is sent its engine events, and what ps saw only after `restart` (if the
//      stream has reported nothing of it since it was last followed again) and on a resync;
//   4. `restartInterrupted` exactly when interrupted, naming the step the STOP found;
//   5. no fake child left running (checked after every step too) and no child active at the end.
// Bounding: the first STOP ends a path; it comes with each of SIGINT, SIGTERM and SIGHUP in the
// variants that offer failures, SIGINT alone in the others; a service's story is offered one step
// at a time (with two targets, one service after the other; the engine's `start` only while the
// stream is followed); a stream ends once per following. The service fakes answer engine events
// only (above); what they report after ps (OBSERVED) is left to the story, which does not put
// it before SETTLED as the real service machine would: a status comes later, in `waiting`.
import { createActor, fromCallback, SimulatedClock, type SnapshotFrom } from 'xstate';
import { getShortestPaths, getSimplePaths, getStateNodes, serializeSnapshot } from 'xstate/graph';
import { devRestartMachine, type DevRestartEmitted, type DevRestartEvent } from '../../machines/dev-restart.machine.js';
import type { DevRestartOutput, RestartPlan } from '../../machines/dev-restart.types.js';
import { maxEventsRestarts, type ObservedServices } from '../../machines/dev-session.machine.js';
import type { SessionFailure, StopSignal } from '../../machines/dev-session.types.js';
import { statusOf } from '../../machines/service.machine.js';
import type { ServiceSpec, ServiceState, ServiceStatus } from '../../machines/service.types.js';
import { restartPlan } from '../../src/plan/day-two-commands.js';
import { composeService as svc } from '../fixtures/compose-service.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan } from '../fixtures/shop-session.js';
import { childIds, PathFakes, stateName, stateNames } from './path-replay.js';

type Snapshot = SnapshotFrom<typeof devRestartMachine>;
type ModelEvent = { readonly type: string } & Readonly<Record<string, unknown>>;
interface Step {
  readonly event: ModelEvent;
  readonly state: Snapshot;
}

// --- The project: `api` (no healthcheck) and `db` (healthcheck), neither with a restart policy ----

const apiSpec: ServiceSpec = { name: 'api', healthcheck: false, restart: { kind: 'no' }, profiled: false };
const dbSpec: ServiceSpec = { name: 'db', healthcheck: true, restart: { kind: 'no' }, profiled: false };
const specs: Readonly<Record<string, ServiceSpec>> = { api: apiSpec, db: dbSpec };
const options = { ...defaultDevOptions, waitTimeoutSeconds: 30, startTimeoutSeconds: 60 };
const planFor = (named: readonly string[]): RestartPlan =>
  restartPlan(
    { plan: shopPlan(options, [svc('api'), svc('db', { healthcheck: true })]), composeFile: '.stagecraft/dev/compose.yaml', services: ['api', 'db'] },
    named,
    options,
  );

const container = (service: string, state: string, health = '') => ({ container: `shop-${service}-1`, state, health, exitCode: 0 });
/** The survey's answers: the project up; not running; only api (a named db has no container). */
const psUp: ObservedServices = { api: container('api', 'running'), db: container('db', 'running', 'healthy') };
const psDown: ObservedServices = {};
const psApiOnly: ObservedServices = { api: container('api', 'running') };
/** What ps sees after `restart` returned, and on a resync. */
const psAfter: ObservedServices = { api: container('api', 'running'), db: container('db', 'running', 'starting') };

/** A status as the service machine reports it (its own `statusOf`). */
const status = (service: string, state: ServiceState, exitCode?: number, restarts = 0): ServiceStatus =>
  statusOf(state, { spec: specs[service] as ServiceSpec, exitCode, restarts, container: state === 'pending' ? undefined : `shop-${service}-1`, live: [] });

const mark = (s: ServiceStatus | undefined): string =>
  s === undefined ? '-' : `${s.state}${s.exitCode ?? ''}${s.restarts > 0 ? `r${s.restarts}` : ''}`;

/**
 * A restarted service's story, from its last status: `pending` as it is spawned; then compose's
 * restart as the engine tells it (kill: stopping, die 143: stopped, start: up again), or a die
 * without its kill (the stream attached late), or up at once (the ps read after `restart`); up
 * again, db turns healthy. With `failures`, db may turn unhealthy and api exit 1 once up.
 */
function storyAfter(service: string, last: ServiceStatus | undefined, failures: boolean): ServiceStatus[] {
  const hc = specs[service]?.healthcheck === true;
  const up = (exitCode?: number, restarts = 0) => status(service, hc ? 'starting' : 'running', exitCode, restarts);
  const failed = (exitCode?: number, restarts = 0) =>
    failures ? [hc ? status(service, 'unhealthy', exitCode, restarts) : status(service, 'exited', 1, restarts)] : [];
  switch (mark(last)) {
    case '-':
      return [status(service, 'pending')];
    case 'pending':
      return [status(service, 'stopping'), ...(failures ? [status(service, 'exited', 143), up()] : [])];
    case 'stopping':
      return [status(service, 'stopped', 143)];
    case 'stopped143':
    case 'exited143':
      return [up(143, 1)];
    case 'starting':
      return [status(service, 'healthy'), ...failed()];
    case 'starting143r1':
      return [status(service, 'healthy', 143, 1), ...failed(143, 1)];
    // Told what ps saw after its death (no start heard): up, the same restarts.
    case 'starting143':
      return [status(service, 'healthy', 143), ...failed(143)];
    case 'running':
      return failed();
    case 'running143r1':
      return failed(143, 1);
    case 'running143':
      return failed(143);
    default:
      return [];
  }
}

// --- The events of each state ----------------------------------------------------------------

const failure = (kind: 'command-failed' | 'engine-unreachable'): SessionFailure => ({ kind, message: `${kind} (path test)` });
/** A rejection that is not a SessionFailure: a bug. One per actor: its stack is in the context. */
const bugs = new Map<string, Error>();
const bug = (where: string): Error => bugs.get(where) ?? (bugs.set(where, new Error(`bug in ${where} (path test)`)).get(where) as Error);

const done = (id: string, output: unknown): ModelEvent => ({ type: `xstate.done.actor.${id}`, output, actorId: id });
const error = (id: string, err: unknown): ModelEvent => ({ type: `xstate.error.actor.${id}`, error: err, actorId: id });
const after = (delay: string, state: string): ModelEvent => ({ type: `xstate.after.${delay}.devRestart.${state}` });
const changed = (s: ServiceStatus): ModelEvent => ({ type: 'SERVICE_CHANGED', status: s });
/** The engine's `kill` or `start` of a restarted service: the machine notes it, and forwards it to the service's machine. */
const engineEvent = (action: 'kill' | 'start', service: string): ModelEvent => ({
  type: 'ENGINE_EVENT',
  event: { action, service, container: `shop-${service}-1`, time: '2026-12-01T21:30:00Z' },
});
/**
 * What the service machine answers an engine event with, at once (its SERVICE_CHANGED is queued
 * to the parent before anything the parent sends itself after forwarding the event): the real
 * machine's rules (service.machine.ts) on the model's last status.
 */
function answerTo(action: 'kill' | 'start', last: ServiceStatus): ServiceStatus {
  const service = last.service;
  if (action === 'kill') return status(service, 'stopping', last.exitCode, last.restarts);
  // Any start after a death is a restart.
  const restarts = last.exitCode === undefined ? last.restarts : last.restarts + 1;
  return status(service, specs[service]?.healthcheck === true ? 'starting' : 'running', last.exitCode, restarts);
}
const signals: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

interface Variant {
  readonly name: string;
  readonly named: readonly string[];
  /** The survey's answers offered. */
  readonly surveys: readonly ObservedServices[];
  /** Offer the failures of the steps (rejections, bounds) and the services' failing statuses. */
  readonly failures: boolean;
  /** The services' story: every branch, its first (happy) one only, or `pending` alone. */
  readonly story: 'full' | 'linear' | 'none';
  /**
   * The kill as the engine reports it (ENGINE_EVENT, the service then heard of), not as its
   * machine's status alone; and a service told ps after `restart` (heard of nothing since a
   * resync) may answer it: up again with the restarts it had (its start lost with the stream).
   */
  readonly killHeard?: boolean;
  /** No STOP offered (the other variants cover it): a bound on the paths. */
  readonly stops?: false;
  /** The stream ends only while `restart` runs (the other variants cover the rest): a bound on the paths. */
  readonly endsWhileRestarting?: boolean;
  /** How many EVENTS_ENDED a path may hold. */
  readonly eventsEnds: number;
  /** An empty or collapsed traversal must fail; the counts today are above these. */
  readonly floor: number;
}

function storyEvents(snapshot: Snapshot, variant: Variant): ModelEvent[] {
  const { targets, services } = snapshot.context;
  // Every target reports `pending` as it is spawned, before anything else it says.
  const unspawned = targets.find((t) => services[t] === undefined);
  if (unspawned !== undefined) return [changed(status(unspawned, 'pending'))];
  if (variant.story === 'none') return [];
  for (const target of targets) {
    const last = services[target] as ServiceStatus;
    const following = stateNames(snapshot).includes('working.engine.following');
    const { heard, current } = snapshot.context;
    // The engine's kill, heard on a followed stream; its machine's answer follows (modelEvents).
    if (variant.killHeard === true && mark(last) === 'pending') return following ? [engineEvent('kill', target)] : [];
    const next = storyAfter(target, last, variant.failures);
    // One service after the other (bounding); its first option alone in a linear story.
    if (next.length === 0) continue;
    // Up again after a death: the engine's `start` (from a followed stream), its machine's answer follows;
    // or, its start lost with the stream, what ps after `restart` saw, answered by its machine.
    if (mark(last) === 'stopped143' || mark(last) === 'exited143') {
      const told = variant.killHeard === true && current.includes(target) && !heard.includes(target);
      return [...(following ? [engineEvent('start', target)] : []), ...(told ? [changed(status(target, last.healthcheck ? 'starting' : 'running', last.exitCode, last.restarts))] : [])];
    }
    return (variant.story === 'full' ? next : next.slice(0, 1)).map(changed);
  }
  return [];
}

function eventsOf(state: string, snapshot: Snapshot, variant: Variant): ModelEvent[] {
  const f = variant.failures;
  switch (state) {
    case 'surveying':
      return [
        ...variant.surveys.map((ps) => done('survey', ps)),
        ...(f ? [error('survey', failure('engine-unreachable')), error('survey', bug('survey')), after('surveyTimeout', 'surveying')] : []),
      ];
    case 'working.engine.following':
      return snapshot.context.eventsLost < variant.eventsEnds && (variant.endsWhileRestarting !== true || snapshot.context.step === 'restart')
        ? [{ type: 'EVENTS_ENDED', reason: 'it ended' }]
        : [];
    case 'working.engine.resyncing':
      return [done('resync', psAfter), ...(f ? [error('resync', failure('command-failed')), after('surveyTimeout', 'working.engine.resyncing')] : [])];
    case 'working.steps.restarting':
      return [
        done('restart', undefined),
        ...(f ? [error('restart', failure('command-failed')), error('restart', bug('restart')), after('restartTimeout', 'working.steps.restarting')] : []),
      ];
    case 'working.steps.observing':
      return [done('observe', psAfter), ...(f ? [error('observe', failure('command-failed')), after('surveyTimeout', 'working.steps.observing')] : [])];
    case 'working.steps.settling':
      // The machine sends SETTLED to itself: nothing else comes between (see modelEvents).
      return [{ type: 'SETTLED' }];
    case 'working.steps.waiting':
      return [after('waitTimeout', 'working.steps.waiting')];
    case 'working.steps.diagnosing':
      return [done('diagnose', undefined), error('diagnose', bug('diagnose')), after('diagnoseDeadline', 'working.steps.diagnosing')];
    default:
      throw new Error(`the path model has no events for state ${state}; add them`);
  }
}

/** The delays each state runs (the simulated clock starts them all at 0: only the last step moves it). */
const delaysOf: Readonly<Record<string, readonly string[]>> = {
  surveying: ['surveyTimeout'],
  'working.engine.resyncing': ['surveyTimeout'],
  'working.steps.restarting': ['restartTimeout'],
  'working.steps.observing': ['surveyTimeout'],
  'working.steps.waiting': ['waitTimeout'],
  'working.steps.diagnosing': ['diagnoseDeadline'],
};

// --- What is already on its way to the machine after a step ------------------------------------
// A forwarded engine event is answered by the service machine at once: its SERVICE_CHANGED is
// queued to the machine before the STARTED the machine sends itself after a `start`, and nothing
// from outside comes between. The graph runs no children and no sends, so the model carries that
// on each snapshot it makes (a non-enumerable property, part of the node's identity): the answer
// due, then STARTED due.

type Pending = { readonly answer: ModelEvent; readonly started: string | undefined } | { readonly started: string } | undefined;
const pendingKey = Symbol('pending');
const pendingOf = (snapshot: Snapshot): Pending => (snapshot as unknown as { [pendingKey]?: Pending })[pendingKey];

function pendingAfter(before: Snapshot, event: ModelEvent, next: Snapshot): Pending {
  if (next.status !== 'active') return undefined;
  const was = pendingOf(before);
  if (event.type === 'ENGINE_EVENT') {
    const { action, service } = event['event'] as { action: 'kill' | 'start'; service: string };
    if (!before.context.targets.includes(service)) return undefined;
    return { answer: changed(answerTo(action, before.context.services[service] as ServiceStatus)), started: action === 'start' ? service : undefined };
  }
  if (event.type === 'SERVICE_CHANGED' && was !== undefined && 'answer' in was && was.started !== undefined) return { started: was.started };
  return undefined;
}

/** The machine as the graph walks it: each snapshot carries what is on its way. */
const model: typeof devRestartMachine = Object.create(devRestartMachine, {
  transition: {
    value: (snapshot: Snapshot, event: ModelEvent, scope: unknown) => {
      const next = devRestartMachine.transition(snapshot, event as never, scope as never);
      const pending = pendingAfter(snapshot, event, next);
      if (pending !== undefined) Object.defineProperty(next, pendingKey, { value: pending });
      return next;
    },
  },
});

function modelEvents(snapshot: Snapshot, variant: Variant): readonly ModelEvent[] {
  if (snapshot.status !== 'active') return [];
  // The service machine's answer, then STARTED: nothing overtakes them.
  const pending = pendingOf(snapshot);
  if (pending !== undefined) return ['answer' in pending ? pending.answer : { type: 'STARTED', service: pending.started }];
  const names = stateNames(snapshot);
  // SETTLED is already on its way (the machine sent it to itself with the ps read): nothing overtakes it.
  if (names.includes('working.steps.settling')) return [{ type: 'SETTLED' }];
  const running = names.flatMap((name) => delaysOf[name] ?? []).map((delay) => delays[delay] as number);
  const first = Math.min(...running);
  // Only the delay that fires first can fire; two at the same instant are left out (their order is the clock's).
  const fires = (event: ModelEvent): boolean => {
    if (!event.type.startsWith('xstate.after.')) return true;
    const ms = delays[event.type.split('.')[2] ?? ''];
    return ms === first && running.filter((d) => d === first).length === 1;
  };
  const own = names.flatMap((name) => eventsOf(name, snapshot, variant)).filter(fires);
  const story = names[0]?.startsWith('working.') ? storyEvents(snapshot, variant) : [];
  const stops = (variant.failures ? signals : signals.slice(0, variant.stops === false ? 0 : 1)).map((signal) => ({ type: 'STOP', signal }));
  return [...own, ...story, ...stops];
}

const delays: Readonly<Record<string, number>> = {
  // The longest stop grace (compose's 10 s) plus --start-timeout.
  restartTimeout: (10 + options.startTimeoutSeconds) * 1000,
  waitTimeout: options.waitTimeoutSeconds * 1000,
  diagnoseDeadline: 30_000,
  // Every `ps` (the survey, the resync, the read after `restart`).
  surveyTimeout: 30_000,
};

// --- The replay ------------------------------------------------------------------------------
// done/error settle the live gated fake of that id; `xstate.after.<delay>.…` moves the simulated
// clock to the deadline (1 ms short first: it must not fire early); EVENTS_ENDED and
// SERVICE_CHANGED come from the live callback fake that sends them in production; STOP is sent.

interface Replay {
  readonly final: Snapshot;
  readonly fakes: PathFakes;
  readonly emitted: readonly DevRestartEmitted[];
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const identity = (snapshot: Snapshot): string => `${serializeSnapshot(snapshot)} [${childIds(snapshot).join(',')}]`;
/** A node of the graph: the machine's snapshot and what is on its way to it. */
const nodeId = (snapshot: Snapshot): string => `${identity(snapshot)} ${JSON.stringify(pendingOf(snapshot) ?? null)}`;
/** Step `index` is made by the step before: the machine's own SETTLED or STARTED, a service machine's answer. */
const madeBefore = (steps: readonly Step[], index: number): boolean =>
  index > 0 && index < steps.length && (steps[index]?.event.type === 'SETTLED' || pendingOf((steps[index - 1] as Step).state) !== undefined);

function senderOf(event: ModelEvent): string | undefined {
  if (event.type === 'EVENTS_ENDED' || event.type === 'ENGINE_EVENT') return 'followEvents';
  if (event.type === 'SERVICE_CHANGED') return `service:${(event['status'] as ServiceStatus).service}`;
  return undefined;
}

/**
 * The service machines' fake: records what it is sent, like PathFakes' callback fakes, and
 * answers an engine event at once with what `answers` holds for it (the path's next step), as
 * the real service machine does: the answer reaches the machine before its own STARTED.
 */
function serviceFake(fakes: PathFakes, answers: Map<string, DevRestartEvent>) {
  return fromCallback<{ type: string }, unknown>(({ input, sendBack, receive, self }) => {
    const run = { name: 'service', id: self.id, input, settled: false, resolved: false, stopped: false, received: [] as { type: string }[], sendBack };
    receive((event) => {
      run.received.push(event);
      const answer = answers.get(run.id);
      if (answer === undefined || event.type === 'OBSERVED') return;
      answers.delete(run.id);
      sendBack(answer);
    });
    (fakes.runs as unknown[]).push(run);
    return () => {
      run.stopped = true;
    };
  });
}

async function replay(steps: readonly Step[], plan: RestartPlan): Promise<Replay> {
  const fakes = new PathFakes();
  const callbacks = fakes.sessionImplementations() as Record<string, unknown>;
  const answers = new Map<string, DevRestartEvent>();
  const actors = { ...fakes.promiseImplementations(['survey', 'restart', 'diagnose']), followEvents: callbacks['followEvents'], service: serviceFake(fakes, answers) };
  const clock = new SimulatedClock();
  const actor = createActor(devRestartMachine.provide({ actors: actors as never }), { input: plan, clock });
  const seen: Snapshot[] = [];
  const errors: unknown[] = [];
  const emitted: DevRestartEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.subscribe({ next: (snapshot) => seen.push(snapshot), error: (err) => errors.push(err) });

  /** After step `index` and the steps it makes (the machine's own events, the answers), one snapshot each. */
  const count = (index: number): void => {
    let last = index;
    while (madeBefore(steps, last + 1)) last += 1;
    if (seen.length !== last + 1) throw new Error(`step ${index} (${(steps[index] as Step).event.type}): ${seen.length} snapshots, the path makes ${last + 1}`);
  };
  const verify = (index: number): void => {
    const [step, real] = [steps[index] as Step, seen[index]];
    if (real === undefined) throw new Error(`step ${index} (${step.event.type}): no snapshot`);
    if (identity(step.state) !== identity(real)) {
      throw new Error(`step ${index} (${step.event.type}): graph says ${identity(step.state)}, machine is ${identity(real)}`);
    }
    const held = childIds(actor.getSnapshot());
    const strays = fakes.live().filter((run) => !held.includes(run.id));
    if (strays.length > 0) throw new Error(`after step ${index}: ${strays.map((run) => run.id).join(', ')} running, not held by the machine`);
    if (errors.length > 0) throw new Error(`step ${index}: the actor errored: ${String(errors[0])}`);
  };

  actor.start();
  await settle();
  count(0);
  verify(0);
  for (let index = 1; index < steps.length; index++) {
    const event = (steps[index] as Step).event;
    const sender = senderOf(event);
    const { actorId } = event as { actorId?: string };
    if (madeBefore(steps, index)) {
      // Made by the step before (checked there): the machine's own event, or a service machine's answer.
      verify(index);
      continue;
    }
    if (event.type === 'ENGINE_EVENT') {
      // Its service machine answers at once: the path's next step.
      const { service } = event['event'] as { service: string };
      const answer = steps[index + 1]?.event;
      if (answer !== undefined && madeBefore(steps, index + 1)) answers.set(`service:${service}`, answer as unknown as DevRestartEvent);
    }
    if (sender !== undefined) {
      (fakes.liveRun(sender) as unknown as { sendBack(e: DevRestartEvent): void }).sendBack(event as unknown as DevRestartEvent);
    } else if (event.type.startsWith('xstate.done.actor.')) {
      (fakes.liveRun(actorId as string) as unknown as { resolve(o: unknown): void }).resolve(event['output']);
    } else if (event.type.startsWith('xstate.error.actor.')) {
      (fakes.liveRun(actorId as string) as unknown as { reject(e: unknown): void }).reject(event['error']);
    } else if (event.type.startsWith('xstate.after.')) {
      const ms = delays[event.type.split('.')[2] ?? ''] ?? Number.NaN;
      clock.increment(ms - 1);
      await settle();
      if (seen.length !== index) throw new Error(`step ${index}: ${event.type} fired before its ${ms} ms`);
      clock.increment(1);
    } else {
      actor.send(event as unknown as DevRestartEvent);
    }
    await settle();
    if (answers.size > 0) throw new Error(`step ${index}: ${[...answers.keys()].join(', ')} never answered`);
    count(index);
    verify(index);
  }
  return { final: actor.getSnapshot(), fakes, emitted };
}

// --- The expectation, from SPEC §5 and the path alone ------------------------------------------

const signalNumber: Record<StopSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
const codeOfKind = (rejection: unknown): number => {
  if (rejection instanceof Error) return 3; // a bug
  return (rejection as SessionFailure).kind === 'input' ? 1 : 2; // compose or the engine failing
};

interface Expected {
  readonly final: DevRestartOutput['finalState'];
  readonly code: number;
  /** Each target's last status, by the path's SERVICE_CHANGED. */
  readonly last: Readonly<Record<string, ServiceStatus>>;
  /** The targets failed when `diagnose` started, if it did. */
  readonly diagnosed: readonly string[] | undefined;
  /** The step a STOP found. */
  readonly stoppedIn: string | undefined;
  /** What each target's machine was sent: `OBSERVED` and `START`, in order. */
  readonly told: Readonly<Record<string, readonly string[]>>;
  /** Each judgement (diagnosing entered, or restarted) of a target not current, or before SETTLED: none may be. */
  readonly misjudged: readonly string[];
}

function expectedOf(steps: readonly Step[], variant: Variant): Expected {
  const last: Record<string, ServiceStatus> = {};
  let diagnosed: string[] | undefined;
  let ends = 0;
  let outcome: { final: DevRestartOutput['finalState']; code: number; stoppedIn?: string } | undefined;
  const told: Record<string, string[]> = {};
  // Worked out here from the path alone: targets the stream reported (their kill or start, the
  // model's engine events; forgotten on a resync: the new stream may never report a start the
  // lost one missed), targets whose status is of their container since the restart (STARTED after
  // their start, or told ps after `restart`).
  const heard = new Set<string>();
  const current = new Set<string>();
  let restartReturned = false;
  let resyncAfterRestart = false;
  let settled = false;
  const misjudged: string[] = [];
  let targets: string[] = [];
  const tell = (service: string, what: string): void => {
    (told[service] ??= []).push(what);
  };
  const refuses = (ps: ObservedServices): boolean =>
    !Object.values(ps).some((c) => c.state === 'running') || variant.named.some((s) => ps[s] === undefined);
  steps.slice(1).forEach(({ event, state }, i) => {
    const before = (steps[i] as Step).state;
    if (outcome !== undefined) throw new Error(`a step after the outcome: ${event.type}`);
    if (event.type === 'SERVICE_CHANGED') last[(event['status'] as ServiceStatus).service] = event['status'] as ServiceStatus;
    if (event.type === 'EVENTS_ENDED') {
      ends += 1;
      // The resync's ps begins now: after `restart` returned, or before (then it may be older
      // than what made a target current meanwhile, and judges none).
      resyncAfterRestart = restartReturned;
    }
    if (event.type === 'xstate.done.actor.survey') {
      const ps = event['output'] as ObservedServices;
      targets = variant.named.length > 0 ? [...variant.named].sort() : Object.keys(ps).sort();
    }
    // The engine's event goes to the service's machine; from then on ps after `restart` does not.
    if (event.type === 'ENGINE_EVENT') {
      const { service, action } = event['event'] as { service: string; action: string };
      heard.add(service);
      tell(service, action.toUpperCase());
    }
    // Its machine has taken the start in.
    if (event.type === 'STARTED') current.add(event['service'] as string);
    if (event.type === 'xstate.done.actor.restart') restartReturned = true;
    if (event.type === 'xstate.done.actor.observe') {
      for (const t of targets) {
        if (heard.has(t) || psAfter[t] === undefined) continue;
        tell(t, 'OBSERVED');
        current.add(t);
      }
    }
    if (event.type === 'xstate.done.actor.resync') {
      heard.clear();
      for (const t of targets) {
        if (psAfter[t] === undefined || (!resyncAfterRestart && current.has(t))) continue;
        tell(t, 'OBSERVED');
        if (resyncAfterRestart) current.add(t);
      }
    }
    if (event.type === 'SETTLED') settled = true;
    // Judged: only the targets current, failed now.
    const failedNow = Object.values(last).filter((s) => s.failed && current.has(s.service)).map((s) => s.service).sort();
    const judging = stateNames(state).includes('working.steps.diagnosing') && !stateNames(before).includes('working.steps.diagnosing');
    if (judging) diagnosed = failedNow;
    if (judging || state.value === 'restarted') {
      const what = `${state.value === 'restarted' ? 'restarted' : 'diagnosing'} after ${event.type}`;
      if (!settled) misjudged.push(`${what}: before SETTLED`);
      const notCurrent = state.value === 'restarted' ? targets.filter((t) => !current.has(t)) : failedNow.length === 0 ? ['(no current target failed)'] : [];
      if (notCurrent.length > 0) misjudged.push(`${what}: ${notCurrent.join(', ')} not current`);
    }
    if (event.type === 'STOP') {
      const where = stateNames(before);
      const step = where.includes('surveying') ? 'survey' : where.includes('working.steps.restarting') ? 'restart' : 'wait';
      outcome = { final: 'interrupted', code: 128 + signalNumber[event['signal'] as StopSignal], stoppedIn: step };
    } else if (event.type === 'xstate.done.actor.survey' && refuses(event['output'] as ObservedServices)) {
      outcome = { final: 'refused', code: 1 };
    } else if (event.type === 'xstate.error.actor.diagnose' || event.type === 'xstate.done.actor.diagnose' || event.type.startsWith('xstate.after.')) {
      outcome = { final: 'failed', code: 2 };
    } else if (event.type.startsWith('xstate.error.actor.')) {
      outcome = { final: 'failed', code: codeOfKind(event['error']) };
    } else if (event.type === 'EVENTS_ENDED' && ends > maxEventsRestarts) {
      outcome = { final: 'failed', code: 2 };
    } else if (stateNames(before).some((n) => n === 'working.steps.waiting' || n === 'working.steps.settling') && state.status === 'done') {
      // Left the wait by the services alone: ready (SPEC §4).
      outcome = { final: 'restarted', code: 0 };
    }
  });
  if (outcome === undefined) throw new Error('the path ends with no outcome');
  return { final: outcome.final, code: outcome.code, last, diagnosed, stoppedIn: outcome.stoppedIn, told, misjudged };
}

const describePath = (steps: readonly Step[]): string =>
  steps
    .slice(1)
    .map(({ event }) => {
      if (event.type === 'STOP') return `STOP(${String(event['signal'])})`;
      if (event.type === 'SERVICE_CHANGED') return `${(event['status'] as ServiceStatus).service}:${mark(event['status'] as ServiceStatus)}`;
      if (event.type === 'ENGINE_EVENT') {
        const { service, action } = event['event'] as { service: string; action: string };
        return `${service}:${action}!`;
      }
      if (event.type === 'STARTED') return `STARTED(${String(event['service'])})`;
      return event.type.replace(/^xstate\.(done|error)\.actor\./, '$1:').replace(/^xstate\.after\.([^.]+)\..*/, 'after:$1');
    })
    .join(' → ');

// --- The variants ------------------------------------------------------------------------------

const variants: readonly Variant[] = [
  // Every failure, bound and signal of the steps; db restarted by name, its happy story.
  { name: 'db: every failure and signal', named: ['db'], surveys: [psUp, psDown, psApiOnly], failures: true, story: 'linear', eventsEnds: 0, floor: 300 },
  // Every branch of db's story: the kill seen or missed, healthy or unhealthy after.
  { name: 'db: its story', named: ['db'], surveys: [psUp], failures: true, story: 'full', eventsEnds: 0, floor: 900 },
  // No service named: api and db, one after the other.
  { name: 'every service', named: [], surveys: [psUp, psDown], failures: false, story: 'linear', eventsEnds: 0, floor: 400 },
  // The events stream ends, is resynced and followed again, until the machine gives up (db stays pending).
  { name: 'db: the events stream', named: ['db'], surveys: [psUp], failures: false, story: 'none', eventsEnds: maxEventsRestarts + 1, floor: 1500 },
  // The lost start: db's kill heard, the stream ends, a resync (during `restart`, or after),
  // `restart` returns: the ps read after it is told to db, which is judged on it (or on a start
  // the new stream hears).
  { name: 'db: the lost start', named: ['db'], surveys: [psUp], failures: false, story: 'linear', killHeard: true, stops: false, eventsEnds: 1, endsWhileRestarting: true, floor: 1 },
];

type TraversalEvents = NonNullable<Parameters<typeof getSimplePaths<typeof devRestartMachine>>[1]>['events'];
const traversal = (variant: Variant) => ({
  input: planFor(variant.named),
  serializeState: nodeId as never,
  events: ((snapshot: Snapshot) => modelEvents(snapshot, variant)) as unknown as TraversalEvents,
  // A safety net: a model change that blows the state space up fails here, not by timing out.
  limit: 20_000,
});

const isFinal = (snapshot: Snapshot): boolean => snapshot.status === 'done';
const pathCache = new Map<Variant, readonly (readonly Step[])[]>();
function pathsOf(variant: Variant): readonly (readonly Step[])[] {
  const cached = pathCache.get(variant);
  if (cached !== undefined) return cached;
  const paths = getSimplePaths(model, { ...traversal(variant), toState: isFinal }).map((path) => path.steps as unknown as readonly Step[]);
  pathCache.set(variant, paths);
  return paths;
}

const checked: string[] = [];
afterAll(() => {
  console.log(`dev-restart model paths checked: ${checked.join('; ')}`);
});

describe.each(variants)('every simple path of `dev restart` to a final state ($name)', (variant) => {
  it('replays each path: final with the exit code of SPEC §5, restarted only when ready, restart once after the survey, nothing left running', async () => {
    const paths = pathsOf(variant);
    expect(paths.length).toBeGreaterThanOrEqual(variant.floor);
    const plan = planFor(variant.named);
    for (const steps of paths) {
      try {
        const { final, fakes, emitted } = await replay(steps, plan);
        const want = expectedOf(steps, variant);
        const output = final.output as DevRestartOutput | undefined;
        const runs = fakes.runs;
        const ofName = (name: string) => runs.filter((run) => run.name === name);

        // 1. a final state and the exit code of SPEC §5
        expect(final.status).toBe('done');
        expect(final.value).toBe(want.final);
        expect(output?.finalState).toBe(want.final);
        expect(output?.exitCode).toBe(want.code);
        expect(output?.signal !== undefined).toBe(want.final === 'interrupted');
        if (want.final === 'refused') expect(output?.failure?.kind).toBe('input');

        // 2. restarted only when every target is ready again, after `restart` and the ps after it;
        //    nothing judged (restarted, or diagnosing) before SETTLED, nor on a target not current
        expect(want.misjudged).toStrictEqual([]);
        const targets = final.context.targets;
        if (want.final === 'restarted') {
          expect(targets.map((t) => want.last[t]?.ready)).toStrictEqual(targets.map(() => true));
          expect(output?.statuses).toStrictEqual(targets.map((t) => want.last[t]));
          expect(fakes.succeeded('restart')).toBe(true);
          expect(runs.some((run) => run.id === 'observe' && run.resolved)).toBe(true);
          expect([...final.context.current].sort()).toStrictEqual([...targets]);
        }

        // 3. the survey first; `restart` after it answered, at most once, the stream followed already
        expect(runs[0]?.id).toBe('survey');
        const restarts = ofName('restart');
        expect(restarts.length).toBeLessThanOrEqual(1);
        if (restarts.length === 1) {
          expect(runs[0]?.resolved).toBe(true);
          expect(runs.findIndex((run) => run.name === 'followEvents')).toBeLessThan(runs.indexOf(restarts[0] as (typeof runs)[number]));
          expect(restarts[0]?.input).toBe(plan);
        }
        const diagnoses = ofName('diagnose');
        expect(diagnoses.map((run) => (run.input as { services: readonly string[] }).services)).toStrictEqual(
          want.diagnosed === undefined ? [] : [want.diagnosed],
        );
        if (want.diagnosed !== undefined) expect(want.diagnosed.length).toBeGreaterThan(0);

        // …and each target's machine is told its engine events, and what ps saw only where SPEC §4's
        //    rules want it: after `restart`, if the events have not reported its start; on a resync, always
        for (const target of targets) {
          const runOf = runs.find((run) => run.id === `service:${target}`);
          expect([target, runOf?.received.map((e) => e.type) ?? []]).toStrictEqual([target, want.told[target] ?? []]);
        }

        // 4. `restartInterrupted` exactly when interrupted, naming the step
        expect(emitted.filter((e) => e.type === 'restartInterrupted')).toStrictEqual(
          want.stoppedIn === undefined ? [] : [{ type: 'restartInterrupted', projectName: 'shop', step: want.stoppedIn, services: targets }],
        );
        expect(emitted.filter((e) => e.type === 'restarted')).toHaveLength(want.final === 'restarted' ? 1 : 0);

        // 5. nothing left running
        expect(fakes.live().map((run) => run.id)).toStrictEqual([]);
        const active = Object.entries(final.children).filter(([, child]) => child?.getSnapshot().status === 'active');
        expect(active.map(([id]) => id)).toStrictEqual([]);
      } catch (cause) {
        throw new Error(`${variant.name} path: ${describePath(steps)}\n${(cause as Error).message}`, { cause });
      }
    }
    checked.push(`${paths.length} (${variant.name})`);
  }, 120_000);
});

describe('the traversal itself', () => {
  it.each(variants)('reaches a final state from every reachable state ($name)', (variant) => {
    // getShortestPaths gives one path to every state the traversal can reach, final or not.
    const reachable = getShortestPaths(model, traversal(variant)).map((path) => nodeId(path.state as unknown as Snapshot));
    const onFinalPath = new Set(pathsOf(variant).flatMap((steps) => steps.map((step) => nodeId(step.state))));
    expect(reachable.filter((state) => !onFinalPath.has(state))).toStrictEqual([]);
  });

  it('the paths, over all variants, visit every state of the machine', () => {
    const visited = new Set(variants.flatMap((variant) => pathsOf(variant).flatMap((steps) => steps.flatMap((step) => stateNames(step.state)))));
    const all = getStateNodes(devRestartMachine.root)
      .filter((node) => node.type === 'atomic' || node.type === 'final')
      .map((node) => node.path.join('.'))
      .sort();
    expect([...visited].sort()).toStrictEqual(all);
  });

  it('the paths hold the lost start: kill heard, the stream ends, a resync during `restart`, no start heard again; db told ps after `restart` and restarted on it', () => {
    const lost = variants.find((variant) => variant.killHeard === true) as Variant;
    const index = (steps: readonly Step[], type: string, where?: string): number =>
      steps.findIndex((step, i) => step.event.type === type && (where === undefined || stateNames((steps[i - 1] as Step).state).includes(where)));
    const found = pathsOf(lost).filter((steps) => {
      const [kill, ended, resync, returned, observed] = [
        steps.findIndex((step) => step.event.type === 'ENGINE_EVENT'),
        index(steps, 'EVENTS_ENDED'),
        index(steps, 'xstate.done.actor.resync', 'working.steps.restarting'),
        index(steps, 'xstate.done.actor.restart'),
        index(steps, 'xstate.done.actor.observe'),
      ];
      const starts = steps.filter((step) => step.event.type === 'ENGINE_EVENT' && (step.event['event'] as { action: string }).action === 'start');
      return kill >= 0 && kill < ended && ended < resync && resync < returned && returned < observed && starts.length === 0 && (steps[steps.length - 1] as Step).state.value === 'restarted';
    });
    expect(found.length).toBeGreaterThan(0);
  });

  it('the paths hold each way to `restarted`: from the wait, and straight from the ps read after `restart` (as SETTLED arrives)', () => {
    const all = variants.flatMap((variant) => pathsOf(variant));
    const lastBefore = (steps: readonly Step[]): string => stateName((steps[steps.length - 2] as Step).state);
    const restarted = all.filter((steps) => (steps[steps.length - 1] as Step).state.value === 'restarted');
    expect(restarted.filter((steps) => lastBefore(steps).includes('working.steps.waiting')).length).toBeGreaterThan(0);
    expect(restarted.filter((steps) => lastBefore(steps).includes('working.steps.settling')).length).toBeGreaterThan(0);
  });
});
