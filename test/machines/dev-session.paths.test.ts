// L2: model-based paths through the dev-session machine (issue 11 item 9; STYLE §6).
//
// `getSimplePaths` from xstate/graph walks the real machine's `transition` with the events
// below: in every non-final state a STOP, and the done and error events of the actors that
// state holds, with representative outputs and failures; the delays it runs; and what the
// engine says: SERVICE_CHANGED from the spawned service machines (statuses made by the service
// machine's own `statusOf`), EVENTS_ENDED and ENGINE_EVENT from the events follower,
// LOGS_ENDED from the log follower. Every simple path that ends in a final state is replayed on
// a fresh actor with gated fakes (path-replay.ts) and must satisfy, whatever happened:
//   1. it ends in a final state (detached | stopped | failed | abandoned) that fits what happened;
//   2. if `start` ran, a teardown or forced teardown ran, unless it ended detached or abandoned,
//      or --keep-on-failure was set and the start failed;
//   3. its exit code is the one SPEC §5 gives, worked out here from the path's events;
//   4. no fake child is left running (checked after every step too, by the replay);
//   5. the output names a command to remove the stack exactly when the stack may be left;
//   6. a service that restarts while the logs are followed re-attaches them, from the cursor
//      the last stream ended with;
//   7. each teardown (reconcile, graceful, forced) that finished is announced (`removed`, with
//      its project and what it removed), in order, and nothing else is.
//
// Bounding: the graph tells states apart by value, context and children. The services follow
// one story (below) whose next status is offered one at a time; the first STOP of a path comes
// with each of SIGINT, SIGTERM and SIGHUP, a later one with one other signal; and each variant
// offers only the engine events it is about (the story, the log stream, the events stream).
// The `ps` read after `up` (attached.engine.seeding) is a short moment: neither the story nor
// the log stream goes on in it, only its answer, a STOP, and the events stream ending. A stream
// ends once: EVENTS_ENDED comes only from one followed since it last ended.
import { getShortestPaths, getSimplePaths, getStateNodes } from 'xstate/graph';
import { devSessionMachine, maxEventsRestarts, type ObservedServices } from '../../machines/dev-session.machine.js';
import type {
  ClaimResult,
  DevOptions,
  DevPlan,
  LogCursor,
  Removal,
  SessionFailure,
  StaleSession,
  StopSignal,
} from '../../machines/dev-session.types.js';
import { statusOf } from '../../machines/service.machine.js';
import type { ServiceSpec, ServiceState, ServiceStatus } from '../../machines/service.types.js';
import type { DevFiles } from '../../src/dev-files/read-dev-files.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import {
  childIds,
  replayPath,
  serializeWithChildren,
  stateName,
  stateNames,
  walkable,
  type ModelEvent,
  type ModelStep,
  type SessionSnapshot,
} from './path-replay.js';

// --- The stack: `api` (healthcheck, restart on-failure:1) and `job` (a one-shot) -----------

const apiSpec: ServiceSpec = { name: 'api', healthcheck: true, restart: { kind: 'on-failure', maxRetries: 1 }, profiled: false };
const jobSpec: ServiceSpec = { name: 'job', healthcheck: false, restart: { kind: 'no' }, profiled: false };
const devFiles: DevFiles = {
  devDir: '.stagecraft/dev',
  composeFile: '.stagecraft/dev/compose.yaml',
  name: 'shop',
  services: [apiSpec, jobSpec].map((spec) => ({ ...spec, traefik: false, image: undefined, noReplicas: false, stopGraceSeconds: undefined })),
};

const planFor = (options: DevOptions): DevPlan => buildPlan(devFiles, options);
const stale: StaleSession = {
  project: 'shop',
  pid: 4242,
  state: 'attached',
  plan: buildPlan(devFiles, { ...defaultDevOptions, graceSeconds: 3 }),
};

/** What this session's teardowns removed, and what the reconcile removed of the stale session's stack. */
const removal: Removal = { containers: ['shop-api-1', 'shop-job-1'], networks: ['shop_default'], volumes: [] };
const staleRemoval: Removal = { containers: ['shop-api-1'], networks: [], volumes: ['5d'.repeat(32)] };

/** A status as the service machine reports it (its own `statusOf`). */
const status = (spec: ServiceSpec, state: ServiceState, exitCode?: number, restarts = 0): ServiceStatus =>
  statusOf(state, {
    spec,
    exitCode,
    restarts,
    container: state === 'pending' ? undefined : `shop-${spec.name}-1`,
    live: [],
  });
const api = (state: ServiceState, exitCode?: number, restarts = 0) => status(apiSpec, state, exitCode, restarts);
const job = (state: ServiceState, exitCode?: number) => status(jobSpec, state, exitCode);

/** Where a service is in the story: its state, last exit code and restarts. */
const mark = (s: ServiceStatus | undefined): string =>
  s === undefined ? '-' : `${s.state}${s.exitCode ?? ''}${s.restarts > 0 ? `r${s.restarts}` : ''}`;

/**
 * The services' story: the next statuses from where `api|job` are. Both report `pending` as
 * they are spawned (before `up` answers); `job` runs and exits (0: done, ready; 1: failed);
 * then `api` starts, turns healthy or unhealthy, and once healthy dies: with 1 it restarts
 * (on-failure:1) and dies for good with 1, with 0 it exits for good; or someone stops it
 * (kill: stopping, die 143: stopped), and maybe starts it again (`compose restart`), after
 * which it dies for good with 1.
 */
function storyAfter(services: Readonly<Record<string, ServiceStatus>>): readonly ServiceStatus[] {
  const [a, j] = [mark(services['api']), mark(services['job'])];
  if (a === '-') return [api('pending')];
  if (j === '-') return [job('pending')];
  if (j === 'pending') return [job('running')];
  if (j === 'running') return [job('exited', 0), job('exited', 1)];
  switch (a) {
    case 'pending':
      return [api('starting')];
    case 'starting':
      return [api('healthy'), api('unhealthy')];
    case 'healthy':
      return [api('restarting', 1), api('exited', 0), api('stopping')];
    case 'restarting1':
      return [api('starting', 1, 1)];
    case 'starting1r1':
      return [api('exited', 1, 1)];
    case 'stopping':
      return [api('stopped', 143)];
    case 'stopped143':
      return [api('starting', 143, 1)];
    case 'starting143r1':
      return [api('exited', 1, 1)];
    default:
      return [];
  }
}

/** Both services have reported `pending`: what the real service machines do as they are spawned. */
const allReported = (snapshot: SessionSnapshot): boolean => storyAfter(snapshot.context.services)[0]?.state !== 'pending';

// --- The events of each state ---------------------------------------------------------------

const failure = (kind: Exclude<SessionFailure['kind'], 'start-failed' | 'services-failed'>): SessionFailure => ({
  kind,
  message: `${kind} (path test)`,
});
const startFailed: SessionFailure = {
  kind: 'start-failed',
  message: 'starting project shop failed: `docker compose … up` exited with code 1',
  stderrTail: 'Error response from daemon: pull access denied for shop/api',
  services: [],
};
/** A rejection that is not a SessionFailure: a bug in stagecraft. One per actor: its stack is in the context. */
const bugs = new Map<string, Error>();
const bug = (where: string): Error => {
  const known = bugs.get(where) ?? new Error(`bug in ${where} (path test)`);
  bugs.set(where, known);
  return known;
};

const done = (id: string, output: unknown): ModelEvent => ({ type: `xstate.done.actor.${id}`, output, actorId: id });
const error = (id: string, err: unknown): ModelEvent => ({ type: `xstate.error.actor.${id}`, error: err, actorId: id });
const after = (delay: string, state: string): ModelEvent => ({ type: `xstate.after.${delay}.devSession.${state}` });
const changed = (s: ServiceStatus): ModelEvent => ({ type: 'SERVICE_CHANGED', status: s });

const noStale: ClaimResult = { stale: undefined };
/** What one `ps` read saw: `job` exited 0 already (the events missed it). */
const observed: ObservedServices = { job: { container: 'shop-job-1', state: 'exited', health: '', exitCode: 0 } };
const cursor = (since: string): LogCursor => ({ since, seen: { api: since } });
/** A `run` container of a service compose.yaml does not name: the session spawns a machine for it. */
const adhocCreated: ModelEvent = {
  type: 'ENGINE_EVENT',
  event: { action: 'create', service: 'adhoc', container: 'shop-adhoc-run-1', time: '2026-01-02T03:04:05Z' },
};

/** What a variant offers beyond the lifecycle's own done/error/STOP events. */
interface Knobs {
  /** Offer the services' story past `pending`: every branch, its first branch only, or none. */
  readonly story: 'full' | 'linear' | 'none';
  /** Offer the story already while `up` runs (exits before the log stream starts). */
  readonly storyWhileStarting: boolean;
  /** Offer LOGS_ENDED, the re-attach delay and a follower that fails to start. */
  readonly logs: boolean;
  /** How many EVENTS_ENDED a path may hold (the machine gives up after maxEventsRestarts + 1). */
  readonly eventsEnds: number;
  /** Offer the early failures (validate, claim, reconcile, start, diagnose, teardowns). */
  readonly failures: boolean;
  /** The first STOP with each signal (else SIGINT only; a later STOP always with another one). */
  readonly everySignal: boolean;
}

const stopEvents = (snapshot: SessionSnapshot, knobs: Knobs): ModelEvent[] => {
  const first = snapshot.context.signal;
  const firsts: readonly StopSignal[] = knobs.everySignal ? ['SIGINT', 'SIGTERM', 'SIGHUP'] : ['SIGINT'];
  const signals: readonly StopSignal[] = first === undefined ? firsts : [first === 'SIGINT' ? 'SIGTERM' : 'SIGINT'];
  return signals.map((signal) => ({ type: 'STOP', signal }));
};

function storyEvents(snapshot: SessionSnapshot, knobs: Knobs): ModelEvent[] {
  const next = storyAfter(snapshot.context.services).map(changed);
  return knobs.story === 'full' ? next : knobs.story === 'linear' ? next.slice(0, 1) : [];
}

/** The events of one atomic state (a parallel state offers the union of its regions'). */
function eventsOf(state: string, snapshot: SessionSnapshot, plan: DevPlan, knobs: Knobs): ModelEvent[] {
  const f = knobs.failures;
  // A stream ends once: only one followed since it last ended can end (the session follows
  // it again after a resync, or after the read that follows `up` when it ended while `up` ran).
  const streamUp = snapshot.context.eventsLost === snapshot.context.eventsRestarts;
  const ends = streamUp && snapshot.context.eventsLost < knobs.eventsEnds ? [{ type: 'EVENTS_ENDED', reason: 'it ended' } as const] : [];
  switch (state) {
    case 'validating':
      return [done('validate', plan), ...(f ? [error('validate', failure('input')), error('validate', bug('validate'))] : [])];
    case 'claiming':
      return [
        done('claim', noStale),
        ...(f ? [done('claim', { stale }), error('claim', failure('locked')), error('claim', bug('claim'))] : []),
      ];
    case 'reconciling':
      return [done('reconcile', staleRemoval), error('reconcile', failure('command-failed')), after('teardownDeadline', 'reconciling')];
    case 'starting': {
      // The service machines report `pending` as they are spawned, before anything else.
      if (!allReported(snapshot)) return storyAfter(snapshot.context.services).map(changed);
      // Nobody stops a service while `up` runs (bounding: it is stopped once attached).
      const story = knobs.storyWhileStarting ? storyEvents(snapshot, knobs).filter((e) => e.type !== 'SERVICE_CHANGED' || e.status.state !== 'stopping') : [];
      return [
        done('start', undefined),
        ...(f ? [error('start', startFailed), error('start', failure('engine-unreachable')), error('start', bug('start')), after('startTimeout', 'starting')] : []),
        // The events stream may end while `up` runs: the read after `up` then resyncs.
        ...ends,
        ...story,
      ];
    }
    case 'waiting.observing':
      return [
        done('observeServices', observed),
        error('observeServices', failure('command-failed')),
        ...ends,
        ...storyEvents(snapshot, knobs),
      ];
    // The one `ps` read after `up`: its answer goes to the service machines only (OBSERVED).
    // A short moment (bounding: the story goes on before and after it, not in it).
    case 'attached.engine.seeding':
      return [done('observeServices', observed), ...(f ? [error('observeServices', failure('command-failed'))] : []), ...ends];
    case 'waiting.watching':
    case 'attached.engine.watching':
      return [...ends, ...storyEvents(snapshot, knobs)];
    case 'waiting.resyncing':
      return [done('resync', observed), error('resync', failure('command-failed'))];
    case 'attached.engine.resyncing':
      return [done('resync', observed), error('resync', failure('command-failed'))];
    // A service stopped by someone may be started again (`compose restart`): watching again.
    case 'attached.engine.ended':
      return [after('logDrainTimeout', 'attached.engine.ended'), ...ends, ...storyEvents(snapshot, knobs)];
    // Still ended after logDrainTimeout: the logs followed once more; a service may still come back.
    case 'attached.engine.draining':
      return [after('logDrainDeadline', 'attached.engine.draining'), ...ends, ...storyEvents(snapshot, knobs)];
    case 'attached.logs.following': {
      // compose ends the stream once while the stack runs, and once more when it has ended;
      // not while the read after `up` is under way (a short moment).
      const first = snapshot.context.logCursor === undefined;
      const names = stateNames(snapshot);
      if (!knobs.logs || names.includes('attached.engine.seeding')) return [];
      if (!first && !names.includes('attached.engine.ended') && !names.includes('attached.engine.draining')) return [];
      return [{ type: 'LOGS_ENDED', cursor: cursor(first ? '2026-01-02T03:04:05Z' : '2026-01-02T03:04:09Z') }];
    }
    case 'attached.logs.between':
      return [after('reattachDelay', 'attached.logs.between')];
    case 'stopping.graceful':
      return [done('teardown', removal), ...(f ? [error('teardown', failure('command-failed'))] : []), after('teardownDeadline', 'stopping.graceful')];
    case 'stopping.forced':
      return [done('forcedTeardown', removal), ...(f ? [error('forcedTeardown', failure('command-failed'))] : []), after('forcedTeardownDeadline', 'stopping.forced')];
    case 'rollingBack.diagnosing':
      return [done('diagnose', ['api']), ...(f ? [error('diagnose', bug('diagnose')), after('diagnoseDeadline', 'rollingBack.diagnosing')] : [])];
    case 'rollingBack.tearingDown':
      return [done('teardown', removal), ...(f ? [error('teardown', failure('command-failed'))] : []), after('teardownDeadline', 'rollingBack.tearingDown')];
    case 'rollingBack.forced':
      return [done('forcedTeardown', removal), ...(f ? [error('forcedTeardown', failure('command-failed'))] : []), after('forcedTeardownDeadline', 'rollingBack.forced')];
    default:
      throw new Error(`the path model has no events for state ${state}; add them`);
  }
}

function modelEvents(snapshot: SessionSnapshot, plan: DevPlan, knobs: Knobs): readonly ModelEvent[] {
  if (snapshot.status !== 'active') return [];
  const names = stateNames(snapshot);
  const own = names.flatMap((name) => eventsOf(name, snapshot, plan, knobs));
  // A follower that fails to start: only as it starts with the first `attached` (the engine's
  // read after `up` still under way, nothing else happened since).
  const followerFails =
    knobs.logs && knobs.failures && names.includes('attached.logs.following') && names.includes('attached.engine.seeding') && snapshot.context.logCursor === undefined
      ? [error('followLogs', bug('followLogs'))]
      : [];
  const waitTimeout = names[0]?.startsWith('waiting.') ? [after('waitTimeout', 'waiting')] : [];
  // Unique by type and payload: both regions of `attached` would offer STOP otherwise.
  const unique = new Map([...own, ...followerFails, ...waitTimeout, ...stopEvents(snapshot, knobs)].map((e) => [JSON.stringify(e), e]));
  return [...unique.values()];
}

// --- The expectation, from SPEC §4-§5 and the path alone -------------------------------------

const signalNumber: Record<StopSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

function kindOf(rejection: unknown): SessionFailure['kind'] {
  if (rejection instanceof Error) return 'internal';
  return (rejection as SessionFailure).kind;
}

function codeOfKind(kind: SessionFailure['kind']): number {
  switch (kind) {
    case 'input':
      return 1; // bad flag, dev files missing or invalid
    case 'internal':
      return 3; // a bug
    case 'locked':
      return 4; // another live session holds the project
    default:
      return 2; // docker/compose missing or failing, start failed, not ready, a service exited non-zero
  }
}

interface PathFacts {
  readonly firstSignal: StopSignal | undefined;
  /** The first thing that went wrong, teardowns aside (diagnostics and the first `ps` are best effort). */
  readonly firstFailure: SessionFailure['kind'] | undefined;
  readonly teardownFailed: boolean;
  /** `up` failed, or the stack failed the wait: a rollback. */
  readonly startFailed: boolean;
  /** validate, claim or reconcile failed, or `up` failed before compose ran: nothing was started. */
  readonly earlyFailure: boolean;
  /** A service restarted, or the ended stack began draining, while the logs were followed: the steps where it did. */
  readonly reattaches: number;
}

const left = (from: SessionSnapshot, to: SessionSnapshot, prefix: string): boolean =>
  stateName(from).startsWith(prefix) && !stateName(to).startsWith(prefix);

const isDraining = (snapshot: SessionSnapshot): boolean => stateNames(snapshot).includes('attached.engine.draining');

function factsOf(steps: readonly ModelStep[]): PathFacts {
  let firstSignal: StopSignal | undefined;
  let firstFailure: SessionFailure['kind'] | undefined;
  let teardownFailed = false;
  let startFailed = false;
  let earlyFailure = false;
  let reattaches = 0;
  let eventsEnded = 0;
  const services: Record<string, ServiceStatus> = {};
  for (let index = 1; index < steps.length; index++) {
    const { event, state: to } = steps[index] as ModelStep;
    const from = (steps[index - 1] as ModelStep).state;
    if (event.type === 'STOP') firstSignal ??= event.signal;
    if (event.type === 'EVENTS_ENDED') eventsEnded += 1;
    if (isDraining(to) && !isDraining(from) && childIds(from).includes('followLogs')) reattaches += 1;
    if (event.type === 'SERVICE_CHANGED') {
      const previous = services[event.status.service];
      if (previous !== undefined && event.status.restarts > previous.restarts && childIds(from).includes('followLogs')) {
        reattaches += 1;
      }
      services[event.status.service] = event.status;
    }
    if (event.type.startsWith('xstate.error.actor.')) {
      const { actorId, error: rejection } = event as { actorId: string; error: unknown };
      if (actorId === 'teardown' || actorId === 'forcedTeardown') teardownFailed = true;
      // Diagnostics and the first `ps` read after `up` are best effort.
      else if (actorId !== 'diagnose' && actorId !== 'observeServices') firstFailure ??= kindOf(rejection);
      if (actorId === 'start' || actorId === 'resync' && stateName(from).startsWith('waiting')) startFailed = true;
      if (['validate', 'claim', 'reconcile'].includes(actorId)) earlyFailure = true;
      if (actorId === 'start' && kindOf(rejection) === 'engine-unreachable') earlyFailure = true;
      continue;
    }
    if (event.type === 'STOP') continue;
    // `up` that never ended: the start failed, rolled back (SPEC §4, issue 14: a bound not tied to --wait).
    if (event.type.startsWith('xstate.after.startTimeout.')) {
      startFailed = true;
      firstFailure ??= 'start-failed';
    }
    // A stale session's teardown that never ended: nothing was started.
    if (event.type.startsWith('xstate.after.teardownDeadline.devSession.reconciling')) {
      earlyFailure = true;
      firstFailure ??= 'command-failed';
    }
    // Leaving `waiting` other than by a STOP or an error: ready, or the wait failed (SPEC §4).
    if (left(from, to, 'waiting') && stateName(to).startsWith('rollingBack')) {
      startFailed = true;
      firstFailure ??= eventsEnded > maxEventsRestarts ? 'command-failed' : 'start-failed';
    }
    // The events stream kept ending: the session gives up.
    if (left(from, to, 'attached') && eventsEnded > maxEventsRestarts) firstFailure ??= 'command-failed';
    // No service is active (every one exited for good, or was stopped): the stack has ended,
    // unless one comes back; the engine waits in `ended` exactly then (SPEC §4).
    const all = Object.values(services);
    const ended = all.length > 0 && all.every((s) => !s.active);
    const names = stateNames(to);
    if (names.includes('attached.engine.ended') || names.includes('attached.engine.draining')) expect(ended).toBe(true);
    if (names.includes('attached.engine.watching')) expect(ended).toBe(false);
    // The ended stack goes: at once when its log stream ends, if it ended by itself (no service
    // stopped by someone); else when the stream followed after logDrainTimeout ends; after
    // logDrainDeadline in any case. 0 when no service exited non-zero, else 2 (SPEC §4); a
    // stopped service is no failure.
    if (names.includes('attached.engine.draining')) expect(stateNames(from).some((n) => n === 'attached.engine.ended' || n === 'attached.engine.draining')).toBe(true);
    const byLogs = event.type === 'LOGS_ENDED' && stateName(to).startsWith('stopping');
    const byDrain = event.type.startsWith('xstate.after.logDrainDeadline.');
    if (byLogs && !stateNames(from).includes('attached.engine.draining')) expect(all.every((s) => s.state !== 'stopped')).toBe(true);
    if (byLogs || byDrain) {
      expect(ended).toBe(true);
      if (all.some((s) => s.state === 'exited' && s.exitCode !== 0)) firstFailure ??= 'services-failed';
    }
  }
  return { firstSignal, firstFailure, teardownFailed, startFailed, earlyFailure, reattaches };
}

/**
 * The final states SPEC §4 allows after this path: a failure before `up`, of `up`, of the wait,
 * or of a teardown ends in `failed` (a rollback may still be abandoned by its forced teardown's bound); only a
 * started detach session ends `detached`; only the forced teardown's bound abandons;
 * `stopped` needs a teardown that succeeded whenever `up` ran.
 */
function allowedFinalStates(
  steps: readonly ModelStep[],
  facts: PathFacts,
  options: DevOptions,
  fakes: { started(name: string): boolean; succeeded(name: string): boolean },
): readonly string[] {
  const last = steps[steps.length - 1]?.event;
  // A forced teardown is never cut short by a STOP: only its own bound abandons it.
  if (last?.type.startsWith('xstate.after.forcedTeardownDeadline.') && fakes.started('forcedTeardown') && !fakes.succeeded('forcedTeardown')) {
    return ['abandoned'];
  }
  if (facts.teardownFailed || facts.earlyFailure || facts.startFailed) return ['failed'];
  if (options.mode === 'detach' && fakes.succeeded('start') && facts.firstSignal === undefined) return ['detached'];
  const tornDown = fakes.succeeded('teardown') || fakes.succeeded('forcedTeardown');
  return !fakes.started('start') || tornDown ? ['stopped'] : [];
}

function expectedExitCode(finalState: string, facts: PathFacts): number {
  if (finalState === 'detached') return 0; // the detached stack is up (and ready with --wait)
  if (finalState === 'abandoned') return 2; // the stack may still run: an external failure
  if (facts.firstFailure !== undefined) return codeOfKind(facts.firstFailure);
  if (facts.teardownFailed) return 2;
  if (facts.firstSignal !== undefined) return 128 + signalNumber[facts.firstSignal];
  return 0; // the stack ended by itself, every service exited 0, teardown succeeded
}

function describePath(steps: readonly ModelStep[]): string {
  return steps
    .slice(1)
    .map(({ event }) => {
      const type = event.type.replace(/^xstate\.(done|error)\.actor\./, '$1:').replace(/^xstate\.after\./, 'after:');
      if (event.type === 'STOP') return `STOP(${event.signal})`;
      if (event.type === 'SERVICE_CHANGED') return `${event.status.service}:${mark(event.status)}`;
      if (event.type.startsWith('xstate.error.actor.')) return `${type}(${kindOf((event as { error: unknown }).error)})`;
      return type.replace(/\.devSession\..*$/, '');
    })
    .join(' → ');
}

// --- The variants -------------------------------------------------------------------------

interface Variant {
  readonly name: string;
  readonly options: DevOptions;
  readonly knobs: Knobs;
  /** An empty or collapsed traversal must fail; the counts today are above these. */
  readonly floor: number;
}

const quiet: Knobs = { story: 'none', storyWhileStarting: false, logs: false, eventsEnds: 0, failures: true, everySignal: true };
const wait = { ...defaultDevOptions, wait: true, waitTimeoutSeconds: 60 };

const variants: readonly Variant[] = [
  // Every failure and signal of the lifecycle, the services quiet.
  { name: 'foreground', options: defaultDevOptions, knobs: { ...quiet, logs: true }, floor: 100 },
  { name: 'detach', options: { ...defaultDevOptions, mode: 'detach' }, knobs: quiet, floor: 40 },
  { name: 'foreground --keep-on-failure', options: { ...defaultDevOptions, keepOnFailure: true }, knobs: quiet, floor: 50 },
  // The stack's own story while attached: exits, a restart, the ended stack (SPEC §4).
  {
    name: 'foreground: the services',
    options: defaultDevOptions,
    knobs: { ...quiet, story: 'full', storyWhileStarting: true, failures: false, everySignal: false },
    floor: 100,
  },
  // compose ends the log stream; a restart re-attaches it.
  {
    name: 'foreground: the log stream',
    options: defaultDevOptions,
    knobs: { ...quiet, story: 'linear', logs: true, failures: false, everySignal: false },
    floor: 100,
  },
  // The events stream ends, is resynced and followed again, until the session gives up.
  {
    name: 'foreground: the events stream',
    options: defaultDevOptions,
    knobs: { ...quiet, eventsEnds: maxEventsRestarts + 1, failures: false, everySignal: false },
    floor: 30,
  },
  // Readiness is stagecraft's: ready, a service failing the wait, the timeout.
  { name: 'detach --wait', options: { ...wait, mode: 'detach' }, knobs: { ...quiet, story: 'full', failures: false, everySignal: false }, floor: 30 },
  { name: 'foreground --wait', options: wait, knobs: { ...quiet, story: 'full', failures: false, everySignal: false }, floor: 30 },
  {
    name: 'detach --wait --keep-on-failure',
    options: { ...wait, mode: 'detach', keepOnFailure: true },
    knobs: { ...quiet, story: 'full', failures: false, everySignal: false },
    floor: 30,
  },
  // The events stream keeps ending while the stack is not ready yet: the wait gives up.
  {
    name: 'detach --wait: the events stream',
    options: { ...wait, mode: 'detach' },
    knobs: { ...quiet, eventsEnds: maxEventsRestarts + 1, failures: false, everySignal: false },
    floor: 10,
  },
];

const delayMs = (options: DevOptions) => (delay: string): number => {
  switch (delay) {
    case 'teardownDeadline':
      // The grace period (unset: the plan's longest stop_grace_period, compose's 10 s here) plus 30 s.
      return ((options.graceSeconds ?? planFor(options).stopGraceSeconds) + 30) * 1000;
    case 'waitTimeout':
      return options.waitTimeoutSeconds * 1000;
    case 'reattachDelay':
      return 500;
    case 'logDrainTimeout':
      return 2000;
    case 'logDrainDeadline':
      return 15_000;
    case 'startTimeout':
      return options.startTimeoutSeconds * 1000;
    case 'diagnoseDeadline':
      return 30_000;
    case 'forcedTeardownDeadline':
      return 20_000;
    default:
      throw new Error(`no length known for delay ${delay}`);
  }
};

const walked = walkable(devSessionMachine);
// The graph API types events as the machine's own events; the model adds xstate's.
type TraversalEvents = NonNullable<Parameters<typeof getSimplePaths<typeof devSessionMachine>>[1]>['events'];
const traversal = (variant: Variant) => {
  const plan = planFor(variant.options);
  return {
    input: { options: variant.options },
    events: ((snapshot: SessionSnapshot) => modelEvents(snapshot, plan, variant.knobs)) as unknown as TraversalEvents,
    serializeState: serializeWithChildren as never,
    // A safety net: a model change that blows the state space up fails here, not by timing out.
    limit: 20_000,
  };
};

const isFinal = (snapshot: SessionSnapshot): boolean => snapshot.status === 'done';

const pathCache = new Map<Variant, readonly (readonly ModelStep[])[]>();

function pathsOf(variant: Variant): readonly (readonly ModelStep[])[] {
  const cached = pathCache.get(variant);
  if (cached !== undefined) return cached;
  const paths = getSimplePaths(walked, { ...traversal(variant), toState: isFinal }).map(
    (path) => path.steps as unknown as readonly ModelStep[],
  );
  pathCache.set(variant, paths);
  return paths;
}

const checked: string[] = [];

afterAll(() => {
  console.log(`dev-session model paths checked: ${checked.join('; ')}`);
});

const finalStates = ['detached', 'stopped', 'failed', 'abandoned'] as const;

describe.each(variants)('every simple path to a final state ($name)', (variant) => {
  it('replays each path; each ends final, tears down, exits per SPEC §5, leaves no child', async () => {
    const paths = pathsOf(variant);
    expect(paths.length).toBeGreaterThanOrEqual(variant.floor);

    for (const steps of paths) {
      const path = describePath(steps);
      try {
        const { final, output, fakes, emitted } = await replayPath(steps, {
          options: variant.options,
          delayMs: delayMs(variant.options),
        });
        const facts = factsOf(steps);

        // 1. a final state, with the machine's output
        expect(final.status).toBe('done');
        expect(finalStates).toContain(final.value);
        const finalState = final.value as (typeof finalStates)[number];
        expect(output?.finalState).toBe(finalState);
        expect(allowedFinalStates(steps, facts, variant.options, fakes)).toContain(finalState);

        // 2. a stack that may exist gets torn down
        const startRan = fakes.started('start');
        const teardownRan = fakes.started('teardown') || fakes.started('forcedTeardown');
        const upCreatedNothing = facts.earlyFailure && startRan;
        const exempt =
          finalState === 'detached' ||
          finalState === 'abandoned' ||
          upCreatedNothing ||
          (variant.options.keepOnFailure && facts.startFailed);
        if (startRan && !exempt) expect(teardownRan).toBe(true);
        if (!startRan || upCreatedNothing) expect(teardownRan).toBe(false);
        if (finalState === 'abandoned') expect(fakes.started('forcedTeardown')).toBe(true);

        // 3. the exit code of SPEC §5
        expect(output?.exitCode).toBe(expectedExitCode(finalState, facts));

        // 4. no child left running
        expect(fakes.live().map((run) => run.id)).toStrictEqual([]);
        // (a final snapshot still lists the children it spawned; each one is stopped)
        const running = Object.entries(final.children).filter(([, child]) => child?.getSnapshot().status === 'active');
        expect(running.map(([id]) => id)).toStrictEqual([]);

        // 5. the output says how to remove a stack that may be left: this session's, or a
        //    stale session's that was found but never reconciled
        const tornDown = fakes.succeeded('teardown') || fakes.succeeded('forcedTeardown');
        const staleLeft = fakes.started('reconcile') && !fakes.succeeded('reconcile');
        const mayBeLeft = startRan && !upCreatedNothing && !tornDown;
        expect(output?.leftBehind !== undefined).toBe(mayBeLeft || staleLeft);

        // 6. restarts and the ended stack's drain re-attach the followed logs; each follower starts from the last cursor
        const followers = fakes.runs.filter((run) => run.name === 'followLogs');
        const reattachAsks = followers.flatMap((run) => run.received).filter((e) => e.type === 'REATTACH_LOGS');
        expect(reattachAsks).toHaveLength(facts.reattaches);
        const cursors = steps.flatMap(({ event }) => (event.type === 'LOGS_ENDED' ? [event.cursor] : []));
        expect(followers.map((run) => (run.input as { cursor: LogCursor | undefined }).cursor)).toStrictEqual(
          [undefined, ...cursors].slice(0, followers.length),
        );

        // 7. `removed` for each teardown that finished (they run one at a time), in order
        const finished = fakes.runs.filter((run) => ['reconcile', 'teardown', 'forcedTeardown'].includes(run.name) && run.resolved);
        expect(emitted.filter((event) => event.type === 'removed')).toStrictEqual(
          finished.map((run) =>
            run.name === 'reconcile'
              ? { type: 'removed', projectName: stale.project, removal: staleRemoval }
              : { type: 'removed', projectName: 'shop', removal },
          ),
        );
      } catch (cause) {
        throw new Error(`${variant.name} path: ${path}\n${(cause as Error).message}`, { cause });
      }
    }
    checked.push(`${paths.length} (${variant.name})`);
  }, 120_000);
});

describe('the traversal itself', () => {
  it.each(variants)('reaches a final state from every reachable state ($name)', (variant) => {
    // getShortestPaths gives one path to every state the traversal can reach, final or not.
    const reachable = getShortestPaths(walked, traversal(variant)).map((path) =>
      serializeWithChildren(path.state as unknown as SessionSnapshot),
    );
    const onFinalPath = new Set(pathsOf(variant).flatMap((steps) => steps.map((step) => serializeWithChildren(step.state))));
    expect(reachable.filter((state) => !onFinalPath.has(state))).toStrictEqual([]);
  });

  it('the paths, over all variants, visit every state of the machine', () => {
    // The replays check that the real machine passes through exactly the graph's states.
    const visited = new Set(variants.flatMap((variant) => pathsOf(variant).flatMap((steps) => steps.flatMap((step) => stateNames(step.state)))));
    const all = getStateNodes(devSessionMachine.root)
      .filter((node) => node.type === 'atomic' || node.type === 'final')
      // `ready` is passed through by `always` only: no snapshot ever shows it (STYLE §2).
      .filter((node) => node.key !== 'ready')
      .map((node) => node.path.join('.'))
      .sort();
    expect([...visited].sort()).toStrictEqual(all);
  });

  it('the services\' paths hold a `compose restart` (ended, then watching again) and a stack stopped by someone ended by logDrainTimeout', () => {
    const services = pathsOf(variants.find((v) => v.name === 'foreground: the services') as Variant);
    const engineOf = (snapshot: SessionSnapshot): string | undefined => stateNames(snapshot).find((name) => name.startsWith('attached.engine.'));
    const cameBack = services.filter((steps) =>
      steps.some((step, i) => i > 0 && engineOf((steps[i - 1] as ModelStep).state) === 'attached.engine.ended' && engineOf(step.state) === 'attached.engine.watching'),
    );
    expect(cameBack.length).toBeGreaterThan(0);
    for (const steps of cameBack) expect(describePath(steps)).toContain('api:stopped143 → api:starting143r1');
    const drainedStopped = services.filter((steps) => /api:stopped143 → after:logDrainTimeout/.test(describePath(steps)));
    expect(drainedStopped.length).toBeGreaterThan(0);
  });

  it('the events stream\'s paths hold a stream lost while `up` ran, resynced by the read after it', () => {
    for (const name of ['foreground: the events stream', 'detach --wait: the events stream']) {
      const paths = pathsOf(variants.find((v) => v.name === name) as Variant).map(describePath);
      expect(paths.filter((path) => path.includes('EVENTS_ENDED → done:start → done:observeServices')).length).toBeGreaterThan(0);
    }
  });

  it('an engine event for a service compose.yaml does not name spawns a machine for it', async () => {
    // A known service's event only reaches its machine (no new snapshot for the graph); a new one
    // adds a child, which the graph sees and the replay checks against the real machine.
    const variant = variants[0] as Variant;
    const plan = planFor(variant.options);
    const paths = getSimplePaths(walked, {
      ...traversal(variant),
      events: ((snapshot: SessionSnapshot) => {
        const own = modelEvents(snapshot, plan, { ...quiet, failures: false, everySignal: false });
        const adhoc = stateNames(snapshot).includes('attached.engine.watching') && !childIds(snapshot).includes('service:adhoc');
        return adhoc ? [adhocCreated, ...own] : own;
      }) as unknown as TraversalEvents,
      toState: isFinal,
    }).map((path) => path.steps as unknown as readonly ModelStep[]);
    const spawning = paths.filter((steps) => steps.some((step) => step.event.type === 'ENGINE_EVENT'));
    expect(spawning.length).toBeGreaterThan(0);
    for (const steps of spawning) {
      const { fakes } = await replayPath(steps, { options: variant.options, delayMs: delayMs(variant.options) });
      const adhoc = fakes.runs.filter((run) => run.id === 'service:adhoc');
      expect(adhoc.map((run) => run.input)).toStrictEqual([{ name: 'adhoc', healthcheck: false, restart: { kind: 'no' }, profiled: false }]);
      expect(adhoc[0]?.received).toStrictEqual([{ type: 'CREATE', container: 'shop-adhoc-run-1' }]);
    }
  });
});
