// L1: the `dev restart` machine driven through gated fake actors and a simulated clock. The
// service machines it spawns are the real ones; the test plays compose (`survey`, `restart`,
// `diagnose`) through gated fakes and the engine through the fake `followEvents`.
import { createActor, SimulatedClock, toPromise, waitFor, type AnyActorRef, type SnapshotFrom } from 'xstate';
import { devRestartMachine, type DevRestartEmitted, type DiagnoseRestartInput } from '../../machines/dev-restart.machine.js';
import type { DevRestartOutput, RestartPlan } from '../../machines/dev-restart.types.js';
import { maxEventsRestarts, type ObservedServices } from '../../machines/dev-session.machine.js';
import type { DevOptions, SessionFailure, StopSignal } from '../../machines/dev-session.types.js';
import { statusOf } from '../../machines/service.machine.js';
import type { EngineEvent, ServiceState, ServiceStatus } from '../../machines/service.types.js';
import { restartPlan } from '../../src/plan/day-two-commands.js';
import { FakeCallbackActor, GatedPromiseActor } from '../fakes/fake-actors.js';
import { composeService as svc } from '../fixtures/compose-service.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan } from '../fixtures/shop-session.js';

/** `shop`: api (no healthcheck, no restart policy), db (healthcheck), worker (restart: always). */
const shopServices = [svc('api'), svc('db', { healthcheck: true }), svc('worker', { restart: { kind: 'always' } })];
const composeFile = '.stagecraft/dev/compose.yaml';
const F = ['docker', 'compose', '-p', 'shop', '-f', composeFile];

function planOf(named: readonly string[], overrides: Partial<DevOptions> = {}): RestartPlan {
  const options = { ...defaultDevOptions, ...overrides };
  const target = { plan: shopPlan(options, shopServices), composeFile, services: shopServices.map((s) => s.name) };
  return restartPlan(target, named, options);
}

// The engine, as `compose events --json` and `ps --all --format json` tell it. Containers are `shop-<service>-1`.
const time = '2026-12-01T21:30:00.000000000Z';
const about = (service: string) => ({ service, container: `shop-${service}-1`, time });
const engine = {
  start: (service: string): EngineEvent => ({ action: 'start', ...about(service) }),
  kill: (service: string): EngineEvent => ({ action: 'kill', ...about(service) }),
  die: (service: string, exitCode: number): EngineEvent => ({ action: 'die', exitCode, ...about(service) }),
  healthy: (service: string): EngineEvent => ({ action: 'health', health: 'healthy', ...about(service) }),
  unhealthy: (service: string): EngineEvent => ({ action: 'health', health: 'unhealthy', ...about(service) }),
};
const container = (service: string, state: string, health = '', exitCode = 0) => ({ container: `shop-${service}-1`, state, health, exitCode });
/** `ps` of `shop` running: api and worker running, db healthy. */
const psUp: ObservedServices = { api: container('api', 'running'), db: container('db', 'running', 'healthy'), worker: container('worker', 'running') };

/** A status as the real service machine reports it (its own `statusOf`), container `shop-<service>-1`. */
function status(service: string, state: ServiceState, exitCode?: number, restarts = 0): ServiceStatus {
  const spec = shopServices.find((s) => s.name === service) ?? svc(service);
  const serviceSpec = { name: spec.name, healthcheck: spec.healthcheck, restart: spec.restart, profiled: spec.profiled };
  return statusOf(state, { spec: serviceSpec, exitCode, restarts, container: state === 'pending' ? undefined : `shop-${service}-1`, live: [] });
}

interface Fakes {
  readonly survey: GatedPromiseActor<ObservedServices, RestartPlan>;
  readonly restart: GatedPromiseActor<void, RestartPlan>;
  readonly diagnose: GatedPromiseActor<void, DiagnoseRestartInput>;
  readonly followEvents: FakeCallbackActor<RestartPlan>;
}

interface Restart {
  readonly actor: ReturnType<typeof createActor<typeof devRestartMachine>>;
  readonly fakes: Fakes;
  readonly clock: SimulatedClock;
  readonly emitted: DevRestartEmitted[];
  readonly plan: RestartPlan;
  /** Every actor the machine created (inspection), in order: invoked and spawned ones. */
  readonly created: AnyActorRef[];
}

type Actors = NonNullable<Parameters<typeof devRestartMachine.provide>[0]['actors']>;

function startRestart(named: readonly string[] = [], overrides: Partial<DevOptions> = {}): Restart {
  const plan = planOf(named, overrides);
  const fakes: Fakes = {
    survey: new GatedPromiseActor('survey'),
    restart: new GatedPromiseActor('restart'),
    diagnose: new GatedPromiseActor('diagnose'),
    followEvents: new FakeCallbackActor('followEvents'),
  };
  const actors = {
    survey: fakes.survey.logic,
    restart: fakes.restart.logic,
    diagnose: fakes.diagnose.logic,
    followEvents: fakes.followEvents.logic as unknown as Actors['followEvents'],
  } satisfies Actors;
  const clock = new SimulatedClock();
  const created: AnyActorRef[] = [];
  const actor = createActor(devRestartMachine.provide({ actors }), {
    input: plan,
    clock,
    // Runs inside start(): records refs only, never reads `actor`.
    inspect: (event) => {
      if (event.type === '@xstate.actor') created.push(event.actorRef as AnyActorRef);
    },
  });
  const emitted: DevRestartEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  return { actor, fakes, clock, emitted, plan, created };
}

type Snapshot = SnapshotFrom<typeof devRestartMachine>;
type StateValue = Parameters<Snapshot['matches']>[0];

const restartingValue = { working: { engine: 'following', steps: 'restarting' } } as const;
const observingValue = { working: { engine: 'following', steps: 'observing' } } as const;
const waitingValue = { working: { engine: 'following', steps: 'waiting' } } as const;
const diagnosingValue = { working: { engine: 'following', steps: 'diagnosing' } } as const;
const surveyArgv = ['docker', 'compose', '-p', 'shop', 'ps', '--all', '--format', 'json'].join(' ');
const psHung = `\`${surveyArgv}\` did not answer in 30 s: the engine may be hung; check it (\`docker info\`)`;

/** The state values the machine goes through from now on (`settling` included: it is left at once). */
function valuesFrom(r: Restart): unknown[] {
  const values: unknown[] = [];
  r.actor.subscribe((snapshot) => values.push(snapshot.value));
  return values;
}
const settlingValue = { working: { engine: 'following', steps: 'settling' } } as const;

async function at(r: Restart, state: StateValue): Promise<void> {
  await waitFor(r.actor, (snapshot) => snapshot.matches(state) || snapshot.status !== 'active');
  expect(r.actor.getSnapshot().value).toStrictEqual(state);
}

const output = (r: Restart): Promise<DevRestartOutput> => toPromise(r.actor);
const statuses = (r: Restart): Readonly<Record<string, ServiceStatus>> => r.actor.getSnapshot().context.services;
/** The `service` announcements so far, as `<service> <state>`. */
const serviceReports = (r: Restart): string[] =>
  r.emitted.flatMap((e) => (e.type === 'service' ? [`${e.status.service} ${e.status.state}`] : []));
const notServiceReports = (r: Restart): DevRestartEmitted[] => r.emitted.filter((e) => e.type !== 'service');

function play(r: Restart, ...events: EngineEvent[]): void {
  const [live, ...more] = r.fakes.followEvents.live();
  if (live === undefined || more.length > 0) throw new Error(`expected one live events follower, got ${r.fakes.followEvents.live().length}`);
  for (const event of events) live.send({ type: 'ENGINE_EVENT', event });
}

/** The engine's view of `compose restart` for one service: kill, die 143, start (and healthy). */
const restartEvents = (service: string, healthy = false): EngineEvent[] => [
  engine.kill(service),
  engine.die(service, 143),
  engine.start(service),
  ...(healthy ? [engine.healthy(service)] : []),
];

/** The survey saw `observed`: restarting. */
async function surveyed(r: Restart, observed: ObservedServices = psUp): Promise<void> {
  expect(r.fakes.survey.only().input).toBe(r.plan);
  r.fakes.survey.only().resolve(observed);
  await at(r, restartingValue);
}

/** `restart` returned; the `ps` read after it (the survey's `index`-th call) saw `observed`. */
async function restartReturned(r: Restart, observed: ObservedServices, index = 1): Promise<void> {
  r.fakes.restart.only().resolve();
  await at(r, observingValue);
  r.fakes.survey.nth(index, index + 1).resolve(observed);
  await waitFor(r.actor, (s) => !s.matches(observingValue));
}

/** The ids of the actors the machine created that still run (the machine itself excluded). */
const stillRunning = (r: Restart): string[] =>
  r.created.filter((ref) => ref !== r.actor && ref.getSnapshot().status === 'active').map((ref) => ref.id);

function expectNothingRunning(r: Restart): void {
  expect(r.actor.getSnapshot().status).toBe('done');
  expect(stillRunning(r)).toStrictEqual([]);
  expect(r.fakes.followEvents.live()).toHaveLength(0);
}

/** The machine diagnoses just `services`; the diagnose call, for the test to settle. */
async function diagnosed(r: Restart, services: readonly string[]): Promise<ReturnType<Fakes['diagnose']['only']>> {
  await at(r, diagnosingValue);
  const call = r.fakes.diagnose.only();
  expect(call.input.services).toStrictEqual(services);
  return call;
}

/** The output of a restart that failed by a step of its own or a service: exit 2, `message`. */
async function failedSaying(r: Restart, message: string): Promise<DevRestartOutput> {
  const out = await output(r);
  expect([out.finalState, out.exitCode]).toStrictEqual(['failed', 2]);
  expect(out.failure).toStrictEqual({ kind: 'command-failed', message });
  return out;
}

/** api restarted by name, `restart` returned: the ps read after it runs. */
async function observingApi(): Promise<Restart> {
  const r = startRestart(['api']);
  await surveyed(r);
  r.fakes.restart.only().resolve();
  await at(r, observingValue);
  return r;
}

/** db turns healthy: restarted, exit 0, with `expected` statuses. */
async function restartedOnceHealthy(r: Restart, expected: readonly ServiceStatus[]): Promise<void> {
  play(r, engine.healthy('db'));
  const out = await output(r);
  expect([out.finalState, out.exitCode, out.statuses]).toStrictEqual(['restarted', 0, expected]);
}

const restartFailed: SessionFailure = { kind: 'command-failed', message: '`docker compose … restart` exited with code 1: no such service' };

describe('dev restart: the survey', () => {
  it('reads `ps --all` of the project (file-less) before anything else', () => {
    const r = startRestart();
    expect(r.actor.getSnapshot().value).toBe('surveying');
    expect(r.fakes.survey.only().input.survey).toStrictEqual({ phase: 'exitCodes', argv: ['docker', 'compose', '-p', 'shop', 'ps', '--all', '--format', 'json'] });
    expect(r.fakes.restart.calls).toHaveLength(0);
    expect(r.fakes.followEvents.calls).toHaveLength(0);
  });

  it('project not running (no container): refused, exit 1, nothing restarted or followed', async () => {
    const r = startRestart();
    r.fakes.survey.only().resolve({});
    expect(await output(r)).toStrictEqual({
      finalState: 'refused',
      exitCode: 1,
      projectName: 'shop',
      services: [],
      failure: { kind: 'input', message: 'project shop is not running (no container of it runs); start it with `stagecraft dev`' },
      signal: undefined,
      statuses: [],
    });
    expect(r.emitted).toStrictEqual([]);
    expect(r.fakes.restart.calls).toHaveLength(0);
    expect(r.fakes.followEvents.calls).toHaveLength(0);
    expectNothingRunning(r);
  });

  it('project with containers, none running (all exited): refused as not running, exit 1', async () => {
    const r = startRestart();
    r.fakes.survey.only().resolve({ api: container('api', 'exited', '', 0), db: container('db', 'exited', '', 137) });
    const out = await output(r);
    expect(out.finalState).toBe('refused');
    expect(out.exitCode).toBe(1);
    expect(out.failure?.kind).toBe('input');
    expect(out.failure && 'message' in out.failure ? out.failure.message : '').toBe(
      'project shop is not running (no container of it runs); start it with `stagecraft dev`',
    );
    expect(r.fakes.restart.calls).toHaveLength(0);
    expectNothingRunning(r);
  });

  it('a named service without a container: refused, exit 1, naming it', async () => {
    const r = startRestart(['worker', 'api']);
    r.fakes.survey.only().resolve({ api: psUp['api'] as ObservedServices[string], db: psUp['db'] as ObservedServices[string] });
    expect(await output(r)).toStrictEqual({
      finalState: 'refused',
      exitCode: 1,
      projectName: 'shop',
      services: ['api', 'worker'],
      failure: {
        kind: 'input',
        message:
          'worker of project shop has no container to restart (behind an inactive profile, or scaled to 0?); `stagecraft dev` starts what the project runs',
      },
      signal: undefined,
      statuses: [],
    });
    expect(r.emitted).toStrictEqual([]);
    expect(r.fakes.restart.calls).toHaveLength(0);
    expectNothingRunning(r);
  });

  it('a service named twice without a container is named once', async () => {
    const r = startRestart(['worker', 'worker']);
    r.fakes.survey.only().resolve({ api: psUp['api'] as ObservedServices[string] });
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.services]).toStrictEqual(['refused', 1, ['worker']]);
    expect(out.failure).toStrictEqual({
      kind: 'input',
      message: 'worker of project shop has no container to restart (behind an inactive profile, or scaled to 0?); `stagecraft dev` starts what the project runs',
    });
  });

  it('two named services without a container: refused, exit 1, naming both', async () => {
    const r = startRestart(['worker', 'db']);
    r.fakes.survey.only().resolve({ api: psUp['api'] as ObservedServices[string] });
    const out = await output(r);
    expect(out.exitCode).toBe(1);
    expect(out.failure).toStrictEqual({
      kind: 'input',
      message: 'worker, db of project shop have no container to restart (behind an inactive profile, or scaled to 0?); `stagecraft dev` starts what the project runs',
    });
  });

  it('the survey failing: failed with its failure, exit 2; a bug in it: exit 3', async () => {
    const r = startRestart();
    const daemonDown: SessionFailure = { kind: 'engine-unreachable', message: 'Cannot connect to the Docker daemon' };
    r.fakes.survey.only().reject(daemonDown);
    expect(await output(r)).toStrictEqual(expect.objectContaining({ finalState: 'failed', exitCode: 2, failure: daemonDown, services: [] }));
    const bug = startRestart();
    bug.fakes.survey.only().reject(new Error('boom'));
    const out = await output(bug);
    expect([out.finalState, out.exitCode, out.failure?.kind]).toStrictEqual(['failed', 3, 'internal']);
    expectNothingRunning(bug);
  });
});

describe('dev restart: what is restarted', () => {
  it('no service named: every service with a container (exited ones too), sorted; one service machine each; events followed before `restart` runs', async () => {
    const r = startRestart();
    r.fakes.survey.only().resolve({ worker: psUp['worker'] as ObservedServices[string], db: container('db', 'exited', '', 0), api: psUp['api'] as ObservedServices[string] });
    await at(r, restartingValue);
    expect(r.actor.getSnapshot().context.targets).toStrictEqual(['api', 'db', 'worker']);
    expect(r.emitted).toStrictEqual([
      { type: 'restarting', projectName: 'shop', services: ['api', 'db', 'worker'] },
      { type: 'service', status: status('api', 'pending'), previous: undefined },
      { type: 'service', status: status('db', 'pending'), previous: undefined },
      { type: 'service', status: status('worker', 'pending'), previous: undefined },
    ]);
    expect(Object.keys(r.actor.getSnapshot().children).sort()).toStrictEqual(['followEvents', 'restart', 'service:api', 'service:db', 'service:worker']);
    expect(r.fakes.followEvents.only().input.events).toStrictEqual({ phase: 'events', argv: [...F, 'events', '--json'] });
    expect(r.fakes.restart.only().input.restart).toStrictEqual({ phase: 'restart', argv: [...F, 'restart'] });
    // The stream is started before `restart`: it sees the restart's kill, die and start.
    const ids = r.created.map((ref) => ref.id);
    expect(ids.indexOf('followEvents')).toBeGreaterThan(-1);
    expect(ids.indexOf('followEvents')).toBeLessThan(ids.indexOf('restart'));
  });

  it('named services: only those, deduplicated (argv too) and sorted, restarted by name with --grace', async () => {
    const r = startRestart(['worker', 'api', 'worker'], { graceSeconds: 3 });
    await surveyed(r);
    expect(r.actor.getSnapshot().context.targets).toStrictEqual(['api', 'worker']);
    expect(r.fakes.restart.only().input.restart.argv).toStrictEqual([...F, 'restart', '--timeout', '3', 'worker', 'api']);
    expect(Object.keys(r.actor.getSnapshot().children).sort()).toStrictEqual(['followEvents', 'restart', 'service:api', 'service:worker']);
  });

  it('an engine event of a service other than the targets is ignored (no machine, no status, no announcement)', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    play(r, ...restartEvents('db', true), engine.start('adhoc'), engine.die('worker', 1));
    expect(Object.keys(statuses(r))).toStrictEqual(['api']);
    expect(Object.keys(r.actor.getSnapshot().children).sort()).toStrictEqual(['followEvents', 'restart', 'service:api']);
    expect(serviceReports(r)).toStrictEqual(['api pending']);
    play(r, ...restartEvents('api'));
    await restartReturned(r, psUp);
    const out = await output(r);
    expect(out.finalState).toBe('restarted');
    expect(out.statuses).toStrictEqual([status('api', 'running', 143, 1)]);
    expect(serviceReports(r)).toStrictEqual(['api pending', 'api stopping', 'api stopped', 'api running']);
    expectNothingRunning(r);
  });
});

describe('dev restart: ready again', () => {
  it('seen through the events (kill, die 143, start, healthy): restarted, exit 0, only once every service is up again', async () => {
    const r = startRestart(['api', 'db']);
    await surveyed(r);
    // The survey saw them running; the machines know nothing of the restart yet.
    expect(Object.values(statuses(r)).map((s) => [s.service, s.state, s.ready])).toStrictEqual([
      ['api', 'pending', false],
      ['db', 'pending', false],
    ]);
    play(r, ...restartEvents('api'), engine.kill('db'), engine.die('db', 143), engine.start('db'));
    // api is up again, db is not healthy yet; `restart` has not returned.
    await restartReturned(r, { api: container('api', 'running'), db: container('db', 'running', 'starting') });
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    expect(statuses(r)['db']?.state).toBe('starting');
    play(r, engine.healthy('db'));
    const out = await output(r);
    expect(out).toStrictEqual({
      finalState: 'restarted',
      exitCode: 0,
      projectName: 'shop',
      services: ['api', 'db'],
      failure: undefined,
      signal: undefined,
      statuses: [status('api', 'running', 143, 1), status('db', 'healthy', 143, 1)],
    });
    expect(serviceReports(r)).toStrictEqual([
      'api pending',
      'db pending',
      'api stopping',
      'api stopped',
      'api running',
      'db stopping',
      'db stopped',
      'db starting',
      'db healthy',
    ]);
    expect(notServiceReports(r)).toStrictEqual([
      { type: 'restarting', projectName: 'shop', services: ['api', 'db'] },
      { type: 'waiting', services: ['db'], timeoutSeconds: 120 },
      { type: 'restarted', projectName: 'shop', statuses: out.statuses },
    ]);
    // Each `service` announcement carries the status before it.
    const dbReports = r.emitted.filter((e): e is Extract<DevRestartEmitted, { type: 'service' }> => e.type === 'service' && e.status.service === 'db');
    expect(dbReports.map((e) => e.previous?.state)).toStrictEqual([undefined, 'pending', 'stopping', 'stopped', 'starting']);
    expect(r.fakes.diagnose.calls).toHaveLength(0);
    expectNothingRunning(r);
  });

  it('every service up again by its events before `restart` returns: still restarting until it returns and ps is read', async () => {
    const r = startRestart(['api', 'db']);
    await surveyed(r);
    play(r, ...restartEvents('api'), ...restartEvents('db', true));
    expect(Object.values(statuses(r)).every((s) => s.ready)).toBe(true);
    expect(r.actor.getSnapshot().value).toStrictEqual(restartingValue);
    r.fakes.restart.only().resolve();
    await at(r, observingValue);
    expect(r.actor.getSnapshot().status).toBe('active');
    r.fakes.survey.nth(1, 2).resolve(psUp);
    const out = await output(r);
    expect([out.finalState, out.exitCode]).toStrictEqual(['restarted', 0]);
    // Both starts were reported: ps is not told to them; nothing was left to wait for, so no `waiting`.
    expect(out.statuses).toStrictEqual([status('api', 'running', 143, 1), status('db', 'healthy', 143, 1)]);
    expect(notServiceReports(r)).toStrictEqual([
      { type: 'restarting', projectName: 'shop', services: ['api', 'db'] },
      { type: 'restarted', projectName: 'shop', statuses: out.statuses },
    ]);
    expectNothingRunning(r);
  });

  it('the events stream missed everything, `restart` returned and ps shows them running (db healthy): restarted, exit 0', async () => {
    const r = startRestart();
    await surveyed(r);
    await restartReturned(r, psUp);
    const out = await output(r);
    expect(out).toStrictEqual({
      finalState: 'restarted',
      exitCode: 0,
      projectName: 'shop',
      services: ['api', 'db', 'worker'],
      failure: undefined,
      signal: undefined,
      statuses: [status('api', 'running'), status('db', 'healthy'), status('worker', 'running')],
    });
    expect(serviceReports(r)).toStrictEqual(['api pending', 'db pending', 'worker pending', 'api running', 'db healthy', 'worker running']);
    expectNothingRunning(r);
  });

  it('the events stream missed everything, ps shows db health `starting`: waits for its healthy event', async () => {
    const r = startRestart(['db']);
    await surveyed(r);
    await restartReturned(r, { db: container('db', 'running', 'starting') });
    await at(r, waitingValue);
    expect(notServiceReports(r).at(-1)).toStrictEqual({ type: 'waiting', services: ['db'], timeoutSeconds: 120 });
    await restartedOnceHealthy(r, [status('db', 'healthy')]);
  });

  it('a die without its kill, then the start, before `restart` returns: restarted (ps adds nothing)', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    play(r, engine.die('api', 143), engine.start('api'));
    await restartReturned(r, { api: container('api', 'running') });
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.statuses]).toStrictEqual(['restarted', 0, [status('api', 'running', 143, 1)]]);
  });
});

describe('dev restart: a restarted service that fails', () => {
  it('exits non-zero after the restart: diagnose with just it, then failed, exit 2, naming it', async () => {
    const r = startRestart();
    await surveyed(r);
    play(r, ...restartEvents('api'), ...restartEvents('worker'), engine.kill('db'), engine.die('db', 143), engine.start('db'));
    await restartReturned(r, { ...psUp, db: container('db', 'running', 'starting') });
    await at(r, waitingValue);
    play(r, engine.die('api', 1));
    await at(r, diagnosingValue);
    const diagnose = r.fakes.diagnose.only();
    expect(diagnose.input).toStrictEqual({
      plan: r.plan,
      services: ['api'],
      statuses: [status('api', 'exited', 1, 1), status('db', 'starting', 143, 1), status('worker', 'running', 143, 1)],
    });
    diagnose.resolve();
    const failure: SessionFailure = {
      kind: 'command-failed',
      message:
        'restarting api, db, worker of project shop failed: api exited with code 1 after the restart; see the last log lines above, fix it and run `stagecraft dev restart api db worker`',
    };
    expect(await output(r)).toStrictEqual({
      finalState: 'failed',
      exitCode: 2,
      projectName: 'shop',
      services: ['api', 'db', 'worker'],
      failure,
      signal: undefined,
      statuses: diagnose.input.statuses,
    });
    expect(notServiceReports(r).map((e) => e.type)).toStrictEqual(['restarting', 'waiting']);
    expectNothingRunning(r);
  });

  it('turns unhealthy after the restart: diagnose with just it, then failed, exit 2, naming it', async () => {
    const r = startRestart(['api', 'db']);
    await surveyed(r);
    play(r, ...restartEvents('api'), engine.kill('db'), engine.die('db', 143), engine.start('db'));
    await restartReturned(r, { api: container('api', 'running'), db: container('db', 'running', 'starting') });
    play(r, engine.unhealthy('db'));
    const diagnose = await diagnosed(r, ['db']);
    // diagnostics are best effort: their failure changes nothing.
    diagnose.reject(new Error('logs failed'));
    await failedSaying(
      r,
      'restarting api, db of project shop failed: db turned unhealthy after the restart; see the last log lines above, fix it and run `stagecraft dev restart api db`',
    );
    expectNothingRunning(r);
  });

  it('already exited non-zero when ps is read after `restart`: diagnosed at once, exit 2', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    await restartReturned(r, { api: container('api', 'exited', '', 3) });
    const diagnose = await diagnosed(r, ['api']);
    diagnose.resolve();
    const out = await failedSaying(
      r,
      'restarting api of project shop failed: api exited with code 3 after the restart; see the last log lines above, fix it and run `stagecraft dev restart api`',
    );
    expect(out.statuses).toStrictEqual([status('api', 'exited', 3)]);
  });

  it('started (by its events), then crashed before `restart` returned: a ps read still showing it running is not believed', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    play(r, ...restartEvents('api'), engine.die('api', 1));
    await restartReturned(r, { api: container('api', 'running') });
    const diagnose = await diagnosed(r, ['api']);
    expect(statuses(r)['api']).toStrictEqual(status('api', 'exited', 1, 1));
    // Failed already as `waiting` was entered: no `waiting` line.
    expect(notServiceReports(r).map((e) => e.type)).toStrictEqual(['restarting']);
    diagnose.resolve();
    await failedSaying(
      r,
      'restarting api of project shop failed: api exited with code 1 after the restart; see the last log lines above, fix it and run `stagecraft dev restart api`',
    );
    expectNothingRunning(r);
  });

  it('a hung diagnose is cut at its deadline (30 s): failed, exit 2, diagnose aborted', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    await restartReturned(r, { api: container('api', 'exited', '', 1) });
    await at(r, diagnosingValue);
    r.clock.increment(29_999);
    expect(r.actor.getSnapshot().value).toStrictEqual(diagnosingValue);
    r.clock.increment(1);
    const out = await output(r);
    expect([out.finalState, out.exitCode]).toStrictEqual(['failed', 2]);
    expect(r.fakes.diagnose.only().signal.aborted).toBe(true);
    expectNothingRunning(r);
  });
});

describe('dev restart: bounds and failures of its own steps', () => {
  it('--wait-timeout elapsed: failed, exit 2, naming each service not ready and what it waits for', async () => {
    const r = startRestart([], { waitTimeoutSeconds: 5 });
    await surveyed(r);
    play(r, ...restartEvents('worker'), engine.kill('db'), engine.die('db', 143), engine.start('db'));
    await restartReturned(r, { api: container('api', 'created'), db: container('db', 'running', 'starting'), worker: container('worker', 'running') });
    await at(r, waitingValue);
    expect(notServiceReports(r).at(-1)).toStrictEqual({ type: 'waiting', services: ['api', 'db'], timeoutSeconds: 5 });
    r.clock.increment(4_999);
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    r.clock.increment(1);
    expect(await output(r)).toStrictEqual({
      finalState: 'failed',
      exitCode: 2,
      projectName: 'shop',
      services: ['api', 'db', 'worker'],
      failure: {
        kind: 'command-failed',
        message:
          'api (created, not started), db (waiting for healthy) of project shop not ready 5 s after the restart; raise --wait-timeout if it needs longer, or see `stagecraft dev logs api db`',
      },
      signal: undefined,
      statuses: [status('api', 'created'), status('db', 'starting', 143, 1), status('worker', 'running', 143, 1)],
    });
    expect(r.fakes.diagnose.calls).toHaveLength(0);
    expectNothingRunning(r);
  });

  it('--wait-timeout counts from the ps read after `restart`, not from the start', async () => {
    const r = startRestart(['db'], { waitTimeoutSeconds: 5 });
    await surveyed(r);
    r.clock.increment(60_000);
    expect(r.actor.getSnapshot().value).toStrictEqual(restartingValue);
    await restartReturned(r, { db: container('db', 'running', 'starting') });
    r.clock.increment(4_999);
    play(r, engine.healthy('db'));
    expect((await output(r)).finalState).toBe('restarted');
  });

  it('`restart` rejects (command-failed): failed, exit 2, with its failure; the stream and the service machines stopped', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    r.fakes.restart.only().reject(restartFailed);
    expect(await output(r)).toStrictEqual({
      finalState: 'failed',
      exitCode: 2,
      projectName: 'shop',
      services: ['api'],
      failure: restartFailed,
      signal: undefined,
      statuses: [status('api', 'pending')],
    });
    expect(r.fakes.survey.calls).toHaveLength(1);
    expectNothingRunning(r);
  });

  it('`restart` hangs: at restartTimeout (longest stop grace + --start-timeout) failed, exit 2, saying so; `restart` aborted', async () => {
    const r = startRestart(['api', 'db'], { startTimeoutSeconds: 20 });
    expect(r.plan.restartTimeoutSeconds).toBe(30);
    await surveyed(r);
    r.clock.increment(29_999);
    expect(r.actor.getSnapshot().value).toStrictEqual(restartingValue);
    r.clock.increment(1);
    await failedSaying(
      r,
      `\`${[...F, 'restart', 'api', 'db'].join(' ')}\` did not finish in 30 s: the engine may be hung; check it (\`docker info\`), then run \`stagecraft dev restart api db\` again`,
    );
    expect(r.fakes.restart.only().signal.aborted).toBe(true);
    expectNothingRunning(r);
  });

  it('the ps read after `restart` fails: failed with its failure, exit 2', async () => {
    const r = await observingApi();
    r.fakes.survey.nth(1, 2).reject(restartFailed);
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.failure]).toStrictEqual(['failed', 2, restartFailed]);
    expectNothingRunning(r);
  });
});

describe('dev restart: the events stream ends', () => {
  const eventsArgv = [...F, 'events', '--json'].join(' ');

  it('resync: ps is read again, what it saw goes to every target, the stream is followed again', async () => {
    const r = startRestart(['api', 'db']);
    await surveyed(r);
    play(r, engine.kill('api'));
    r.fakes.followEvents.only().send({ type: 'EVENTS_ENDED', reason: 'the engine restarted' });
    await at(r, { working: { engine: 'resyncing', steps: 'restarting' } });
    expect(r.emitted.at(-1)).toStrictEqual({ type: 'eventsLost', reason: 'the engine restarted' });
    expect(r.fakes.followEvents.only().stopped).toBe(true);
    expect(r.fakes.survey.nth(1, 2).input).toBe(r.plan);
    r.fakes.survey.nth(1, 2).resolve({ api: container('api', 'exited', '', 143), db: container('db', 'running', 'starting') });
    await at(r, restartingValue);
    // Both told, api (stopping by its events) included: a resync must learn what it missed.
    expect(statuses(r)).toStrictEqual({ api: status('api', 'exited', 143), db: status('db', 'starting') });
    expect(r.fakes.followEvents.calls).toHaveLength(2);
    expect(r.fakes.followEvents.live()).toStrictEqual([r.fakes.followEvents.nth(1, 2)]);
    // db was not heard of before the stream ended: its restart comes on the new stream, in order.
    play(r, engine.start('api'), engine.kill('db'), engine.die('db', 143), engine.start('db'), engine.healthy('db'));
    await restartReturned(r, psUp, 2);
    const out = await output(r);
    expect([out.finalState, out.exitCode]).toStrictEqual(['restarted', 0]);
    expect(out.statuses).toStrictEqual([status('api', 'running', 143, 1), status('db', 'healthy', 143, 1)]);
    expectNothingRunning(r);
  });

  it(`ends ${maxEventsRestarts} times: followed again each time; once more: failed, exit 2, saying how often`, async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    for (let lost = 1; lost <= maxEventsRestarts; lost++) {
      r.fakes.followEvents.last().send({ type: 'EVENTS_ENDED', reason: 'it ended' });
      await at(r, { working: { engine: 'resyncing', steps: 'restarting' } });
      r.fakes.survey.nth(lost, lost + 1).resolve({ api: container('api', 'running') });
      await at(r, restartingValue);
      expect(r.fakes.followEvents.calls).toHaveLength(lost + 1);
    }
    expect(r.emitted.filter((e) => e.type === 'eventsLost')).toHaveLength(maxEventsRestarts);
    r.fakes.followEvents.last().send({ type: 'EVENTS_ENDED', reason: 'it ended' });
    await failedSaying(
      r,
      `the engine's event stream (\`${eventsArgv}\`) ended ${maxEventsRestarts + 1} times; check the engine (\`docker info\`), then see \`stagecraft dev status\``,
    );
    expect(r.fakes.survey.calls).toHaveLength(maxEventsRestarts + 1);
    expect(r.fakes.restart.only().signal.aborted).toBe(true);
    expectNothingRunning(r);
  });

  it('ends while waiting: resynced there too; a resync that fails: failed, exit 2', async () => {
    const r = startRestart(['db']);
    await surveyed(r);
    await restartReturned(r, { db: container('db', 'running', 'starting') });
    r.fakes.followEvents.only().send({ type: 'EVENTS_ENDED', reason: 'it ended' });
    await at(r, { working: { engine: 'resyncing', steps: 'waiting' } });
    r.fakes.survey.nth(2, 3).reject(restartFailed);
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.failure]).toStrictEqual(['failed', 2, restartFailed]);
    expectNothingRunning(r);
  });

});

describe('dev restart: STOP', () => {
  const cases: readonly (readonly [StopSignal, number])[] = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ];

  it.each(cases)('%s while surveying: interrupted, exit %i, step `survey`, nothing restarted', async (signal, code) => {
    const r = startRestart(['api']);
    r.actor.send({ type: 'STOP', signal });
    expect(await output(r)).toStrictEqual({
      finalState: 'interrupted',
      exitCode: code,
      projectName: 'shop',
      services: [],
      failure: undefined,
      signal,
      statuses: [],
    });
    expect(r.emitted).toStrictEqual([{ type: 'restartInterrupted', projectName: 'shop', step: 'survey', services: [] }]);
    expect(r.fakes.survey.only().signal.aborted).toBe(true);
    expect(r.fakes.restart.calls).toHaveLength(0);
    expectNothingRunning(r);
  });

  it.each(cases)('%s while `restart` runs: interrupted, exit %i, step `restart`; restart aborted, stream and machines stopped', async (signal, code) => {
    const r = startRestart();
    await surveyed(r);
    play(r, engine.kill('api'));
    r.actor.send({ type: 'STOP', signal });
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.signal, out.failure]).toStrictEqual(['interrupted', code, signal, undefined]);
    expect(out.statuses).toStrictEqual([status('api', 'stopping'), status('db', 'pending'), status('worker', 'pending')]);
    expect(r.emitted.at(-1)).toStrictEqual({ type: 'restartInterrupted', projectName: 'shop', step: 'restart', services: ['api', 'db', 'worker'] });
    expect(r.fakes.restart.only().signal.aborted).toBe(true);
    expectNothingRunning(r);
  });

  it.each(cases)('%s while waiting: interrupted, exit %i, step `wait`', async (signal, code) => {
    const r = startRestart(['db']);
    await surveyed(r);
    await restartReturned(r, { db: container('db', 'running', 'starting') });
    await at(r, waitingValue);
    r.actor.send({ type: 'STOP', signal });
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.signal]).toStrictEqual(['interrupted', code, signal]);
    expect(r.emitted.at(-1)).toStrictEqual({ type: 'restartInterrupted', projectName: 'shop', step: 'wait', services: ['db'] });
    expectNothingRunning(r);
  });

  it('while the ps after `restart` runs, and while diagnosing: step `wait`, the actor aborted', async () => {
    const observing = startRestart(['api']);
    await surveyed(observing);
    observing.fakes.restart.only().resolve();
    await at(observing, observingValue);
    observing.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect((await output(observing)).exitCode).toBe(130);
    expect(observing.emitted.at(-1)).toStrictEqual({ type: 'restartInterrupted', projectName: 'shop', step: 'wait', services: ['api'] });
    expect(observing.fakes.survey.nth(1, 2).signal.aborted).toBe(true);
    expectNothingRunning(observing);

    const diagnosing = startRestart(['api']);
    await surveyed(diagnosing);
    await restartReturned(diagnosing, { api: container('api', 'exited', '', 1) });
    await at(diagnosing, diagnosingValue);
    diagnosing.actor.send({ type: 'STOP', signal: 'SIGTERM' });
    const out = await output(diagnosing);
    // The failure was recorded before the STOP: the interruption's code, the failure kept for the message.
    expect([out.finalState, out.exitCode, out.failure?.kind]).toStrictEqual(['interrupted', 143, 'command-failed']);
    expect(diagnosing.fakes.diagnose.only().signal.aborted).toBe(true);
    expectNothingRunning(diagnosing);
  });

  it('a STOP after a final state changes nothing', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    await restartReturned(r, { api: container('api', 'running') });
    const out = await output(r);
    r.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect(r.actor.getSnapshot().output).toStrictEqual(out);
    expect(r.emitted.filter((e) => e.type === 'restartInterrupted')).toStrictEqual([]);
  });
});

describe('dev restart: judged only on the container since the restart', () => {
  it('the ps read after `restart` is judged once SETTLED comes back: observing → settling → diagnosing', async () => {
    const r = await observingApi();
    const values = valuesFrom(r);
    r.fakes.survey.nth(1, 2).resolve({ api: container('api', 'exited', '', 3) });
    await at(r, diagnosingValue);
    // api's machine answers what it was told (a status) while settling, before SETTLED is taken.
    expect(values).toStrictEqual([settlingValue, settlingValue, diagnosingValue]);
    expect(statuses(r)['api']).toStrictEqual(status('api', 'exited', 3));
    expect(r.actor.getSnapshot().context.current).toStrictEqual(['api']);
  });

  it('a die without its kill (the stream attached late) before `restart` returns, ps shows it running: not failed while it waits for its start', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    play(r, engine.die('api', 143));
    // api (no restart policy) looks exited 143: the old container's; nothing judges it.
    expect(statuses(r)['api']).toStrictEqual(status('api', 'exited', 143));
    expect(r.actor.getSnapshot().context).toStrictEqual(expect.objectContaining({ heard: ['api'], current: [] }));
    await restartReturned(r, { api: container('api', 'running') });
    // Heard of: ps is not told to it; its start comes on the stream.
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    expect(r.actor.getSnapshot().context.current).toStrictEqual([]);
    expect(statuses(r)['api']).toStrictEqual(status('api', 'exited', 143));
    expect(notServiceReports(r).at(-1)).toStrictEqual({ type: 'waiting', services: ['api'], timeoutSeconds: 120 });
    expect(r.fakes.diagnose.calls).toHaveLength(0);
    r.actor.send({ type: 'STOP', signal: 'SIGINT' });
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.failure]).toStrictEqual(['interrupted', 130, undefined]);
    expect(r.fakes.diagnose.calls).toHaveLength(0);
    expectNothingRunning(r);
  });

  it('a graceful die 0 of the old container (api, no healthcheck) is no readiness: waits for the start', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    play(r, engine.kill('api'), engine.die('api', 0));
    await restartReturned(r, { api: container('api', 'running') });
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    play(r, engine.start('api'));
    const out = await output(r);
    expect([out.finalState, out.exitCode]).toStrictEqual(['restarted', 0]);
    expect(out.statuses).toStrictEqual([status('api', 'running', 0, 1)]);
  });

  it('a graceful die 0 without its kill (db, healthcheck), ps shows db health starting: exit 0 is no readiness, waits for its start', async () => {
    const r = startRestart(['db']);
    await surveyed(r);
    play(r, engine.die('db', 0));
    await restartReturned(r, { db: container('db', 'running', 'starting') });
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    expect(r.actor.getSnapshot().context.current).toStrictEqual([]);
    r.clock.increment(119_999);
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    r.clock.increment(1);
    await failedSaying(
      r,
      // Its machine's last status is still the old container's (it was never current).
      'db (not started again yet) of project shop not ready 120 s after the restart; raise --wait-timeout if it needs longer, or see `stagecraft dev logs db`',
    );
    expect(r.fakes.diagnose.calls).toHaveLength(0);
  });

  it('kill seen, `restart` returned, ps shows db starting, then the late die 143 and start: not failed, waits for healthy', async () => {
    const r = startRestart(['db']);
    await surveyed(r);
    play(r, engine.kill('db'));
    await restartReturned(r, { db: container('db', 'running', 'starting') });
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    play(r, engine.die('db', 143));
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    play(r, engine.start('db'));
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    play(r, engine.healthy('db'));
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.statuses]).toStrictEqual(['restarted', 0, [status('db', 'healthy', 143, 1)]]);
    expect(r.fakes.diagnose.calls).toHaveLength(0);
  });

  it('a heard service that crashes after its start is failed, whatever ps says', async () => {
    const r = startRestart(['db']);
    await surveyed(r);
    play(r, engine.kill('db'), engine.die('db', 143), engine.start('db'), engine.die('db', 1));
    await restartReturned(r, { db: container('db', 'running', 'healthy') });
    const diagnose = await diagnosed(r, ['db']);
    diagnose.resolve();
    await failedSaying(
      r,
      'restarting db of project shop failed: db exited with code 1 after the restart; see the last log lines above, fix it and run `stagecraft dev restart db`',
    );
  });

  it('a resync during the restart that saw db healthy before its kill is not taken for db ready after it', async () => {
    const r = startRestart(['db']);
    await surveyed(r);
    r.fakes.followEvents.only().send({ type: 'EVENTS_ENDED', reason: 'it ended' });
    await at(r, { working: { engine: 'resyncing', steps: 'restarting' } });
    // The resync's ps ran before compose killed db; the stream came back after db started again.
    r.fakes.survey.nth(1, 2).resolve({ db: container('db', 'running', 'healthy') });
    await at(r, restartingValue);
    expect(r.actor.getSnapshot().context.current).toStrictEqual([]);
    // `restart` returned: db runs again, its healthcheck has not passed yet.
    await restartReturned(r, { db: container('db', 'running', 'starting') }, 2);
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    expect(r.actor.getSnapshot().context.current).toStrictEqual(['db']);
    await restartedOnceHealthy(r, [status('db', 'healthy')]);
  });

  it('a resync begun during the restart and answering after the wait began: what its ps saw of the old container (exited 143) is not judged', async () => {
    const r = startRestart(['api', 'db']);
    await surveyed(r);
    r.fakes.followEvents.only().send({ type: 'EVENTS_ENDED', reason: 'it ended' });
    await at(r, { working: { engine: 'resyncing', steps: 'restarting' } });
    // `restart` returns while the resync's ps (call 1) is out; the ps after it (call 2) tells both.
    r.fakes.restart.only().resolve();
    await at(r, { working: { engine: 'resyncing', steps: 'observing' } });
    r.fakes.survey.nth(2, 3).resolve({ api: container('api', 'running'), db: container('db', 'running', 'starting') });
    await at(r, { working: { engine: 'resyncing', steps: 'waiting' } });
    expect(r.actor.getSnapshot().context.current).toStrictEqual(['api', 'db']);
    // The resync's ps, read while compose restarted: api dead between its die and its start.
    r.fakes.survey.nth(1, 3).resolve({ api: container('api', 'exited', '', 143), db: container('db', 'running', 'starting') });
    await at(r, waitingValue);
    // api is told what that ps saw, but it is not judged on it: not current any more, no diagnosis.
    expect(r.fakes.diagnose.calls).toHaveLength(0);
    expect(r.actor.getSnapshot().context.current).toStrictEqual(['api', 'db']);
  });

  it('a resync while waiting: what ps saw is judged (the containers are the restarted ones)', async () => {
    const r = startRestart(['db']);
    await surveyed(r);
    play(r, engine.kill('db'));
    await restartReturned(r, { db: container('db', 'running', 'starting') });
    expect(r.actor.getSnapshot().context.current).toStrictEqual([]);
    r.fakes.followEvents.only().send({ type: 'EVENTS_ENDED', reason: 'it ended' });
    await at(r, { working: { engine: 'resyncing', steps: 'waiting' } });
    r.fakes.survey.nth(2, 3).resolve({ db: container('db', 'running', 'healthy') });
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.statuses]).toStrictEqual(['restarted', 0, [status('db', 'healthy')]]);
  });
});

describe('dev restart: every ps is bounded (30 s)', () => {
  it('a hung survey: failed at 30 s, exit 2, saying so; the survey aborted', async () => {
    const r = startRestart(['api']);
    r.clock.increment(29_999);
    expect(r.actor.getSnapshot().value).toBe('surveying');
    r.clock.increment(1);
    const out = await failedSaying(r, psHung);
    expect(out.services).toStrictEqual([]);
    expect(r.fakes.survey.only().signal.aborted).toBe(true);
    expect(r.fakes.restart.calls).toHaveLength(0);
    expectNothingRunning(r);
  });

  it('a hung ps after `restart`: failed at 30 s, exit 2; the ps aborted, nothing judged', async () => {
    const r = await observingApi();
    r.clock.increment(29_999);
    expect(r.actor.getSnapshot().value).toStrictEqual(observingValue);
    r.clock.increment(1);
    const out = await failedSaying(r, psHung);
    expect(out.statuses).toStrictEqual([status('api', 'pending')]);
    expect(r.fakes.survey.nth(1, 2).signal.aborted).toBe(true);
    expect(r.fakes.diagnose.calls).toHaveLength(0);
    expectNothingRunning(r);
  });

  /** The stream ends in `steps`; the resync's ps (the survey's `index`-th call) hangs: failed at 30 s, exit 2, aborted. */
  async function resyncHangs(r: Restart, steps: 'restarting' | 'waiting', index: number): Promise<void> {
    r.fakes.followEvents.only().send({ type: 'EVENTS_ENDED', reason: 'it ended' });
    const resyncing = { working: { engine: 'resyncing', steps } } as const;
    await at(r, resyncing);
    r.clock.increment(29_999);
    expect(r.actor.getSnapshot().value).toStrictEqual(resyncing);
    r.clock.increment(1);
    await failedSaying(r, psHung);
    expect(r.fakes.survey.nth(index, index + 1).signal.aborted).toBe(true);
    expectNothingRunning(r);
  }

  it('a hung resync (during the restart, and while waiting): failed at 30 s, exit 2; `restart` and the ps aborted', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    await resyncHangs(r, 'restarting', 1);
    expect(r.fakes.restart.only().signal.aborted).toBe(true);

    const w = startRestart(['db']);
    await surveyed(w);
    await restartReturned(w, { db: container('db', 'running', 'starting') });
    await resyncHangs(w, 'waiting', 2);
  });
});
// Found by the model and fixed: a start is judged only once its machine has taken it in, and a
// resync forgets what the lost stream heard.
describe('dev restart: a start judged after its machine took it in; a resync starts hearing afresh', () => {
  it('a die without its kill, restart returned, then its start: restarted (not diagnosed on the old exit 143)', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    play(r, engine.die('api', 143));
    await restartReturned(r, { api: container('api', 'running') });
    play(r, engine.start('api'));
    expect(r.actor.getSnapshot().value).not.toStrictEqual(diagnosingValue);
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.failure]).toStrictEqual(['restarted', 0, undefined]);
    expect(out.statuses).toStrictEqual([status('api', 'running', 143, 1)]);
    expect(r.fakes.diagnose.calls).toHaveLength(0);
  });

  it('a graceful die 0 without its kill (db, healthcheck), then its start: waits for healthy (not restarted on the old exit 0)', async () => {
    const r = startRestart(['db']);
    await surveyed(r);
    play(r, engine.die('db', 0));
    await restartReturned(r, { db: container('db', 'running', 'starting') });
    play(r, engine.start('db'));
    expect(r.actor.getSnapshot().value).toStrictEqual(waitingValue);
    play(r, engine.healthy('db'));
    const out = await output(r);
    expect([out.finalState, out.exitCode, out.statuses]).toStrictEqual(['restarted', 0, [status('db', 'healthy', 0, 1)]]);
  });

  it('kill heard, the stream ends, die and start fall in the gap; restart returns: ready by the resync and the ps after it', async () => {
    const r = startRestart(['api']);
    await surveyed(r);
    play(r, engine.kill('api'));
    r.fakes.followEvents.only().send({ type: 'EVENTS_ENDED', reason: 'it ended' });
    await at(r, { working: { engine: 'resyncing', steps: 'restarting' } });
    // api's die and start happened while the stream was down; the resync sees it running again.
    r.fakes.survey.nth(1, 2).resolve({ api: container('api', 'running') });
    await at(r, restartingValue);
    await restartReturned(r, { api: container('api', 'running') }, 2);
    const out = await output(r);
    expect([out.finalState, out.exitCode]).toStrictEqual(['restarted', 0]);
  });
});
