// L1: the dev-session machine driven through fake actors and a simulated clock. The
// service machines it spawns are the real ones; the test plays the engine through the
// fake `followEvents` (ENGINE_EVENT, EVENTS_ENDED) and compose through the fake
// `followLogs` (LOGS_ENDED).
import { createActor, SimulatedClock, toPromise, waitFor, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { devSessionMachine, maxEventsRestarts, type DevSessionEmitted, type ObservedServices } from '../../machines/dev-session.machine.js';
import type {
  DevOptions,
  DevPlan,
  DevSessionOutput,
  LogCursor,
  Removal,
  SessionFailure,
  StaleSession,
  StopSignal,
} from '../../machines/dev-session.types.js';
import type { serviceMachine } from '../../machines/service.machine.js';
import type { EngineEvent, ServiceStatus } from '../../machines/service.types.js';
import type { ComposeService } from '../../src/dev-files/compose-model.js';
import type { DevFiles } from '../../src/dev-files/read-dev-files.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import {
  createFakeActors,
  provideFakes,
  RecordingRecordActions,
  type FakeActors,
} from '../fakes/fake-actors.js';
import { composeService as svc } from '../fixtures/compose-service.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { downArgv } from '../fixtures/teardown-commands.js';

/** The default `shop`: api (no healthcheck), db (healthcheck), and a profiled `debug` never expected. */
const shopServices: readonly ComposeService[] = [
  svc('api'),
  svc('db', { healthcheck: true }),
  svc('debug', { profiled: true }),
];

function devFilesWith(services: readonly ComposeService[]): DevFiles {
  return { devDir: '.stagecraft/dev', composeFile: '.stagecraft/dev/compose.yaml', name: 'shop', services };
}

const F = ['docker', 'compose', '-p', 'shop', '-f', '.stagecraft/dev/compose.yaml'];
/** The teardown's `down`, as a failure or the output names it to run by hand: no `-f`. */
const teardownArgv = downArgv('shop');
const forcedDownArgv = downArgv('shop', { graceSeconds: 0 });
/** What a teardown of `shop` removed (the fake teardowns resolve with it). */
const removal: Removal = { containers: ['shop-api-1', 'shop-db-1'], networks: ['shop_default'], volumes: [] };
const removed = { type: 'removed', projectName: 'shop', removal } as const;
/** What the reconcile removed of the stale session's stack. */
const staleRemoval: Removal = { containers: ['shop-api-1'], networks: ['shop_default'], volumes: ['3c'.repeat(32)] };

const inputError: SessionFailure = {
  kind: 'input',
  message: 'compose file not found at .stagecraft/dev/compose.yaml; generate the dev files first: run `stagecraft init` to write a stagecraft.yml, then `stagecraft dev`',
};
const locked: SessionFailure = {
  kind: 'locked',
  message: 'project shop is held by a live session (pid 4242); stop it with: stagecraft dev down',
};
const startFailed: SessionFailure = {
  kind: 'start-failed',
  message: 'starting project shop failed: `docker compose … up` exited with code 1',
  stderrTail: 'Error response from daemon: pull access denied for shop/api',
  services: [],
};
const teardownFailed: SessionFailure = {
  kind: 'command-failed',
  message: 'teardown of project shop failed: `docker compose … down` exited with code 1',
};

/** A session file left by a dead process: its plan ran with --grace 3. */
const stalePlan = buildPlan(devFilesWith(shopServices), { ...defaultDevOptions, graceSeconds: 3 });
const stale: StaleSession = { project: 'shop', pid: 4242, state: 'attached', plan: stalePlan };

// The engine, as `compose events --json` tells it. Container ids are `<service>-<n>`.
const time = '2026-01-02T03:04:05.000000000Z';
const about = (service: string, n: number) => ({ service, container: `${service}-${n}`, time });
const engine = {
  create: (service: string, n = 1): EngineEvent => ({ action: 'create', ...about(service, n) }),
  start: (service: string, n = 1): EngineEvent => ({ action: 'start', ...about(service, n) }),
  kill: (service: string, n = 1): EngineEvent => ({ action: 'kill', ...about(service, n) }),
  die: (service: string, exitCode: number, n = 1): EngineEvent => ({ action: 'die', exitCode, ...about(service, n) }),
  healthy: (service: string, n = 1): EngineEvent => ({ action: 'health', health: 'healthy', ...about(service, n) }),
  unhealthy: (service: string, n = 1): EngineEvent => ({ action: 'health', health: 'unhealthy', ...about(service, n) }),
};

type Snapshot = SnapshotFrom<typeof devSessionMachine>;
type StateValue = Parameters<Snapshot['matches']>[0];

interface Session {
  readonly actor: ReturnType<typeof createActor<typeof devSessionMachine>>;
  readonly fakes: FakeActors;
  readonly records: RecordingRecordActions;
  readonly clock: SimulatedClock;
  readonly emitted: DevSessionEmitted[];
  readonly options: DevOptions;
  readonly plan: DevPlan;
}

function startSession(overrides: Partial<DevOptions> = {}, services: readonly ComposeService[] = shopServices): Session {
  const options = { ...defaultDevOptions, ...overrides };
  const fakes = createFakeActors();
  const records = new RecordingRecordActions();
  const clock = new SimulatedClock();
  const actor = createActor(provideFakes(fakes, records), { input: { options }, clock });
  const emitted: DevSessionEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  return { actor, fakes, records, clock, emitted, options, plan: buildPlan(devFilesWith(services), options) };
}

const snapshot = (s: Session): Snapshot => s.actor.getSnapshot();
const tags = (s: Session): string[] => [...snapshot(s).tags].sort();
const output = (s: Session): Promise<DevSessionOutput> => toPromise(s.actor);
/** Each service's status as the session last heard it. */
const statuses = (s: Session): Readonly<Record<string, ServiceStatus>> => snapshot(s).context.services;
const stateOf = (s: Session, service: string): string | undefined => statuses(s)[service]?.state;
/** The 'service' events emitted so far, as `<service> <state>`. */
const serviceReports = (s: Session): string[] =>
  s.emitted.flatMap((e) => (e.type === 'service' ? [`${e.status.service} ${e.status.state}`] : []));
/** The state of the spawned machine of `service` itself. */
const serviceMachineState = (s: Session, service: string): unknown =>
  (snapshot(s).children[`service:${service}`] as ActorRefFrom<typeof serviceMachine> | undefined)?.getSnapshot().value;
const nonServiceEmitted = (s: Session): DevSessionEmitted[] => s.emitted.filter((e) => e.type !== 'service');

async function at(s: Session, state: StateValue): Promise<void> {
  await waitFor(s.actor, (snap) => snap.matches(state) || snap.status !== 'active');
  expect(snapshot(s).value).toStrictEqual(state);
}

/** The engine says `events`, in order, through the live events follower. */
function play(s: Session, ...events: EngineEvent[]): void {
  for (const event of events) s.fakes.followEvents.engineEvent(event);
}

/** create + start (+ healthy when `healthy`) for a service. */
function up(s: Session, service: string, { healthy = false, n = 1 } = {}): void {
  play(s, engine.create(service, n), engine.start(service, n));
  if (healthy) play(s, engine.healthy(service, n));
}

async function toClaiming(s: Session): Promise<void> {
  s.fakes.validate.only().resolve(s.plan);
  await at(s, 'claiming');
}

async function toStarting(s: Session): Promise<void> {
  await toClaiming(s);
  s.fakes.claim.only().resolve({ stale: undefined });
  await at(s, 'starting');
}

async function toReconciling(s: Session, found: StaleSession = stale): Promise<void> {
  await toClaiming(s);
  s.fakes.claim.only().resolve({ stale: found });
  await at(s, 'reconciling');
}

/** From `starting`: `shop` up and attached, then a SIGINT: stopping gracefully. */
async function startedThenStopped(s: Session): Promise<void> {
  up(s, 'api');
  up(s, 'db', { healthy: true });
  await attachSeeded(s, psShop);
  await at(s, attachedValue);
  s.actor.send({ type: 'STOP', signal: 'SIGINT' });
  await at(s, { stopping: 'graceful' });
}

/** Attached, the one `ps` read after `up` under way. */
const seedingValue = { attached: { logs: 'following', engine: 'seeding' } } as const;
const attachedValue = { attached: { logs: 'following', engine: 'watching' } } as const;
/** No service is active: the log stream gets its moment to drain, unless one comes back. */
const endedValue = { attached: { logs: 'following', engine: 'ended' } } as const;
const drainingValue = { attached: { logs: 'following', engine: 'draining' } } as const;
/** What `ps` says of services whose one container (`<service>-1`) runs, no healthcheck. */
const psRunning = (...services: string[]): ObservedServices =>
  Object.fromEntries(services.map((service) => [service, { container: `${service}-1`, state: 'running', health: '', exitCode: 0 }]));
/** What `ps` says of `shop` with api running and db healthy. */
const psShop = {
  api: { container: 'api-1', state: 'running', health: '', exitCode: 0 },
  db: { container: 'db-1', state: 'running', health: 'healthy', exitCode: 0 },
} as const;

/** The stack ended: the session waits for the log stream to drain; compose ends it; stopping. */
async function stackEndedThenDrained(s: Session): Promise<void> {
  await at(s, endedValue);
  expect(s.fakes.teardown.calls).toHaveLength(0);
  s.fakes.followLogs.endLogs(undefined);
  await at(s, { stopping: 'graceful' });
}

/** Foreground: up resolved, every service of `shop` running (db healthy); the `ps` read after it pending. */
async function toSeeding(s: Session): Promise<void> {
  await toStarting(s);
  up(s, 'api');
  up(s, 'db', { healthy: true });
  s.fakes.start.only().resolve();
  await at(s, seedingValue);
}

/** Foreground: attached and watching, the `ps` read after `up` done (it saw what the events said). */
async function toAttached(s: Session): Promise<void> {
  await toSeeding(s);
  s.fakes.observeServices.only().resolve(psShop);
  await at(s, attachedValue);
}

/** `up` resolved with the engine events so far; then the `ps` read after it saw `observed`. */
async function attachSeeded(s: Session, observed: ObservedServices = {}): Promise<void> {
  s.fakes.start.only().resolve();
  await at(s, seedingValue);
  s.fakes.observeServices.only().resolve(observed);
}

/** --wait: `up` returned; the `ps` read after it is pending. */
async function toWaiting(s: Session): Promise<void> {
  await toStarting(s);
  s.fakes.start.only().resolve();
  await at(s, { waiting: 'observing' });
}

/** --wait: the `ps` read after `up` saw nothing; the events decide from here. */
async function toWatching(s: Session, fromStart = true): Promise<void> {
  if (fromStart) await toWaiting(s);
  s.fakes.observeServices.only().resolve({});
  await at(s, { waiting: 'watching' });
}

async function toGraceful(s: Session, signal: StopSignal = 'SIGINT'): Promise<void> {
  await toAttached(s);
  s.actor.send({ type: 'STOP', signal });
  await at(s, { stopping: 'graceful' });
}

async function toForced(s: Session, signals: [StopSignal, StopSignal] = ['SIGINT', 'SIGINT']): Promise<void> {
  await toGraceful(s, signals[0]);
  s.actor.send({ type: 'STOP', signal: signals[1] });
  await at(s, { stopping: 'forced' });
}

async function toDiagnosing(s: Session, failure: unknown = startFailed): Promise<void> {
  await toStarting(s);
  s.fakes.start.only().reject(failure);
  await at(s, { rollingBack: 'diagnosing' });
}

async function toRollbackTeardown(s: Session): Promise<void> {
  await toDiagnosing(s);
  s.fakes.diagnose.only().resolve(['api']);
  await at(s, { rollingBack: 'tearingDown' });
}

const foreground = { projectName: 'shop', mode: 'foreground' } as const;
const detach = { projectName: 'shop', mode: 'detach' } as const;

/** A foreground session's output once its teardown succeeded: `exitCode`, and what `more` says. */
const stoppedOutput = (exitCode: number, more: Partial<DevSessionOutput> = {}): DevSessionOutput => ({
  ...foreground,
  finalState: 'stopped',
  exitCode,
  failure: undefined,
  teardownFailure: undefined,
  signal: undefined,
  leftBehind: undefined,
  ...more,
});

describe('foreground happy path', () => {
  it('goes validating → claiming → starting → attached, passing each actor its input', async () => {
    const s = startSession();
    expect(snapshot(s).value).toBe('validating');
    expect(tags(s)).toStrictEqual([]);
    expect(s.fakes.validate.only().input).toStrictEqual(s.options);
    expect(s.fakes.claim.calls).toHaveLength(0);

    await toClaiming(s);
    expect(tags(s)).toStrictEqual([]);
    expect(s.fakes.claim.only().input).toStrictEqual(s.plan);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.followEvents.calls).toHaveLength(0);

    s.fakes.claim.only().resolve({ stale: undefined });
    await at(s, 'starting');
    expect(tags(s)).toStrictEqual(['stackMayExist']);
    expect(s.fakes.reconcile.calls).toHaveLength(0);
    expect(s.fakes.start.only().input).toStrictEqual(s.plan);
    // The events stream is followed from before `up`, and one machine per expected service waits.
    expect(s.fakes.followEvents.only().input).toStrictEqual(s.plan);
    expect(Object.keys(snapshot(s).children).sort()).toStrictEqual(['followEvents', 'service:api', 'service:db', 'start']);
    expect(statuses(s)).toStrictEqual({
      api: { service: 'api', state: 'pending', ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: undefined, healthcheck: false },
      db: { service: 'db', state: 'pending', ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: undefined, healthcheck: true },
    });
    expect(s.fakes.followLogs.calls).toHaveLength(0);
    expect(s.fakes.observeServices.calls).toHaveLength(0);

    s.fakes.start.only().resolve();
    await at(s, seedingValue);
    expect(tags(s)).toStrictEqual(['stackMayExist']);
    expect(s.fakes.followLogs.only().input).toStrictEqual({ plan: s.plan, cursor: undefined, floor: undefined });
    expect(s.fakes.followLogs.only().stopped).toBe(false);
    // One `ps` read covers what happened before the events stream listened.
    expect(s.fakes.observeServices.only().input).toStrictEqual(s.plan);
    expect(s.fakes.followEvents.only().stopped).toBe(false);
    s.fakes.observeServices.only().resolve(psShop);
    await at(s, attachedValue);
    expect(statuses(s)).toStrictEqual({
      api: { service: 'api', state: 'running', ready: true, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'api-1', healthcheck: false },
      db: { service: 'db', state: 'healthy', ready: true, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'db-1', healthcheck: true },
    });
    // Watching reads nothing itself: the events decide from here.
    expect(s.fakes.observeServices.calls).toHaveLength(1);
    expect(s.fakes.followEvents.only().stopped).toBe(false);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.records.calls).toStrictEqual([
      { action: 'record', state: 'starting' },
      { action: 'record', state: 'attached' },
    ]);
  });

  it('on STOP stops both followers, tears down gracefully, releases the record and stops with 130', async () => {
    const s = startSession();
    await toGraceful(s, 'SIGINT');
    expect(tags(s)).toStrictEqual(['stackMayExist', 'tearingDown']);
    expect(s.fakes.followLogs.only().stopped).toBe(true);
    expect(s.fakes.followEvents.only().stopped).toBe(true);
    expect(s.fakes.teardown.only().input).toStrictEqual(s.plan);
    expect(s.fakes.forcedTeardown.calls).toHaveLength(0);

    // Nothing is said removed while the teardown runs.
    expect(s.emitted.some((e) => e.type === 'removed')).toBe(false);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(130, { signal: 'SIGINT' }));
    expect(s.fakes.teardown.only().signal.aborted).toBe(false);
    expect(nonServiceEmitted(s)).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'starting', projectName: 'shop' },
      { type: 'started', projectName: 'shop', mode: 'foreground' },
      { type: 'stopping', projectName: 'shop', cause: 'signal', signal: 'SIGINT' },
      // What the teardown actor resolved with, as it is.
      removed,
    ]);
    expect((s.emitted.at(-1) as Extract<DevSessionEmitted, { type: 'removed' }>).removal).toBe(removal);
    expect(s.records.calls).toStrictEqual([
      { action: 'record', state: 'starting' },
      { action: 'record', state: 'attached' },
      { action: 'record', state: 'stopping.graceful' },
      { action: 'releaseRecord' },
    ]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('exits 128+n for %s (%i) once the teardown succeeded', async (signal, exitCode) => {
    const s = startSession();
    await toGraceful(s, signal);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode,
      failure: undefined,
      teardownFailure: undefined,
      signal,
      leftBehind: undefined,
    });
  });

  it('takes the project name from the plan, not from the options', async () => {
    const s = startSession({ projectName: 'other' });
    s.fakes.validate.only().resolve(buildPlan(devFilesWith(shopServices), s.options));
    await at(s, 'claiming');
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect((await output(s)).projectName).toBe('other');
  });

  it('time passing while attached changes nothing (no timer decides the stack has ended)', async () => {
    const s = startSession();
    await toAttached(s);
    s.clock.increment(3_600_000);
    expect(snapshot(s).value).toStrictEqual(attachedValue);
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('time passing while the `ps` read after `up` hangs changes nothing either', async () => {
    const s = startSession();
    await toSeeding(s);
    s.clock.increment(3_600_000);
    expect(snapshot(s).value).toStrictEqual(seedingValue);
    expect(s.fakes.observeServices.only().signal.aborted).toBe(false);
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });
});

describe('failures before any container may exist', () => {
  it('an input error in validating fails with 1, runs nothing else, and releases the record', async () => {
    const s = startSession({ projectName: 'shop' });
    s.fakes.validate.only().reject(inputError);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 1,
      failure: inputError,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
    expect(snapshot(s).value).toBe('failed');
    expect(s.fakes.claim.calls).toHaveLength(0);
    expect(s.emitted).toStrictEqual([]);
    expect(s.records.calls).toStrictEqual([{ action: 'releaseRecord' }]);
  });

  it('reports no project name when validation fails without one', async () => {
    const s = startSession();
    s.fakes.validate.only().reject(inputError);
    expect((await output(s)).projectName).toBeUndefined();
  });

  it('validate rejecting with a plain Error is internal (3)', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const s = startSession();
    s.fakes.validate.only().reject(bug);
    expect(await output(s)).toStrictEqual({
      projectName: undefined,
      mode: 'foreground',
      finalState: 'failed',
      exitCode: 3,
      failure: { kind: 'internal', message: bug.stack },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it('a locked project fails claiming with 4: no reconcile, no start, no teardown', async () => {
    const s = startSession();
    await toClaiming(s);
    s.fakes.claim.only().reject(locked);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 4,
      failure: locked,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
    expect(s.fakes.reconcile.calls).toHaveLength(0);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.followEvents.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.emitted).toStrictEqual([{ type: 'planned', plan: s.plan, options: s.options }]);
    expect(s.records.calls).toStrictEqual([{ action: 'releaseRecord' }]);
  });

  it('a rejection with an unknown failure kind is internal (3)', async () => {
    const s = startSession();
    await toClaiming(s);
    s.fakes.claim.only().reject({ kind: 'no-such-kind', message: 'x' });
    expect(await output(s)).toMatchObject({ finalState: 'failed', exitCode: 3, failure: { kind: 'internal', message: '[object Object]' } });
  });

  it.each([
    [{ kind: 'compose-unavailable', message: 'docker compose is not installed' } as const, 2],
    [{ kind: 'engine-unreachable', message: 'the container engine is not reachable' } as const, 2],
    [{ kind: 'input', message: 'compose rejected .stagecraft/dev/compose.yaml: unknown key `sevices`' } as const, 1],
  ])('a start failing with %j created nothing: failed (%i) without a rollback', async (failure, exitCode) => {
    const s = startSession();
    await toStarting(s);
    s.fakes.start.only().reject(failure);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode,
      failure,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
    expect(s.fakes.diagnose.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.fakes.followEvents.only().stopped).toBe(true);
    expect(s.emitted.some((e) => e.type === 'rollingBack')).toBe(false);
    expect(s.records.calls).toStrictEqual([{ action: 'record', state: 'starting' }, { action: 'releaseRecord' }]);
  });
});

describe('a stale session found while claiming (SPEC §6)', () => {
  it('goes claiming → reconciling (tearingDown, recorded, announced) → starting, tearing the stale project down with its own plan first', async () => {
    const s = startSession();
    await toReconciling(s);
    expect(tags(s)).toStrictEqual(['tearingDown']);
    expect(snapshot(s).hasTag('stackMayExist')).toBe(false);
    expect(s.fakes.reconcile.only().input).toStrictEqual(stale);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.emitted).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'reconciling', stale },
    ]);
    expect(s.records.calls).toStrictEqual([{ action: 'record', state: 'reconciling' }]);

    s.fakes.reconcile.only().resolve(staleRemoval);
    await at(s, 'starting');
    // The stale project is said removed, with what the reconcile removed, before this one starts.
    expect(nonServiceEmitted(s).slice(2)).toStrictEqual([
      { type: 'removed', projectName: 'shop', removal: staleRemoval },
      { type: 'starting', projectName: 'shop' },
    ]);
    expect(snapshot(s).context.stale).toBeUndefined();
    expect(s.fakes.start.only().input).toStrictEqual(s.plan);

    await startedThenStopped(s);
    // The session's own teardown uses this session's plan, not the stale one.
    expect(s.fakes.teardown.only().input).toStrictEqual(s.plan);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(130, { signal: 'SIGINT' }));
  });

  it("a stale session of another project: `removed` names that project, then this one's teardown names this one", async () => {
    const s = startSession();
    const oldPlan = buildPlan(devFilesWith(shopServices), { ...defaultDevOptions, projectName: 'old' });
    await toReconciling(s, { project: 'old', pid: 4243, state: 'attached', plan: oldPlan });
    s.fakes.reconcile.only().resolve(staleRemoval);
    await at(s, 'starting');
    await startedThenStopped(s);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(130, { signal: 'SIGINT' }));
    expect(s.emitted.filter((e) => e.type === 'removed')).toStrictEqual([
      { type: 'removed', projectName: 'old', removal: staleRemoval },
      removed,
    ]);
  });

  it('a failing reconcile fails with 2, never starts, and leaves the record naming the stale teardown', async () => {
    const s = startSession();
    await toReconciling(s);
    s.fakes.reconcile.only().reject(teardownFailed);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: teardownFailed,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: stalePlan.teardown.down.argv, // the stale stack may still run
    });
    expect(s.emitted.some((e) => e.type === 'removed')).toBe(false);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.records.calls).toStrictEqual([
      { action: 'record', state: 'reconciling' },
      { action: 'leaveRecord', state: 'failed' },
    ]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('STOP (%s) cancels the reconcile and stops with %i, the stale stack left behind', async (signal, exitCode) => {
    const s = startSession();
    await toReconciling(s);
    s.actor.send({ type: 'STOP', signal });
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode,
      failure: undefined,
      teardownFailure: undefined,
      signal,
      leftBehind: stalePlan.teardown.down.argv,
    });
    expect(s.fakes.reconcile.only().signal.aborted).toBe(true);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    // The store puts the stale record back (restoreUnreconciled): the machine only says it is over.
    expect(s.records.calls).toStrictEqual([{ action: 'record', state: 'reconciling' }, { action: 'releaseRecord' }]);
  });
});

describe('rollback after a failed start', () => {
  it('diagnoses (with the services as the events left them), tears down and fails with 2', async () => {
    const s = startSession();
    await toStarting(s);
    up(s, 'db');
    play(s, engine.create('api'));
    s.fakes.start.only().reject(startFailed);
    await at(s, { rollingBack: 'diagnosing' });
    expect(tags(s)).toStrictEqual(['stackMayExist', 'startFailed']);
    expect(s.fakes.followEvents.only().stopped).toBe(true);
    const diagnose = s.fakes.diagnose.only().input;
    expect(diagnose.plan).toStrictEqual(s.plan);
    expect(diagnose.failure).toStrictEqual(startFailed);
    expect(diagnose.services.map((st) => `${st.service} ${st.state} ${st.container}`)).toStrictEqual([
      'api created api-1',
      'db starting db-1',
    ]);
    expect(s.fakes.teardown.calls).toHaveLength(0);

    s.fakes.diagnose.only().resolve(['api', 'db']);
    await at(s, { rollingBack: 'tearingDown' });
    expect(tags(s)).toStrictEqual(['stackMayExist', 'startFailed', 'tearingDown']);
    expect(s.fakes.teardown.only().input).toStrictEqual(s.plan);

    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: { ...startFailed, services: ['api', 'db'] },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
    expect(s.fakes.followLogs.calls).toHaveLength(0);
    expect(nonServiceEmitted(s)).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'starting', projectName: 'shop' },
      { type: 'rollingBack', keepOnFailure: false },
      { type: 'rollbackTeardown', projectName: 'shop' },
      removed,
    ]);
    expect(s.records.calls).toStrictEqual([
      { action: 'record', state: 'starting' },
      { action: 'record', state: 'rollingBack.diagnosing' },
      { action: 'record', state: 'rollingBack.tearingDown' },
      { action: 'releaseRecord' },
    ]);
  });

  it('keeps services the failure already names rather than the diagnostics', async () => {
    const s = startSession();
    await toDiagnosing(s, { ...startFailed, services: ['db'] });
    s.fakes.diagnose.only().resolve(['api']);
    await at(s, { rollingBack: 'tearingDown' });
    s.fakes.teardown.only().resolve(removal);
    expect((await output(s)).failure).toStrictEqual({ ...startFailed, services: ['db'] });
  });

  it('still tears down when the diagnostics fail', async () => {
    const s = startSession();
    await toDiagnosing(s);
    s.fakes.diagnose.only().reject(new Error('logs failed'));
    await at(s, { rollingBack: 'tearingDown' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: startFailed,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it.each([
    ['resolve', { ...startFailed, services: ['db'] }],
    ['reject', startFailed],
  ] as const)('with --keep-on-failure (diagnostics %s) does not tear down, leaves the record and names what was left behind', async (how, failure) => {
    const s = startSession({ keepOnFailure: true });
    await toDiagnosing(s);
    if (how === 'resolve') s.fakes.diagnose.only().resolve(['db']);
    else s.fakes.diagnose.only().reject(new Error('logs failed'));
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: teardownArgv,
    });
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'rollingBack', keepOnFailure: true });
    expect(s.records.calls).toStrictEqual([
      { action: 'record', state: 'starting' },
      { action: 'record', state: 'rollingBack.diagnosing' },
      { action: 'leaveRecord', state: 'failed' },
    ]);
  });

  it('a failing rollback teardown is recorded beside the start failure, and the record stays', async () => {
    const s = startSession();
    await toRollbackTeardown(s);
    s.fakes.teardown.only().reject(teardownFailed);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: { ...startFailed, services: ['api'] },
      teardownFailure: teardownFailed,
      signal: undefined,
      leftBehind: teardownArgv,
    });
    expect(s.records.calls.at(-1)).toStrictEqual({ action: 'leaveRecord', state: 'failed' });
  });

  it('a start that rejects with a plain Error is internal (3), and is rolled back', async () => {
    const bug = new Error('bug in start');
    const s = startSession();
    await toDiagnosing(s, bug);
    s.fakes.diagnose.only().resolve([]);
    await at(s, { rollingBack: 'tearingDown' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'failed', exitCode: 3, failure: { kind: 'internal', message: bug.stack } });
  });
});

describe('--detach without --wait', () => {
  it('goes starting → detached with 0, follows no events nor logs, and leaves the record', async () => {
    const s = startSession({ mode: 'detach' });
    await toStarting(s);
    expect(s.fakes.followEvents.calls).toHaveLength(0);
    expect(snapshot(s).children['followEvents']).toBeUndefined();
    s.fakes.start.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...detach,
      finalState: 'detached',
      exitCode: 0,
      failure: undefined,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: teardownArgv,
    });
    expect(snapshot(s).value).toBe('detached');
    expect(s.fakes.followEvents.calls).toHaveLength(0);
    expect(s.fakes.followLogs.calls).toHaveLength(0);
    expect(s.fakes.observeServices.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(nonServiceEmitted(s)).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'starting', projectName: 'shop' },
      { type: 'started', projectName: 'shop', mode: 'detach' },
    ]);
    expect(s.records.calls).toStrictEqual([
      { action: 'record', state: 'starting' },
      { action: 'leaveRecord', state: 'detached' },
    ]);
  });

  it('STOP while starting cancels the start, tears down and stops with 128+n', async () => {
    const s = startSession({ mode: 'detach' });
    await toStarting(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'graceful' });
    expect(s.fakes.start.only().signal.aborted).toBe(true);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ ...detach, finalState: 'stopped', exitCode: 130, leftBehind: undefined });
  });
});

/** `shop` for --wait: api (no healthcheck), db (healthcheck), migrate (a one-shot). */
const waitServices: readonly ComposeService[] = [svc('api'), svc('db', { healthcheck: true }), svc('migrate')];

const observing = { waiting: 'observing' } as const;
const watching = { waiting: 'watching' } as const;

describe('--detach --wait: readiness is the machine’s (SPEC §4)', () => {
  it('reads `ps` once, then waits until every service is ready: db healthy, api running, migrate exited 0; then detaches with 0', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toStarting(s);
    expect(s.fakes.followEvents.only().input).toStrictEqual(s.plan);
    s.fakes.start.only().resolve();
    await at(s, observing);
    expect(tags(s)).toStrictEqual(['stackMayExist']);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'waiting', services: ['api', 'db', 'migrate'], timeoutSeconds: 120 });
    expect(s.fakes.observeServices.only().input).toStrictEqual(s.plan);
    s.fakes.observeServices.only().resolve({});
    await at(s, watching);

    up(s, 'db');
    up(s, 'migrate');
    play(s, engine.die('migrate', 0));
    up(s, 'api');
    expect(snapshot(s).value).toStrictEqual(watching);
    play(s, engine.healthy('db'));

    expect(await output(s)).toStrictEqual({
      ...detach,
      finalState: 'detached',
      exitCode: 0,
      failure: undefined,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: teardownArgv,
    });
    expect(s.fakes.followEvents.only().stopped).toBe(true);
    expect(s.fakes.followLogs.calls).toHaveLength(0);
    expect(s.records.calls).toStrictEqual([
      { action: 'record', state: 'starting' },
      { action: 'record', state: 'waiting' },
      { action: 'leaveRecord', state: 'detached' },
    ]);
    expect(nonServiceEmitted(s).map((e) => e.type)).toStrictEqual(['planned', 'starting', 'waiting', 'started']);
  });

  it('does not judge readiness before the `ps` read after `up` (a start alone is not yet ready)', async () => {
    const s = startSession({ mode: 'detach', wait: true }, [svc('api')]);
    await toWaiting(s);
    up(s, 'api');
    expect(statuses(s)['api']?.ready).toBe(true);
    expect(snapshot(s).value).toStrictEqual(observing);
    s.fakes.observeServices.only().resolve({ api: { container: 'api-1', state: 'running', health: '', exitCode: 0 } });
    expect(await output(s)).toMatchObject({ finalState: 'detached', exitCode: 0 });
  });

  it('a failed `ps` read does not stop the wait: the events alone decide', async () => {
    const s = startSession({ mode: 'detach', wait: true }, [svc('api')]);
    await toWaiting(s);
    s.fakes.observeServices.only().reject({ kind: 'command-failed', message: 'ps failed' });
    await at(s, watching);
    expect(snapshot(s).context.failure).toBeUndefined();
    up(s, 'api');
    expect(await output(s)).toMatchObject({ finalState: 'detached', exitCode: 0, failure: undefined });
  });

  it('a service that already was ready when `up` returned is not waited for', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toStarting(s);
    up(s, 'api');
    up(s, 'migrate');
    play(s, engine.die('migrate', 0));
    s.fakes.start.only().resolve();
    await at(s, observing);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'waiting', services: ['db'], timeoutSeconds: 120 });
  });

  it('takes what the `ps` read saw for the services the events have not reached', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWaiting(s);
    up(s, 'api');
    s.fakes.observeServices.only().resolve({
      // api was reached by an event (running) and ps agrees: the read changes nothing for it.
      api: { container: 'api-1', state: 'running', health: '', exitCode: 0 },
      db: { container: 'db-1', state: 'running', health: 'healthy', exitCode: 0 },
      migrate: { container: 'migrate-1', state: 'exited', health: '', exitCode: 0 },
    });
    expect((await output(s)).finalState).toBe('detached');
    expect(serviceReports(s)).toStrictEqual([
      'api pending',
      'db pending',
      'migrate pending',
      'api created',
      'api running',
      'db healthy',
      'migrate exited',
    ]);
    expect(stateOf(s, 'api')).toBe('running');
  });

  it('a service the events have running but the `ps` read saw dead (its die on the way) fails the wait', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWaiting(s);
    up(s, 'api');
    s.fakes.observeServices.only().resolve({ api: { container: 'api-1', state: 'exited', health: '', exitCode: 1 } });
    await at(s, { rollingBack: 'diagnosing' });
    expect(stateOf(s, 'api')).toBe('exited');
    expect(snapshot(s).context.failure).toMatchObject({ kind: 'start-failed', services: ['api'] });
  });

  it('a one-shot the `ps` read saw exit non-zero as `up` returned fails the wait', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWaiting(s);
    s.fakes.observeServices.only().resolve({ migrate: { container: 'migrate-1', state: 'exited', health: '', exitCode: 1 } });
    await at(s, { rollingBack: 'diagnosing' });
    expect(snapshot(s).context.failure).toMatchObject({ kind: 'start-failed', services: ['migrate'] });
  });

  it('a restarting service is not a failure: it is waited for', async () => {
    const s = startSession({ mode: 'detach', wait: true }, [svc('api', { restart: { kind: 'always' } }), svc('db', { healthcheck: true })]);
    await toWatching(s);
    up(s, 'api');
    play(s, engine.die('api', 1));
    expect(stateOf(s, 'api')).toBe('restarting');
    expect(snapshot(s).value).toStrictEqual(watching);
    play(s, engine.start('api'));
    up(s, 'db', { healthy: true });
    expect(await output(s)).toMatchObject({ finalState: 'detached', exitCode: 0 });
  });

  it.each([1, 137])('fails at once when a service exits %i while waiting, naming it; rolls back', async (code) => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWatching(s);
    up(s, 'api');
    up(s, 'migrate');
    play(s, engine.die('migrate', code));
    await at(s, { rollingBack: 'diagnosing' });
    const failure: SessionFailure = {
      kind: 'start-failed',
      message: `starting project shop failed: migrate exited with code ${code} before the stack was ready`,
      stderrTail: '',
      services: ['migrate'],
    };
    expect(snapshot(s).context.failure).toStrictEqual(failure);
    expect(s.fakes.followEvents.only().stopped).toBe(true);
    expect(s.fakes.diagnose.only().input.failure).toStrictEqual(failure);
    expect(s.fakes.diagnose.only().input.services.find((st) => st.service === 'migrate')).toMatchObject({
      state: 'exited',
      exitCode: code,
      container: 'migrate-1',
    });
    s.fakes.diagnose.only().resolve(['migrate']);
    await at(s, { rollingBack: 'tearingDown' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual({
      ...detach,
      finalState: 'failed',
      exitCode: 2,
      failure,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it('fails even before the `ps` read when a service exits non-zero', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWaiting(s);
    up(s, 'migrate');
    play(s, engine.die('migrate', 1));
    await at(s, { rollingBack: 'diagnosing' });
    expect(s.fakes.observeServices.only().signal.aborted).toBe(true);
  });

  it('fails at once when a service turns unhealthy, naming it', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWatching(s);
    up(s, 'db');
    play(s, engine.unhealthy('db'));
    await at(s, { rollingBack: 'diagnosing' });
    expect(snapshot(s).context.failure).toStrictEqual({
      kind: 'start-failed',
      message: 'starting project shop failed: db turned unhealthy before the stack was ready',
      stderrTail: '',
      services: ['db'],
    });
    expect(s.fakes.diagnose.only().input.services.find((st) => st.service === 'db')).toMatchObject({
      state: 'unhealthy',
      healthcheck: true,
      container: 'db-1',
    });
  });

  it('names every failed service when several fail together', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toStarting(s);
    up(s, 'db');
    play(s, engine.unhealthy('db'), engine.start('migrate'), engine.die('migrate', 3));
    s.fakes.start.only().resolve();
    await at(s, { rollingBack: 'diagnosing' });
    expect(snapshot(s).context.failure).toMatchObject({
      message: 'starting project shop failed: db turned unhealthy, migrate exited with code 3 before the stack was ready',
      services: ['db', 'migrate'],
    });
  });

  it('--wait-timeout: not ready in time names every service not ready and what it waits for', async () => {
    const s = startSession({ mode: 'detach', wait: true, waitTimeoutSeconds: 30 }, [
      ...waitServices,
      svc('worker', { restart: { kind: 'always' } }),
      svc('cache'),
    ]);
    await toWatching(s);
    up(s, 'api');
    up(s, 'db');
    play(s, engine.create('migrate'));
    up(s, 'worker');
    play(s, engine.die('worker', 1));

    s.clock.increment(29_999);
    expect(snapshot(s).value).toStrictEqual(watching);
    s.clock.increment(1);
    await at(s, { rollingBack: 'diagnosing' });
    const failure: SessionFailure = {
      kind: 'start-failed',
      message:
        'project shop was not ready after 30 s: cache (not created yet), db (waiting for healthy), migrate (created, not started), worker (restarting (0)); raise --wait-timeout if it needs longer',
      stderrTail: '',
      services: ['cache', 'db', 'migrate', 'worker'],
    };
    expect(snapshot(s).context.failure).toStrictEqual(failure);
    s.fakes.diagnose.only().resolve(['db']);
    await at(s, { rollingBack: 'tearingDown' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'failed', exitCode: 2, failure });
  });

  it('the wait timeout runs from `up` returning, also while the `ps` read hangs', async () => {
    const s = startSession({ mode: 'detach', wait: true, waitTimeoutSeconds: 30 }, [svc('api')]);
    await toStarting(s);
    s.clock.increment(60_000);
    expect(snapshot(s).value).toBe('starting');
    s.fakes.start.only().resolve();
    await at(s, observing);
    s.clock.increment(30_000);
    await at(s, { rollingBack: 'diagnosing' });
    expect(snapshot(s).context.failure).toMatchObject({ services: ['api'] });
  });

  it('STOP while waiting tears down', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWatching(s);
    s.actor.send({ type: 'STOP', signal: 'SIGTERM' });
    await at(s, { stopping: 'graceful' });
    expect(s.fakes.followEvents.only().stopped).toBe(true);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ ...detach, finalState: 'stopped', exitCode: 143, leftBehind: undefined });
  });

  it.each([
    ['observing', observing],
    ['watching', watching],
  ] as const)('the events stream ending while %s: one `ps` read resyncs and the stream is followed again', async (_, from) => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWaiting(s);
    if (from === watching) await toWatching(s, false);
    s.fakes.followEvents.endEvents('the engine restarted');
    await at(s, { waiting: 'resyncing' });
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'eventsLost', reason: 'the engine restarted' });
    expect(s.fakes.observeServices.last().input).toStrictEqual(s.plan);
    s.fakes.observeServices.last().resolve({ migrate: { container: 'migrate-1', state: 'exited', health: '', exitCode: 0 } });
    await at(s, watching);
    expect(stateOf(s, 'migrate')).toBe('exited');
    expect(s.fakes.followEvents.nth(0, 2).stopped).toBe(true);
    expect(s.fakes.followEvents.nth(1, 2).stopped).toBe(false);
    up(s, 'api');
    up(s, 'db', { healthy: true });
    expect(await output(s)).toMatchObject({ finalState: 'detached', exitCode: 0 });
  });

  it('a resync that fails rolls the start back', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWatching(s);
    s.fakes.followEvents.endEvents();
    await at(s, { waiting: 'resyncing' });
    const psFailed: SessionFailure = { kind: 'engine-unreachable', message: 'the container engine is not reachable' };
    s.fakes.observeServices.last().reject(psFailed);
    await at(s, { rollingBack: 'diagnosing' });
    expect(snapshot(s).context.failure).toStrictEqual(psFailed);
  });

  it(`the events stream ending more than ${maxEventsRestarts} times while waiting rolls the start back`, async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toWatching(s);
    for (let lost = 1; lost <= maxEventsRestarts; lost += 1) {
      s.fakes.followEvents.endEvents();
      await at(s, { waiting: 'resyncing' });
      s.fakes.observeServices.last().resolve({});
      await at(s, watching);
    }
    s.fakes.followEvents.endEvents();
    await at(s, { rollingBack: 'diagnosing' });
    expect(snapshot(s).context.failure).toStrictEqual({
      kind: 'command-failed',
      message: `the engine's event stream (\`${s.plan.events.argv.join(' ')}\`) ended ${maxEventsRestarts + 1} times; check the engine (\`docker info\`) and run \`stagecraft dev\` again`,
    });
  });
});

describe('foreground --wait', () => {
  it('waits, then attaches once every service is ready', async () => {
    const s = startSession({ wait: true }, waitServices);
    await toWatching(s);
    up(s, 'api');
    up(s, 'db', { healthy: true });
    up(s, 'migrate');
    await at(s, seedingValue);
    expect(s.fakes.followEvents.only().stopped).toBe(false);
    expect(s.fakes.followLogs.only().input).toStrictEqual({ plan: s.plan, cursor: undefined, floor: time });
    // attached reads `ps` again for itself, once.
    expect(s.fakes.observeServices.calls).toHaveLength(2);
    s.fakes.observeServices.nth(1, 2).resolve({});
    await at(s, attachedValue);
    expect(s.fakes.observeServices.calls).toHaveLength(2);
    expect(s.records.calls.map((c) => c.action === 'record' && c.state)).toStrictEqual(['starting', 'waiting', 'attached']);
  });
});

describe('attached: the engine’s events drive one machine per service', () => {
  it('forwards each event to its service’s machine and keeps the statuses it reports', async () => {
    const s = startSession();
    await toStarting(s);
    await attachSeeded(s);
    await at(s, attachedValue);
    play(s, engine.create('db'), engine.start('db'));
    expect(serviceMachineState(s, 'db')).toBe('starting');
    expect(statuses(s)['db']).toMatchObject({ state: 'starting', ready: false, container: 'db-1' });
    play(s, engine.healthy('db'));
    expect(serviceMachineState(s, 'db')).toBe('healthy');
    expect(s.emitted.at(-1)).toStrictEqual({
      type: 'service',
      status: { service: 'db', state: 'healthy', ready: true, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'db-1', healthcheck: true },
      previous: { service: 'db', state: 'starting', ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'db-1', healthcheck: true },
    });
  });

  it('reports an exit that happened before the log stream started', async () => {
    const s = startSession({}, [svc('api'), svc('worker')]);
    await toStarting(s);
    up(s, 'api');
    up(s, 'worker');
    play(s, engine.die('worker', 111));
    const reported = s.emitted.at(-1);
    expect(reported).toMatchObject({ type: 'service', status: { service: 'worker', state: 'exited', exitCode: 111, failed: true }, previous: { state: 'running' } });
    await attachSeeded(s, { ...psRunning('api'), worker: { container: 'worker-1', state: 'exited', health: '', exitCode: 111 } });
    await at(s, attachedValue);
    expect(stateOf(s, 'worker')).toBe('exited');
    expect(serviceReports(s).filter((r) => r.startsWith('worker'))).toStrictEqual(['worker pending', 'worker created', 'worker running', 'worker exited']);
  });

  it('a stack that ended before `up` returned goes straight on to stopping', async () => {
    const s = startSession({}, [svc('migrate')]);
    await toStarting(s);
    up(s, 'migrate');
    play(s, engine.die('migrate', 0));
    s.fakes.start.only().resolve();
    // The `ps` read after `up` comes first: it may know of a service the events missed.
    await at(s, seedingValue);
    s.fakes.observeServices.only().resolve({ migrate: { container: 'migrate-1', state: 'exited', health: '', exitCode: 0 } });
    await stackEndedThenDrained(s);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'stopping', projectName: 'shop', cause: 'stack-ended', signal: undefined });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'stopped', exitCode: 0, failure: undefined });
  });

  it('an event about a service compose.yaml does not name (a `run`, a profile) gets a machine with default spec', async () => {
    const s = startSession();
    await toAttached(s);
    up(s, 'debug');
    expect(snapshot(s).children['service:debug']).toBeDefined();
    expect(statuses(s)['debug']).toMatchObject({ state: 'running', healthcheck: false });
    play(s, engine.create('oneoff-run'), engine.start('oneoff-run'));
    expect(statuses(s)['oneoff-run']).toMatchObject({ state: 'running', healthcheck: false });
  });

  it('the stack has not ended while one service still runs', async () => {
    const s = startSession();
    await toAttached(s);
    play(s, engine.die('api', 0));
    expect(stateOf(s, 'api')).toBe('exited');
    expect(snapshot(s).value).toStrictEqual(attachedValue);
  });

  it('every service exited 0 → the stack ended: the logs drain, then stopping (stack-ended), teardown, stopped with 0', async () => {
    const s = startSession();
    await toAttached(s);
    play(s, engine.die('api', 0), engine.die('db', 0));
    await at(s, endedValue);
    // Not decided yet: a service may come back (see `compose restart` below).
    expect(snapshot(s).context.stopCause).toBeUndefined();
    // The log stream still prints the ended stack's last lines; the events are still read.
    expect(s.fakes.followLogs.only().stopped).toBe(false);
    expect(s.fakes.followEvents.only().stopped).toBe(false);
    expect(s.fakes.teardown.calls).toHaveLength(0);

    // It ended by itself: the log stream ending is the end, at once (no time passes).
    s.fakes.followLogs.endLogs(undefined);
    await at(s, { stopping: 'graceful' });
    expect(snapshot(s).context.stopCause).toBe('stack-ended');
    expect(s.fakes.followLogs.only().stopped).toBe(true);
    expect(s.fakes.followEvents.only().stopped).toBe(true);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'stopping', projectName: 'shop', cause: 'stack-ended', signal: undefined });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(0));
    expect(s.records.calls.slice(-2)).toStrictEqual([{ action: 'record', state: 'stopping.graceful' }, { action: 'releaseRecord' }]);
  });

  it('an ended stack whose log stream does not end: after logDrainTimeout (2 s) the logs are followed again from the cursor, and that stream\'s end stops it', async () => {
    const s = startSession();
    await toAttached(s);
    play(s, engine.die('api', 0), engine.die('db', 0));
    await at(s, endedValue);
    s.clock.increment(1_999);
    expect(snapshot(s).value).toStrictEqual(endedValue);
    expect(s.fakes.followLogs.only().received).toStrictEqual([]);
    s.clock.increment(1);
    await at(s, drainingValue);
    // Not a new actor: the follower stops its stream and starts one from where it got to.
    expect(s.fakes.followLogs.only().received).toStrictEqual([{ type: 'REATTACH_LOGS' }]);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.emitted.filter((e) => e.type === 'stopping')).toStrictEqual([]);
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { stopping: 'graceful' });
    expect(s.fakes.followLogs.only().stopped).toBe(true);
    expect(snapshot(s).context.stopCause).toBe('stack-ended');
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'stopping', projectName: 'shop', cause: 'stack-ended', signal: undefined });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(0));
  });

  it('an ended stack whose drained log stream does not end either (a frozen engine) is stopped after logDrainDeadline (15 s)', async () => {
    const s = startSession();
    await toAttached(s);
    play(s, engine.die('api', 0), engine.die('db', 3));
    await at(s, endedValue);
    s.clock.increment(2_000);
    await at(s, drainingValue);
    s.clock.increment(14_999);
    expect(snapshot(s).value).toStrictEqual(drainingValue);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    s.clock.increment(1);
    await at(s, { stopping: 'graceful' });
    expect(s.fakes.followLogs.only().stopped).toBe(true);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'stopping', projectName: 'shop', cause: 'stack-ended', signal: undefined });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(2, { failure: { kind: 'services-failed', services: [{ service: 'db', state: 'exited', exitCode: 3 }] } }));
  });

  it('a service that comes back while the ended stack drains: watching again, the session goes on', async () => {
    const s = startSession({}, [svc('api'), svc('db')]);
    await toStarting(s);
    up(s, 'api');
    up(s, 'db');
    await attachSeeded(s, psRunning('api', 'db'));
    await at(s, attachedValue);
    play(s, engine.kill('api'), engine.die('api', 143), engine.kill('db'), engine.die('db', 143));
    await at(s, endedValue);
    s.clock.increment(2_000);
    await at(s, drainingValue);
    play(s, engine.start('api'));
    await at(s, attachedValue);
    s.clock.increment(60_000);
    expect(snapshot(s).value).toStrictEqual(attachedValue);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(130, { signal: 'SIGINT' }));
  });

  it('STOP while the ended stack drains its logs stops with 128+n', async () => {
    const s = startSession();
    await toAttached(s);
    play(s, engine.die('api', 0), engine.die('db', 0));
    await at(s, endedValue);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'stopped', exitCode: 130, failure: undefined, signal: 'SIGINT' });
  });

  it.each([1, 3, 137])('a service of the ended stack exited %i → stopped with 2, naming it (services-failed)', async (code) => {
    const s = startSession({}, [svc('api'), svc('worker'), svc('zeta')]);
    await toStarting(s);
    up(s, 'api');
    up(s, 'worker');
    up(s, 'zeta');
    await attachSeeded(s, psRunning('api', 'worker', 'zeta'));
    await at(s, attachedValue);
    play(s, engine.die('zeta', 0), engine.die('worker', code), engine.die('api', 0));
    await stackEndedThenDrained(s);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(2, { failure: { kind: 'services-failed', services: [{ service: 'worker', state: 'exited', exitCode: code }] } }));
  });

  it('a restart: on-failure:2 service is not the end of the stack until its restarts are used up', async () => {
    const s = startSession({}, [svc('worker', { restart: { kind: 'on-failure', maxRetries: 2 } })]);
    await toStarting(s);
    up(s, 'worker');
    await attachSeeded(s, psRunning('worker'));
    await at(s, attachedValue);

    play(s, engine.die('worker', 1));
    expect(stateOf(s, 'worker')).toBe('restarting');
    play(s, engine.start('worker'));
    play(s, engine.die('worker', 1));
    expect(stateOf(s, 'worker')).toBe('restarting');
    play(s, engine.start('worker'));
    expect(snapshot(s).value).toStrictEqual(attachedValue);
    expect(serviceReports(s)).toStrictEqual([
      'worker pending',
      'worker created',
      'worker running',
      'worker restarting',
      'worker running',
      'worker restarting',
      'worker running',
    ]);

    play(s, engine.die('worker', 2));
    await stackEndedThenDrained(s);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({
      finalState: 'stopped',
      exitCode: 2,
      failure: { kind: 'services-failed', services: [{ service: 'worker', state: 'exited', exitCode: 2 }] },
    });
  });

  it('a service stopped by hand (kill, die) is stopped, not exited, even with restart: always; no services-failed', async () => {
    const s = startSession({}, [svc('api', { restart: { kind: 'always' } })]);
    await toStarting(s);
    up(s, 'api');
    await attachSeeded(s, psRunning('api'));
    await at(s, attachedValue);
    play(s, engine.kill('api'));
    expect(stateOf(s, 'api')).toBe('stopping');
    expect(snapshot(s).value).toStrictEqual(attachedValue);
    play(s, engine.die('api', 137));
    expect(statuses(s)['api']).toStrictEqual({
      service: 'api', state: 'stopped', ready: false, active: false, failed: false, exitCode: 137, restarts: 0, container: 'api-1', healthcheck: false,
    });
    await at(s, endedValue);
    s.clock.increment(2_000);
    await at(s, drainingValue);
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(0));
  });

  it('the `ps` read after `up` fills in services the events missed; a failed read changes nothing', async () => {
    const s = startSession();
    await toStarting(s);
    up(s, 'api');
    s.fakes.start.only().resolve();
    await at(s, seedingValue);
    s.fakes.observeServices.only().resolve({
      api: { container: 'api-1', state: 'exited', health: '', exitCode: 0 },
      db: { container: 'db-1', state: 'running', health: 'healthy', exitCode: 0 },
    });
    await at(s, attachedValue);
    expect(stateOf(s, 'db')).toBe('healthy');
    // ps saw api dead while its events still had it running: its die is on the way.
    expect(stateOf(s, 'api')).toBe('exited');

    const t = startSession();
    await toSeeding(t);
    t.fakes.observeServices.only().reject({ kind: 'command-failed', message: 'ps failed' });
    await at(t, attachedValue);
    expect(snapshot(t).context.failure).toBeUndefined();
    expect(stateOf(t, 'api')).toBe('running');
    expect(stateOf(t, 'db')).toBe('healthy');
  });

  it('the `ps` read after `up` leaves a service the events reached alone: its next event is on the way', async () => {
    const s = startSession();
    await toStarting(s);
    play(s, engine.create('api'));
    await attachSeeded(s, psShop);
    await at(s, attachedValue);
    // api: the events said created, ps says running (its start event comes next); db had no event.
    expect(stateOf(s, 'api')).toBe('created');
    expect(stateOf(s, 'db')).toBe('healthy');
    expect(s.fakes.followEvents.only().stopped).toBe(false);
  });

  it('the stack ended by itself, then a service started again before the drain ended: watching again, no ending', async () => {
    const s = startSession();
    await toAttached(s);
    play(s, engine.die('api', 0), engine.die('db', 0));
    await at(s, endedValue);
    s.clock.increment(1_999);
    play(s, engine.start('api'));
    await at(s, attachedValue);
    expect(statuses(s)['api']).toMatchObject({ state: 'running', active: true, restarts: 1 });
    s.clock.increment(3_600_000);
    expect(snapshot(s).value).toStrictEqual(attachedValue);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(snapshot(s).context.stopCause).toBeUndefined();
  });
});

const cursor1: LogCursor = { since: '2026-01-02T03:04:05.000000001Z', seen: { 'api-1': '2026-01-02T03:04:05.000000001Z' } };

describe('attached: the log stream', () => {
  it('compose ending the logs while services run → between → after reattachDelay, following again from the cursor', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { attached: { logs: 'between', engine: 'watching' } });
    expect(s.fakes.followLogs.only().stopped).toBe(true);
    expect(snapshot(s).context.logCursor).toStrictEqual(cursor1);

    s.clock.increment(499);
    expect(s.fakes.followLogs.calls).toHaveLength(1);
    s.clock.increment(1);
    await at(s, attachedValue);
    expect(s.fakes.followLogs.nth(1, 2).input).toStrictEqual({ plan: s.plan, cursor: cursor1, floor: time });
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'logsReattaching', since: cursor1.since });
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('the follower’s floor is the engine time of the first event the session saw, before `up` returned', async () => {
    const s = startSession();
    await toStarting(s);
    play(
      s,
      { action: 'create', service: 'api', container: 'api-1', time: '2026-01-02T03:04:01.5Z' },
      { action: 'start', service: 'api', container: 'api-1', time: '2026-01-02T03:04:02.5Z' },
    );
    await attachSeeded(s, psRunning('api'));
    await at(s, attachedValue);
    play(s, engine.create('db'));
    s.fakes.followLogs.endLogs(cursor1);
    s.clock.increment(500);
    await at(s, attachedValue);
    expect(s.fakes.followLogs.calls.map((c) => c.input.floor)).toStrictEqual(['2026-01-02T03:04:01.5Z', '2026-01-02T03:04:01.5Z']);
  });

  it('with no engine event yet (no floor), the re-attach follows from a cursor without since: all again', async () => {
    const s = startSession();
    await toStarting(s);
    await attachSeeded(s, psShop);
    await at(s, attachedValue);
    expect(snapshot(s).context.firstEventTime).toBeUndefined();
    expect(s.fakes.followLogs.only().input).toStrictEqual({ plan: s.plan, cursor: undefined, floor: undefined });
    const noSince: LogCursor = { since: undefined, seen: { 'api-1': '2026-01-02T03:04:05.000000001Z' } };
    s.fakes.followLogs.endLogs(noSince);
    await at(s, { attached: { logs: 'between', engine: 'watching' } });
    s.clock.increment(500);
    await at(s, attachedValue);
    expect(s.fakes.followLogs.nth(1, 2).input).toStrictEqual({ plan: s.plan, cursor: noSince, floor: undefined });
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'logsReattaching', since: undefined });
  });

  it('a stream that ended before any line keeps the cursor it had', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.endLogs(cursor1);
    s.clock.increment(500);
    await at(s, attachedValue);
    s.fakes.followLogs.endLogs(undefined);
    s.clock.increment(500);
    await at(s, attachedValue);
    expect(s.fakes.followLogs.nth(2, 3).input.cursor).toStrictEqual(cursor1);
  });

  it('the stack ending while between streams: the logs are followed once more, at once, to drain its last lines', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { attached: { logs: 'between', engine: 'watching' } });
    play(s, engine.die('api', 0), engine.die('db', 0));
    await at(s, endedValue);
    expect(s.fakes.followLogs.nth(1, 2).input).toStrictEqual({ plan: s.plan, cursor: cursor1, floor: time });
    expect(s.emitted.some((e) => e.type === 'logsReattaching')).toBe(false);
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { stopping: 'graceful' });
    expect(s.fakes.followLogs.calls.every((c) => c.stopped)).toBe(true);
  });

  it('a service restart asks the log follower to re-attach (REATTACH_LOGS)', async () => {
    const s = startSession({}, [svc('api', { restart: { kind: 'always' } })]);
    await toStarting(s);
    up(s, 'api');
    await attachSeeded(s, psRunning('api'));
    await at(s, attachedValue);
    play(s, engine.die('api', 1));
    expect(s.fakes.followLogs.reattachRequests()).toBe(0);
    play(s, engine.start('api'));
    expect(s.fakes.followLogs.only().received).toStrictEqual([{ type: 'REATTACH_LOGS' }]);
    play(s, engine.die('api', 1), engine.start('api'));
    expect(s.fakes.followLogs.reattachRequests()).toBe(2);
    expect(s.emitted.filter((e) => e.type === 'service' && e.status.state === 'running').at(-1)).toMatchObject({
      status: { restarts: 2 },
      previous: { state: 'restarting', restarts: 1 },
    });
  });

  it('a restart between two streams is not sent anywhere (the next stream starts from the cursor anyway)', async () => {
    const s = startSession({}, [svc('api', { restart: { kind: 'always' } })]);
    await toStarting(s);
    up(s, 'api');
    await attachSeeded(s, psRunning('api'));
    await at(s, attachedValue);
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { attached: { logs: 'between', engine: 'watching' } });
    play(s, engine.die('api', 1), engine.start('api'));
    s.clock.increment(500);
    await at(s, attachedValue);
    expect(s.fakes.followLogs.reattachRequests(0)).toBe(0);
    expect(s.fakes.followLogs.reattachRequests(1)).toBe(0);
  });

  it('a log follower that fails to start is internal (3), and the stack is still torn down', async () => {
    const bug = new Error('bug in followLogs');
    const s = startSession();
    s.fakes.followLogs.failOnStart = bug;
    await toStarting(s);
    s.fakes.start.only().resolve();
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(3, { failure: { kind: 'internal', message: bug.stack as string } }));
  });
});

describe('attached: the events stream ending (SPEC §4)', () => {
  it('EVENTS_ENDED → resyncing: one `ps` read updates the services, then the stream is followed again', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followEvents.endEvents('the engine restarted');
    await at(s, { attached: { logs: 'following', engine: 'resyncing' } });
    expect(snapshot(s).context.eventsLost).toBe(1);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'eventsLost', reason: 'the engine restarted' });
    expect(s.fakes.observeServices.nth(1, 2).input).toStrictEqual(s.plan);
    expect(s.fakes.followEvents.calls).toHaveLength(1);

    s.fakes.observeServices.nth(1, 2).resolve(psShop);
    await at(s, attachedValue);
    // Exactly one `ps` read per resync: watching reads nothing more.
    expect(s.fakes.observeServices.calls).toHaveLength(2);
    expect(snapshot(s).context.eventsRestarts).toBe(1);
    expect(s.fakes.followEvents.nth(0, 2).stopped).toBe(true);
    expect(s.fakes.followEvents.nth(1, 2).input).toStrictEqual(s.plan);
    expect(s.fakes.followEvents.nth(1, 2).stopped).toBe(false);
    // The new stream drives the services as the old one did.
    play(s, engine.die('api', 0), engine.die('db', 0));
    await stackEndedThenDrained(s);
  });

  it('the stream ending while the `ps` read after `up` runs: that read is cancelled, the resync is the one read, and reaches a service the events never did', async () => {
    const s = startSession();
    await toStarting(s);
    up(s, 'api');
    s.fakes.start.only().resolve();
    await at(s, seedingValue);
    s.fakes.followEvents.endEvents('the engine restarted');
    await at(s, { attached: { logs: 'following', engine: 'resyncing' } });
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'eventsLost', reason: 'the engine restarted' });
    expect(s.fakes.observeServices.nth(0, 2).signal.aborted).toBe(true);
    s.fakes.observeServices.nth(1, 2).resolve({ db: { container: 'db-1', state: 'running', health: 'starting', exitCode: 0 } });
    await at(s, attachedValue);
    expect(stateOf(s, 'db')).toBe('starting');
    expect(stateOf(s, 'api')).toBe('running');
    expect(s.fakes.observeServices.calls).toHaveLength(2);
    expect(s.fakes.followEvents.nth(1, 2).stopped).toBe(false);
  });

  it('the resync brings a service the events knew up to date: it exited while the stream was down', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followEvents.endEvents();
    await at(s, { attached: { logs: 'following', engine: 'resyncing' } });
    s.fakes.observeServices.nth(1, 2).resolve({
      api: { container: 'api-1', state: 'exited', health: '', exitCode: 0 },
      db: { container: 'db-1', state: 'exited', health: 'healthy', exitCode: 1 },
    });
    await stackEndedThenDrained(s);
    expect(stateOf(s, 'api')).toBe('exited');
    expect(stateOf(s, 'db')).toBe('exited');
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({
      finalState: 'stopped',
      exitCode: 2,
      failure: { kind: 'services-failed', services: [{ service: 'db', state: 'exited', exitCode: 1 }] },
    });
  });

  it(`after ${maxEventsRestarts} restarts of the stream, the next end stops the session (events-lost, 2)`, async () => {
    const s = startSession();
    await toAttached(s);
    for (let lost = 1; lost <= maxEventsRestarts; lost += 1) {
      s.fakes.followEvents.endEvents();
      await at(s, { attached: { logs: 'following', engine: 'resyncing' } });
      s.fakes.observeServices.last().resolve({});
      await at(s, attachedValue);
    }
    expect(s.fakes.followEvents.calls).toHaveLength(maxEventsRestarts + 1);
    // The read after `up`, then one per resync.
    expect(s.fakes.observeServices.calls).toHaveLength(1 + maxEventsRestarts);
    s.fakes.followEvents.endEvents();
    await at(s, { stopping: 'graceful' });
    expect(snapshot(s).context.stopCause).toBe('events-lost');
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'stopping', projectName: 'shop', cause: 'events-lost', signal: undefined });
    expect(s.fakes.followEvents.calls.every((c) => c.stopped)).toBe(true);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 2,
      failure: {
        kind: 'command-failed',
        message: `the engine's event stream (\`${[...F, 'events', '--json'].join(' ')}\`) ended ${maxEventsRestarts + 1} times; check the engine (\`docker info\`) and run \`stagecraft dev\` again`,
      },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it('a resync that fails stops the session with that failure, announced as an error (no stop request was sent)', async () => {
    const psFailed: SessionFailure = { kind: 'engine-unreachable', message: 'the container engine is not reachable' };
    const s = startSession();
    await toAttached(s);
    s.fakes.followEvents.endEvents();
    await at(s, { attached: { logs: 'following', engine: 'resyncing' } });
    s.fakes.observeServices.nth(1, 2).reject(psFailed);
    await at(s, { stopping: 'graceful' });
    expect(s.emitted.filter((e) => e.type === 'stopping')).toStrictEqual([{ type: 'stopping', projectName: 'shop', cause: 'failed', signal: undefined }]);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'stopped', exitCode: 2, failure: psFailed });
  });
});

describe('attached: services stopped by someone (compose stop, restart, docker stop)', () => {
  it('`compose restart` of every service (kill and die for all, then start for all before logDrainTimeout) does not end the session', async () => {
    const s = startSession();
    await toAttached(s);
    // compose restart: every container is killed and dies...
    play(s, engine.kill('api'), engine.die('api', 143), engine.kill('db'));
    expect(snapshot(s).value).toStrictEqual(attachedValue);
    play(s, engine.die('db', 0));
    expect(stateOf(s, 'api')).toBe('stopped');
    expect(stateOf(s, 'db')).toBe('stopped');
    await at(s, endedValue);
    // ...compose ends the log stream, as no container runs: not the end, someone stopped them.
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { attached: { logs: 'between', engine: 'ended' } });
    s.clock.increment(500);
    await at(s, endedValue);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'logsReattaching', since: cursor1.since });
    // ...and starts every one again, before logDrainTimeout (2 s after the last died).
    s.clock.increment(1_499);
    expect(snapshot(s).value).toStrictEqual(endedValue);
    play(s, engine.start('api'));
    await at(s, attachedValue);
    play(s, engine.start('db'), engine.healthy('db'));
    expect(statuses(s)).toStrictEqual({
      api: { service: 'api', state: 'running', ready: true, active: true, failed: false, exitCode: 143, restarts: 1, container: 'api-1', healthcheck: false },
      db: { service: 'db', state: 'healthy', ready: true, active: true, failed: false, exitCode: 0, restarts: 1, container: 'db-1', healthcheck: true },
    });
    // The restarted containers' logs: the follower is asked to re-attach, once per start.
    expect(s.fakes.followLogs.nth(1, 2).received).toStrictEqual([{ type: 'REATTACH_LOGS' }, { type: 'REATTACH_LOGS' }]);
    s.clock.increment(3_600_000);
    expect(snapshot(s).value).toStrictEqual(attachedValue);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(snapshot(s).context.stopCause).toBeUndefined();
    expect(snapshot(s).context.failure).toBeUndefined();
    expect(s.emitted.some((e) => e.type === 'stopping')).toBe(false);

    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(130, { signal: 'SIGINT' }));
  });

  it('every service stopped by someone and not started again: its log stream ending is not the end; after logDrainTimeout, the drained stream\'s end is, with 0 (no services-failed)', async () => {
    const s = startSession();
    await toAttached(s);
    play(s, engine.kill('api'), engine.die('api', 137), engine.kill('db'), engine.die('db', 143));
    await at(s, endedValue);
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { attached: { logs: 'between', engine: 'ended' } });
    expect(s.fakes.teardown.calls).toHaveLength(0);
    s.clock.increment(1_999);
    // The logs were followed again after reattachDelay; the stack is still ended.
    expect(snapshot(s).value).toStrictEqual(endedValue);
    expect(s.fakes.followLogs.calls).toHaveLength(2);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    s.clock.increment(1);
    await at(s, drainingValue);
    expect(s.fakes.followLogs.nth(1, 2).received).toStrictEqual([{ type: 'REATTACH_LOGS' }]);
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { stopping: 'graceful' });
    expect(snapshot(s).context.stopCause).toBe('stack-ended');
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'stopping', projectName: 'shop', cause: 'stack-ended', signal: undefined });
    expect(s.fakes.followLogs.calls.every((c) => c.stopped)).toBe(true);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(0));
  });

  it('one service exited 3 by itself, the other was stopped: not ended by itself (logDrainTimeout decides), and the exit 3 still fails it (2)', async () => {
    const s = startSession({}, [svc('api'), svc('worker')]);
    await toStarting(s);
    up(s, 'api');
    up(s, 'worker');
    await attachSeeded(s, psRunning('api', 'worker'));
    await at(s, attachedValue);
    play(s, engine.die('worker', 3), engine.kill('api'), engine.die('api', 143));
    await at(s, endedValue);
    s.fakes.followLogs.endLogs(undefined);
    await at(s, { attached: { logs: 'between', engine: 'ended' } });
    s.clock.increment(2_000);
    // Draining: the logs, between streams, are followed again at once (not after reattachDelay).
    await at(s, drainingValue);
    expect(s.fakes.followLogs.calls).toHaveLength(2);
    s.fakes.followLogs.endLogs(undefined);
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(2, { failure: { kind: 'services-failed', services: [{ service: 'worker', state: 'exited', exitCode: 3 }] } }));
  });

  it('the events stream ending while the stack drains: resyncing (one read), then ended again with a new drain', async () => {
    const s = startSession();
    await toAttached(s);
    play(s, engine.die('api', 0), engine.die('db', 0));
    await at(s, endedValue);
    s.clock.increment(1_500);
    s.fakes.followEvents.endEvents('the engine restarted');
    await at(s, { attached: { logs: 'following', engine: 'resyncing' } });
    s.fakes.observeServices.nth(1, 2).resolve({
      api: { container: 'api-1', state: 'exited', health: '', exitCode: 0 },
      db: { container: 'db-1', state: 'exited', health: '', exitCode: 0 },
    });
    await at(s, endedValue);
    expect(s.fakes.observeServices.calls).toHaveLength(2);
    s.clock.increment(1_999);
    expect(snapshot(s).value).toStrictEqual(endedValue);
    s.clock.increment(1);
    await at(s, drainingValue);
    s.fakes.followLogs.endLogs(cursor1);
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'stopped', exitCode: 0, failure: undefined });
  });
});

describe('the events stream ending while `up` runs', () => {
  it('is only counted while starting: nothing announced, the session stays starting', async () => {
    const s = startSession();
    await toStarting(s);
    s.fakes.followEvents.endEvents('the engine restarted');
    expect(snapshot(s).value).toBe('starting');
    expect(snapshot(s).context.eventsLost).toBe(1);
    expect(snapshot(s).context.eventsRestarts).toBe(0);
    expect(s.emitted.some((e) => e.type === 'eventsLost')).toBe(false);
    expect(s.fakes.followEvents.calls).toHaveLength(1);
  });

  it('up failing after it (compose missing) fails with what up says; no eventsLost announced', async () => {
    const failure: SessionFailure = { kind: 'compose-unavailable', message: 'docker compose is not installed' };
    const s = startSession();
    await toStarting(s);
    s.fakes.followEvents.endEvents('exec: docker: not found');
    s.fakes.start.only().reject(failure);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
    expect(s.emitted.some((e) => e.type === 'eventsLost')).toBe(false);
    expect(s.fakes.followEvents.calls).toHaveLength(1);
  });

  it('up succeeding: the seeding read resyncs every service (not only the pending ones) and the stream is followed again', async () => {
    const s = startSession();
    await toStarting(s);
    // The stream saw api created, then ended; api started while nobody listened.
    play(s, engine.create('api'));
    s.fakes.followEvents.endEvents('the engine restarted');
    s.fakes.start.only().resolve();
    await at(s, seedingValue);
    expect(s.fakes.followEvents.calls).toHaveLength(1);
    s.fakes.observeServices.only().resolve(psShop);
    await at(s, attachedValue);
    // A seeding read would have left api created (see above); the resync takes what ps saw.
    expect(stateOf(s, 'api')).toBe('running');
    expect(stateOf(s, 'db')).toBe('healthy');
    expect(s.fakes.followEvents.nth(0, 2).stopped).toBe(true);
    expect(s.fakes.followEvents.nth(1, 2).input).toStrictEqual(s.plan);
    expect(s.fakes.followEvents.nth(1, 2).stopped).toBe(false);
    expect(snapshot(s).context.eventsLost).toBe(1);
    expect(snapshot(s).context.eventsRestarts).toBe(1);
    // One read: the resync is the seeding read.
    expect(s.fakes.observeServices.calls).toHaveLength(1);
    expect(s.emitted.some((e) => e.type === 'eventsLost')).toBe(false);
    // The new stream drives the services.
    play(s, engine.die('api', 0), engine.die('db', 0));
    await stackEndedThenDrained(s);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'stopped', exitCode: 0, failure: undefined });
  });

  it('with --wait: the read after `up` resyncs every service and the stream is followed again; ready, detached with 0', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toStarting(s);
    play(s, engine.create('api'));
    s.fakes.followEvents.endEvents();
    s.fakes.start.only().resolve();
    await at(s, observing);
    s.fakes.observeServices.only().resolve({
      ...psShop,
      migrate: { container: 'migrate-1', state: 'exited', health: '', exitCode: 0 },
    });
    expect(await output(s)).toStrictEqual({
      ...detach,
      finalState: 'detached',
      exitCode: 0,
      failure: undefined,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: teardownArgv,
    });
    expect(stateOf(s, 'api')).toBe('running');
    expect(s.fakes.followEvents.calls).toHaveLength(2);
    expect(s.fakes.followEvents.calls.every((c) => c.stopped)).toBe(true);
    expect(snapshot(s).context.eventsRestarts).toBe(1);
    expect(s.fakes.observeServices.calls).toHaveLength(1);
  });

  it('with --wait and no stream lost: the read after `up` leaves api as the events have it (created), so it is still waited for', async () => {
    const s = startSession({ mode: 'detach', wait: true }, waitServices);
    await toStarting(s);
    play(s, engine.create('api'));
    s.fakes.start.only().resolve();
    await at(s, observing);
    s.fakes.observeServices.only().resolve({
      ...psShop,
      migrate: { container: 'migrate-1', state: 'exited', health: '', exitCode: 0 },
    });
    await at(s, watching);
    expect(stateOf(s, 'api')).toBe('created');
    expect(s.fakes.followEvents.only().stopped).toBe(false);
    play(s, engine.start('api'));
    expect(await output(s)).toMatchObject({ finalState: 'detached', exitCode: 0 });
  });
});

describe('STOP', () => {
  it('in validating: stops with 128+n, cancels validation, starts nothing', async () => {
    const s = startSession();
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect(await output(s)).toStrictEqual({
      projectName: undefined,
      mode: 'foreground',
      finalState: 'stopped',
      exitCode: 130,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
    expect(s.fakes.validate.only().signal.aborted).toBe(true);
    expect(s.fakes.claim.calls).toHaveLength(0);
    expect(s.records.calls).toStrictEqual([{ action: 'releaseRecord' }]);
  });

  it('in claiming: stops with 128+n, cancels the claim, starts nothing', async () => {
    const s = startSession();
    await toClaiming(s);
    s.actor.send({ type: 'STOP', signal: 'SIGTERM' });
    expect(await output(s)).toMatchObject({ ...foreground, finalState: 'stopped', exitCode: 143, leftBehind: undefined });
    expect(s.fakes.claim.only().signal.aborted).toBe(true);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('in starting: cancels the start, stops the events stream, then tears down', async () => {
    const s = startSession();
    await toStarting(s);
    expect(s.fakes.start.only().signal.aborted).toBe(false);
    s.actor.send({ type: 'STOP', signal: 'SIGHUP' });
    await at(s, { stopping: 'graceful' });
    expect(s.fakes.start.only().signal.aborted).toBe(true);
    expect(s.fakes.followEvents.only().stopped).toBe(true);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'stopped', exitCode: 129, signal: 'SIGHUP' });
    expect(s.fakes.followLogs.calls).toHaveLength(0);
    expect(s.fakes.diagnose.calls).toHaveLength(0);
  });

  it('twice: the graceful teardown is cancelled and forced; the first signal names the exit code', async () => {
    const s = startSession();
    await toForced(s, ['SIGTERM', 'SIGINT']);
    expect(tags(s)).toStrictEqual(['stackMayExist', 'tearingDown']);
    expect(s.fakes.teardown.only().signal.aborted).toBe(true);
    expect(s.fakes.forcedTeardown.only().input).toStrictEqual(s.plan);
    expect(s.emitted.slice(-2)).toStrictEqual([
      { type: 'stopping', projectName: 'shop', cause: 'signal', signal: 'SIGTERM' },
      { type: 'forcing', cause: 'signal' },
    ]);
    s.fakes.forcedTeardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual(stoppedOutput(143, { signal: 'SIGTERM' }));
    // Said once: by the forced teardown, the cancelled one having said nothing.
    expect(s.emitted.filter((e) => e.type === 'removed')).toStrictEqual([removed]);
    expect(s.records.calls.slice(-3)).toStrictEqual([
      { action: 'record', state: 'stopping.graceful' },
      { action: 'record', state: 'stopping.forced' },
      { action: 'releaseRecord' },
    ]);
  });

  it('thrice: the forced teardown is not cut short (each further STOP is told so); its 20 s bound abandons it with 2, leaving the record and the forced down command', async () => {
    const s = startSession();
    await toForced(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    s.actor.send({ type: 'STOP', signal: 'SIGTERM' });
    expect(snapshot(s).value).toStrictEqual({ stopping: 'forced' });
    expect(s.fakes.forcedTeardown.only().signal.aborted).toBe(false);
    expect(s.emitted.filter((e) => e.type === 'stillForcing')).toStrictEqual([
      { type: 'stillForcing', seconds: 20 },
      { type: 'stillForcing', seconds: 20 },
    ]);
    s.clock.increment(20_000 - 1);
    expect(snapshot(s).value).toStrictEqual({ stopping: 'forced' });
    s.clock.increment(1);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'abandoned',
      exitCode: 2,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: forcedDownArgv,
    });
    expect(snapshot(s).value).toBe('abandoned');
    expect(s.fakes.forcedTeardown.only().signal.aborted).toBe(true);
    expect(s.records.calls.at(-1)).toStrictEqual({ action: 'leaveRecord', state: 'abandoned' });
  });

  it('a STOP after the stack ended forces the teardown; the services-failed failure still names the exit code', async () => {
    const s = startSession();
    await toAttached(s);
    play(s, engine.die('api', 3), engine.die('db', 0));
    await stackEndedThenDrained(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'forced' });
    s.fakes.forcedTeardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({
      finalState: 'stopped',
      exitCode: 2,
      signal: 'SIGINT',
      failure: { kind: 'services-failed', services: [{ service: 'api', state: 'exited', exitCode: 3 }] },
    });
  });

  it('in rollingBack.diagnosing: cancels the diagnostics and tears down', async () => {
    const s = startSession();
    await toDiagnosing(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { rollingBack: 'tearingDown' });
    expect(s.fakes.diagnose.only().signal.aborted).toBe(true);
    s.fakes.teardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: startFailed,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
  });

  it('in rollingBack.diagnosing with --keep-on-failure: fails at once, leaving the stack', async () => {
    const s = startSession({ keepOnFailure: true });
    await toDiagnosing(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect(await output(s)).toMatchObject({ finalState: 'failed', exitCode: 2, signal: 'SIGINT', leftBehind: teardownArgv });
    expect(s.fakes.diagnose.only().signal.aborted).toBe(true);
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('in rollingBack.tearingDown: its own forced state (rollingBack.forced), which still fails with 2', async () => {
    const s = startSession();
    await toRollbackTeardown(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { rollingBack: 'forced' });
    expect(tags(s)).toStrictEqual(['stackMayExist', 'startFailed', 'tearingDown']);
    expect(s.fakes.teardown.only().signal.aborted).toBe(true);
    expect(s.fakes.forcedTeardown.only().input).toStrictEqual(s.plan);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'forcing', cause: 'signal' });
    s.fakes.forcedTeardown.only().resolve(removal);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: { ...startFailed, services: ['api'] },
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
    expect(s.records.calls.slice(-2)).toStrictEqual([{ action: 'record', state: 'rollingBack.forced' }, { action: 'releaseRecord' }]);
  });

  it('in rollingBack.forced: a STOP does not cut it short; its 20 s bound abandons it with the forced down command', async () => {
    const s = startSession();
    await toRollbackTeardown(s);
    s.actor.send({ type: 'STOP', signal: 'SIGTERM' });
    await at(s, { rollingBack: 'forced' });
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect(snapshot(s).value).toStrictEqual({ rollingBack: 'forced' });
    s.clock.increment(20_000);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'abandoned',
      exitCode: 2,
      failure: { ...startFailed, services: ['api'] },
      teardownFailure: undefined,
      signal: 'SIGTERM',
      leftBehind: forcedDownArgv,
    });
    expect(s.fakes.forcedTeardown.only().signal.aborted).toBe(true);
  });

  it('a failing rollback forced teardown is recorded, and the session failed', async () => {
    const s = startSession();
    await toRollbackTeardown(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { rollingBack: 'forced' });
    s.fakes.forcedTeardown.only().reject(teardownFailed);
    expect(await output(s)).toMatchObject({ finalState: 'failed', exitCode: 2, teardownFailure: teardownFailed, leftBehind: teardownArgv });
  });
});

describe('teardown deadline', () => {
  it.each([10, 0])('with --grace %i forces the teardown after (grace+30) s and not before', async (grace) => {
    const s = startSession({ graceSeconds: grace });
    await toGraceful(s);
    s.clock.increment((grace + 30) * 1000 - 1);
    expect(snapshot(s).value).toStrictEqual({ stopping: 'graceful' });
    expect(s.fakes.teardown.only().signal.aborted).toBe(false);
    expect(s.fakes.forcedTeardown.calls).toHaveLength(0);

    s.clock.increment(1);
    await at(s, { stopping: 'forced' });
    expect(s.fakes.teardown.only().signal.aborted).toBe(true);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'forcing', cause: 'deadline' });
    s.fakes.forcedTeardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'stopped', exitCode: 130, signal: 'SIGINT' });
  });

  it.each([
    ["--grace unset, no stop_grace_period: compose's 10 s, 40 s", undefined, shopServices, 40_000],
    ['--grace unset, a service with stop_grace_period: 15s (the longest): 45 s', undefined, [...shopServices, svc('slow', { stopGraceSeconds: 15 })], 45_000],
    ['--grace 7 beats a stop_grace_period of 15s: 37 s', 7, [...shopServices, svc('slow', { stopGraceSeconds: 15 })], 37_000],
  ] as const)('%s: forces the teardown at that deadline, not before', async (_what, graceSeconds, services, deadlineMs) => {
    const s = startSession(graceSeconds === undefined ? {} : { graceSeconds }, services);
    await toGraceful(s);
    s.clock.increment(deadlineMs - 1);
    expect(snapshot(s).value).toStrictEqual({ stopping: 'graceful' });
    expect(s.fakes.forcedTeardown.calls).toHaveLength(0);

    s.clock.increment(1);
    await at(s, { stopping: 'forced' });
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'forcing', cause: 'deadline' });
    s.fakes.forcedTeardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'stopped', exitCode: 130, signal: 'SIGINT' });
  });

  it('forces a rollback teardown that hangs past the deadline (rollingBack.forced)', async () => {
    const s = startSession();
    await toRollbackTeardown(s);
    s.clock.increment(39_999);
    expect(snapshot(s).value).toStrictEqual({ rollingBack: 'tearingDown' });
    s.clock.increment(1);
    await at(s, { rollingBack: 'forced' });
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'forcing', cause: 'deadline' });
    s.fakes.forcedTeardown.only().resolve(removal);
    expect(await output(s)).toMatchObject({ finalState: 'failed', exitCode: 2, signal: undefined, leftBehind: undefined });
  });

  it('is cleared when the graceful teardown ends in time', async () => {
    const s = startSession();
    await toGraceful(s);
    s.clock.increment(20_000);
    s.fakes.teardown.only().resolve(removal);
    await output(s);
    s.clock.increment(3_600_000);
    expect(snapshot(s).value).toBe('stopped');
    expect(s.fakes.forcedTeardown.calls).toHaveLength(0);
  });

  it('bounds a forced teardown by 20 s, STOP or not: then abandoned', async () => {
    const s = startSession();
    await toForced(s);
    s.clock.increment(20_000 - 1);
    expect(snapshot(s).value).toStrictEqual({ stopping: 'forced' });
    s.clock.increment(1);
    expect(await output(s)).toMatchObject({ finalState: 'abandoned', exitCode: 2, leftBehind: forcedDownArgv });
    expect(s.fakes.forcedTeardown.only().signal.aborted).toBe(true);
  });
});

describe('phase bounds (named delays)', () => {
  it('a hung `up` ends the start after --start-timeout, with or without --wait: cancelled, then the rollback; exit 2 naming the bound', async () => {
    for (const wait of [false, true]) {
      const s = startSession({ startTimeoutSeconds: 5, wait, mode: 'detach' });
      await toStarting(s);
      s.clock.increment(5_000 - 1);
      expect(snapshot(s).value).toBe('starting');
      s.clock.increment(1);
      await at(s, { rollingBack: 'diagnosing' });
      expect(s.fakes.start.only().signal.aborted).toBe(true);
      s.fakes.diagnose.only().resolve([]);
      await at(s, { rollingBack: 'tearingDown' });
      s.fakes.teardown.only().resolve(removal);
      expect(await output(s)).toMatchObject({
        finalState: 'failed',
        exitCode: 2,
        failure: {
          kind: 'start-failed',
          message:
            'starting project shop did not finish in 5 s (--start-timeout): the engine may be hung, or a pull or build stalled',
          services: [],
          timedOutSeconds: 5,
        },
      });
    }
  });

  it('the failure diagnostics are bounded (30 s): a hung `ps` or `logs` does not hold the rollback', async () => {
    const s = startSession();
    await toDiagnosing(s);
    s.clock.increment(30_000 - 1);
    expect(snapshot(s).value).toStrictEqual({ rollingBack: 'diagnosing' });
    s.clock.increment(1);
    await at(s, { rollingBack: 'tearingDown' });
    expect(s.fakes.diagnose.only().signal.aborted).toBe(true);
  });

  it('with --keep-on-failure, the diagnostics bound ends in failed, keeping the stack', async () => {
    const s = startSession({ keepOnFailure: true });
    await toDiagnosing(s);
    s.clock.increment(30_000);
    expect(await output(s)).toMatchObject({ finalState: 'failed', exitCode: 2, leftBehind: teardownArgv });
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it("a stale session's teardown that hangs fails the session after the teardown deadline: exit 2, nothing started", async () => {
    const s = startSession();
    await toReconciling(s);
    s.clock.increment((10 + 30) * 1000);
    expect(await output(s)).toMatchObject({
      finalState: 'failed',
      exitCode: 2,
      failure: {
        kind: 'command-failed',
        message: 'the teardown of the stale session of project shop did not finish in time; check the engine (`docker info`), then run `stagecraft dev down`',
      },
    });
    expect(s.fakes.reconcile.only().signal.aborted).toBe(true);
    expect(s.fakes.start.calls).toHaveLength(0);
  });
});

describe('teardown failures', () => {
  it('a failing graceful teardown fails with 2, names the command to retry, and leaves the record', async () => {
    const s = startSession();
    await toGraceful(s);
    s.fakes.teardown.only().reject(teardownFailed);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: undefined,
      teardownFailure: teardownFailed,
      signal: 'SIGINT',
      leftBehind: teardownArgv,
    });
    expect(s.records.calls.at(-1)).toStrictEqual({ action: 'leaveRecord', state: 'failed' });
    expect(s.emitted.some((e) => e.type === 'removed')).toBe(false);
  });

  it('a failing forced teardown fails with 2', async () => {
    const s = startSession();
    await toForced(s);
    s.fakes.forcedTeardown.only().reject(teardownFailed);
    expect(await output(s)).toMatchObject({ finalState: 'failed', exitCode: 2, teardownFailure: teardownFailed, leftBehind: teardownArgv });
  });

  it('a teardown rejecting with a plain Error is internal (3)', async () => {
    const bug = new Error('bug in teardown');
    const s = startSession();
    await toGraceful(s);
    s.fakes.teardown.only().reject(bug);
    expect(await output(s)).toMatchObject({
      finalState: 'failed',
      exitCode: 3,
      teardownFailure: { kind: 'internal', message: bug.stack },
    });
  });
});

describe('the bare machine', () => {
  it('with nothing provided fails with 3 naming the missing actor', async () => {
    const actor = createActor(devSessionMachine, { input: { options: defaultDevOptions } });
    actor.start();
    const result = await toPromise(actor);
    expect(result.finalState).toBe('failed');
    expect(result.exitCode).toBe(3);
    expect(result.failure?.kind === 'internal' && result.failure.message.split('\n')[0]).toBe('Error: not provided: validate');
  });
});
