// L1: the dev-session machine driven through fake actors and a simulated clock.
import { createActor, SimulatedClock, toPromise, waitFor, type SnapshotFrom } from 'xstate';
import {
  devSessionMachine,
  type DevSessionEmitted,
} from '../../machines/dev-session.machine.js';
import type {
  DevOptions,
  DevPlan,
  DevSessionOutput,
  PreflightResult,
  SessionFailure,
  StaleSession,
  StopSignal,
} from '../../machines/dev-session.types.js';
import type { DevFiles } from '../../src/dev-files/read-dev-files.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { SessionRecord } from '../../src/session-file/session-file.js';
import { lockedFailure } from '../../src/session/session-claims.js';
import { createFakeActors, fakeImplementations, type FakeActors } from '../fakes/fake-actors.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';

const devFiles: DevFiles = {
  devDir: '.stagecraft/dev',
  composeFile: '.stagecraft/dev/compose.yaml',
  name: 'shop',
  services: [
    { name: 'api', traefik: false, profiled: false, image: undefined },
    { name: 'db', traefik: false, profiled: false, image: undefined },
    { name: 'traefik', traefik: true, profiled: false, image: undefined },
  ],
};

const defaultOptions: DevOptions = defaultDevOptions;

const F = ['docker', 'compose', '-p', 'shop', '-f', '.stagecraft/dev/compose.yaml'];
const teardownArgv = [...F, 'down', '--remove-orphans', '--timeout', '10'];
const forcedDownArgv = [...F, 'down', '--remove-orphans', '--timeout', '0'];

const inputError: SessionFailure = {
  kind: 'input',
  message: 'compose file not found at .stagecraft/dev/compose.yaml; generate the dev files first',
};
const composeUnavailable: SessionFailure = {
  kind: 'compose-unavailable',
  message: 'docker compose not available; install Docker with the Compose plugin or pass --compose-command',
};
const locked: SessionFailure = {
  kind: 'locked',
  message: 'project shop is held by a live session (pid 4242); attach to it or run stagecraft dev down',
};
const startFailed: SessionFailure = {
  kind: 'start-failed',
  message: 'starting project shop failed: `docker compose … up` exited with code 1',
  stderrTail: 'Error response from daemon: pull access denied for shop/api',
  services: [],
};
/** Preflight found no session file left by a dead process. */
const noStale: PreflightResult = { stale: undefined };

/** A session file left by a dead process: its plan ran with --grace 3. */
const stalePlan = buildPlan(devFiles, { ...defaultOptions, graceSeconds: 3 });
const stale: StaleSession = { project: 'shop', pid: 4242, state: 'attached', plan: stalePlan };

const teardownFailed: SessionFailure = {
  kind: 'command-failed',
  message: 'teardown of project shop failed: `docker compose … down` exited with code 1',
};

type Snapshot = SnapshotFrom<typeof devSessionMachine>;
type StateTest = Parameters<Snapshot['matches']>[0];

interface Session {
  readonly actor: ReturnType<typeof createActor<typeof devSessionMachine>>;
  readonly fakes: FakeActors;
  readonly clock: SimulatedClock;
  readonly emitted: DevSessionEmitted[];
  readonly options: DevOptions;
  readonly plan: DevPlan;
}

function startSession(overrides: Partial<DevOptions> = {}): Session {
  const options = { ...defaultOptions, ...overrides };
  const fakes = createFakeActors();
  const clock = new SimulatedClock();
  const machine = devSessionMachine.provide({ actors: fakeImplementations(fakes) });
  const actor = createActor(machine, { input: { options }, clock });
  const emitted: DevSessionEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  return { actor, fakes, clock, emitted, options, plan: buildPlan(devFiles, options) };
}

async function at(s: Session, state: StateTest): Promise<void> {
  await waitFor(s.actor, (snapshot) => snapshot.matches(state) || snapshot.status !== 'active');
  expect(s.actor.getSnapshot().value).toStrictEqual(state);
}

async function toPreflight(s: Session): Promise<void> {
  s.fakes.validate.only().resolve(s.plan);
  await at(s, 'preflight');
}

async function toStarting(s: Session): Promise<void> {
  await toPreflight(s);
  s.fakes.preflight.only().resolve(noStale);
  await at(s, 'starting');
}

async function toReconciling(s: Session): Promise<void> {
  await toPreflight(s);
  s.fakes.preflight.only().resolve({ stale });
  await at(s, 'reconciling');
}

async function toAttached(s: Session): Promise<void> {
  await toStarting(s);
  s.fakes.start.only().resolve();
  await at(s, 'attached');
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

function output(s: Session): Promise<DevSessionOutput> {
  return toPromise(s.actor);
}

const foreground = { projectName: 'shop', mode: 'foreground' } as const;

describe('foreground happy path', () => {
  it('goes validating → preflight → starting → attached, passing each actor its input', async () => {
    const s = startSession();
    expect(s.actor.getSnapshot().value).toBe('validating');
    expect(s.fakes.validate.only().input).toStrictEqual(s.options);
    expect(s.fakes.preflight.calls).toHaveLength(0);

    await toPreflight(s);
    expect(s.fakes.preflight.only().input).toStrictEqual(s.plan);
    expect(s.fakes.start.calls).toHaveLength(0);

    s.fakes.preflight.only().resolve(noStale);
    await at(s, 'starting');
    expect(s.fakes.reconcile.calls).toHaveLength(0);
    expect(s.fakes.start.only().input).toStrictEqual(s.plan);
    expect(s.fakes.followLogs.calls).toHaveLength(0);

    s.fakes.start.only().resolve();
    await at(s, 'attached');
    expect(s.fakes.followLogs.only().input).toStrictEqual(s.plan);
    expect(s.fakes.followLogs.only().cleanedUp).toBe(false);
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('on STOP ends the log follower, tears down gracefully and stops with 130', async () => {
    const s = startSession();
    await toGraceful(s, 'SIGINT');
    expect(s.fakes.followLogs.only().cleanedUp).toBe(true);
    expect(s.fakes.teardown.only().input).toStrictEqual(s.plan);
    expect(s.fakes.forcedTeardown.calls).toHaveLength(0);

    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 130,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
    expect(s.fakes.teardown.only().signal.aborted).toBe(false);
    expect(s.emitted).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'starting', projectName: 'shop' },
      { type: 'started', projectName: 'shop', mode: 'foreground' },
      { type: 'stopping', projectName: 'shop', cause: 'signal', signal: 'SIGINT' },
    ]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('exits 128+n for %s (%i) once the teardown succeeded', async (signal, exitCode) => {
    const s = startSession();
    await toGraceful(s, signal);
    s.fakes.teardown.only().resolve();
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
    const plan = buildPlan({ ...devFiles, name: undefined }, s.options);
    s.fakes.validate.only().resolve(plan);
    await at(s, 'preflight');
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect((await output(s)).projectName).toBe('other');
  });
});

describe('detach', () => {
  it('goes starting → detached, exits 0 and names the command that removes the stack', async () => {
    const s = startSession({ mode: 'detach' });
    await toStarting(s);
    s.fakes.start.only().resolve();
    expect(await output(s)).toStrictEqual({
      projectName: 'shop',
      mode: 'detach',
      finalState: 'detached',
      exitCode: 0,
      failure: undefined,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: teardownArgv,
    });
    expect(s.actor.getSnapshot().value).toBe('detached');
    expect(s.fakes.followLogs.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.emitted).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'starting', projectName: 'shop' },
      { type: 'started', projectName: 'shop', mode: 'detach' },
    ]);
  });
});

describe('failures before any container may exist', () => {
  it('an input error in validating fails with 1 and runs nothing else', async () => {
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
    expect(s.actor.getSnapshot().value).toBe('failed');
    expect(s.fakes.preflight.calls).toHaveLength(0);
    expect(s.emitted).toStrictEqual([]);
  });

  it('reports no project name when validation fails without one', async () => {
    const s = startSession();
    s.fakes.validate.only().reject(inputError);
    expect((await output(s)).projectName).toBeUndefined();
  });

  it('compose missing in preflight fails with 2 and never starts', async () => {
    const s = startSession();
    await toPreflight(s);
    s.fakes.preflight.only().reject(composeUnavailable);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: composeUnavailable,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('a locked project fails preflight with 4', async () => {
    const s = startSession();
    await toPreflight(s);
    s.fakes.preflight.only().reject(locked);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 4,
      failure: locked,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
    expect(s.fakes.start.calls).toHaveLength(0);
  });
});

describe('a stale session found by preflight (SPEC §6)', () => {
  it('goes preflight → reconciling (announced) → starting, tearing the stale project down with its own plan first', async () => {
    const s = startSession();
    await toReconciling(s);
    expect(s.fakes.reconcile.only().input).toStrictEqual(stale);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.emitted).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'reconciling', stale },
    ]);

    s.fakes.reconcile.only().resolve();
    await at(s, 'starting');
    expect(s.fakes.start.only().input).toStrictEqual(s.plan);
    expect(s.fakes.reconcile.only().signal.aborted).toBe(false);

    s.fakes.start.only().resolve();
    await at(s, 'attached');
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'graceful' });
    // The session's own teardown uses this session's plan, not the stale one.
    expect(s.fakes.teardown.only().input).toStrictEqual(s.plan);
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 130,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
    expect(s.emitted).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'reconciling', stale },
      { type: 'starting', projectName: 'shop' },
      { type: 'started', projectName: 'shop', mode: 'foreground' },
      { type: 'stopping', projectName: 'shop', cause: 'signal', signal: 'SIGINT' },
    ]);
  });

  it('with --detach: reconciles, starts, detaches with 0', async () => {
    const s = startSession({ mode: 'detach' });
    await toReconciling(s);
    s.fakes.reconcile.only().resolve();
    await at(s, 'starting');
    s.fakes.start.only().resolve();
    expect(await output(s)).toStrictEqual({
      projectName: 'shop',
      mode: 'detach',
      finalState: 'detached',
      exitCode: 0,
      failure: undefined,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: teardownArgv,
    });
  });

  it('a failing reconcile fails with 2 and never starts', async () => {
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
      leftBehind: stalePlan.teardown.argv, // the stale stack may still run
    });
    expect(s.actor.getSnapshot().value).toBe('failed');
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.fakes.forcedTeardown.calls).toHaveLength(0);
    expect(s.emitted).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'reconciling', stale },
    ]);
  });

  it('a reconcile rejecting with a plain Error is internal (3) and never starts', async () => {
    const bug = new Error('bug in reconcile');
    const s = startSession();
    await toReconciling(s);
    s.fakes.reconcile.only().reject(bug);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 3,
      failure: { kind: 'internal', message: bug.stack },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: stalePlan.teardown.argv, // the stale stack may still run
    });
    expect(s.fakes.start.calls).toHaveLength(0);
  });

  it('a locked project (the real lockedFailure) fails preflight with 4: no reconcile, no start, no teardown', async () => {
    const holder: SessionRecord = {
      version: 1,
      project: 'shop',
      mode: 'foreground',
      pid: 4242,
      pidStartTicks: 1234,
      startedAt: '2026-01-02T03:04:05.000Z',
      state: 'attached',
      updatedAt: '2026-01-02T03:04:06.000Z',
      plan: buildPlan(devFiles, defaultOptions),
    };
    const failure = lockedFailure(holder);
    const s = startSession();
    await toPreflight(s);
    s.fakes.preflight.only().reject(failure);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 4,
      failure,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
    expect(s.fakes.reconcile.calls).toHaveLength(0);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.emitted).toStrictEqual([{ type: 'planned', plan: s.plan, options: s.options }]);
  });
});

describe('rollback after a failed start', () => {
  it('diagnoses, records the failed services, tears down and fails with 2', async () => {
    const s = startSession();
    await toDiagnosing(s);
    expect(s.fakes.diagnose.only().input).toStrictEqual({ plan: s.plan, failure: startFailed });
    expect(s.fakes.teardown.calls).toHaveLength(0);

    s.fakes.diagnose.only().resolve(['api', 'db']);
    await at(s, { rollingBack: 'tearingDown' });
    expect(s.fakes.teardown.only().input).toStrictEqual(s.plan);

    s.fakes.teardown.only().resolve();
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
    expect(s.emitted).toStrictEqual([
      { type: 'planned', plan: s.plan, options: s.options },
      { type: 'starting', projectName: 'shop' },
      { type: 'rollingBack', keepOnFailure: false },
    ]);
  });

  it('keeps a start failure of another kind as it is', async () => {
    const engineDown: SessionFailure = { kind: 'engine-unreachable', message: 'the container engine is not reachable' };
    const s = startSession();
    await toDiagnosing(s, engineDown);
    s.fakes.diagnose.only().resolve(['api']);
    await at(s, { rollingBack: 'tearingDown' });
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: engineDown,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it('still tears down when the diagnostics fail', async () => {
    const s = startSession();
    await toDiagnosing(s);
    s.fakes.diagnose.only().reject(new Error('logs failed'));
    await at(s, { rollingBack: 'tearingDown' });
    s.fakes.teardown.only().resolve();
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

  it('with --keep-on-failure does not tear down and names what was left behind', async () => {
    const s = startSession({ keepOnFailure: true });
    await toDiagnosing(s);
    s.fakes.diagnose.only().resolve(['db']);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: { ...startFailed, services: ['db'] },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: teardownArgv,
    });
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'rollingBack', keepOnFailure: true });
  });

  it('with --keep-on-failure and failing diagnostics still does not tear down', async () => {
    const s = startSession({ keepOnFailure: true });
    await toDiagnosing(s);
    s.fakes.diagnose.only().reject(new Error('logs failed'));
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: startFailed,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: teardownArgv,
    });
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('a failing rollback teardown is recorded beside the start failure', async () => {
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
  });

  it('a start that rejects with a plain Error is an internal failure (3), rolled back', async () => {
    const bug = new Error('bug in start');
    const s = startSession();
    await toDiagnosing(s, bug);
    s.fakes.diagnose.only().resolve([]);
    await at(s, { rollingBack: 'tearingDown' });
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 3,
      failure: { kind: 'internal', message: bug.stack },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });
});

describe('STOP in every state that is not final', () => {
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
    expect(s.fakes.preflight.calls).toHaveLength(0);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('in preflight: stops with 128+n, cancels preflight, starts nothing', async () => {
    const s = startSession();
    await toPreflight(s);
    s.actor.send({ type: 'STOP', signal: 'SIGTERM' });
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 143,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGTERM',
      leftBehind: undefined,
    });
    expect(s.fakes.preflight.only().signal.aborted).toBe(true);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('in reconciling (%s): cancels the reconcile, stops with %i, never starts', async (signal, exitCode) => {
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
      leftBehind: stalePlan.teardown.argv, // the stale stack may still run
    });
    expect(s.actor.getSnapshot().value).toBe('stopped');
    expect(s.fakes.reconcile.only().signal.aborted).toBe(true);
    expect(s.fakes.start.calls).toHaveLength(0);
    expect(s.fakes.teardown.calls).toHaveLength(0);
    expect(s.fakes.forcedTeardown.calls).toHaveLength(0);
  });

  it('in starting: cancels the start, then tears down', async () => {
    const s = startSession();
    await toStarting(s);
    expect(s.fakes.start.only().signal.aborted).toBe(false);
    s.actor.send({ type: 'STOP', signal: 'SIGHUP' });
    await at(s, { stopping: 'graceful' });
    expect(s.fakes.start.only().signal.aborted).toBe(true);
    expect(s.fakes.teardown.only().input).toStrictEqual(s.plan);
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 129,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGHUP',
      leftBehind: undefined,
    });
    expect(s.fakes.followLogs.calls).toHaveLength(0);
    expect(s.fakes.diagnose.calls).toHaveLength(0);
  });

  it('in starting with --detach: cancels the start, tears down, stops with 128+n', async () => {
    const s = startSession({ mode: 'detach' });
    await toStarting(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'graceful' });
    expect(s.fakes.start.only().signal.aborted).toBe(true);
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      projectName: 'shop',
      mode: 'detach',
      finalState: 'stopped',
      exitCode: 130,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
  });

  it('in stopping.readingExitCodes: cancels reading the exit codes and tears down', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.only().endLogs(0);
    await at(s, { stopping: 'readingExitCodes' });
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'graceful' });
    expect(s.fakes.readExitCodes.only().signal.aborted).toBe(true);
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 130,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
  });

  it('in stopping.graceful: ends the graceful teardown and forces it; the first signal names the exit code', async () => {
    const s = startSession();
    await toForced(s, ['SIGTERM', 'SIGINT']);
    expect(s.fakes.teardown.only().signal.aborted).toBe(true);
    expect(s.fakes.forcedTeardown.only().input).toStrictEqual(s.plan);
    expect(s.emitted.slice(-2)).toStrictEqual([
      { type: 'stopping', projectName: 'shop', cause: 'signal', signal: 'SIGTERM' },
      { type: 'forcing', cause: 'signal' },
    ]);
    s.fakes.forcedTeardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 143,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGTERM',
      leftBehind: undefined,
    });
  });

  it('in stopping.forced: abandons with 2 and leaves the forced down command', async () => {
    const s = startSession();
    await toForced(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'abandoned',
      exitCode: 2,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: forcedDownArgv,
    });
    expect(s.actor.getSnapshot().value).toBe('abandoned');
    expect(s.fakes.forcedTeardown.only().signal.aborted).toBe(true);
  });

  it('in rollingBack.diagnosing: cancels the diagnostics and tears down', async () => {
    const s = startSession();
    await toDiagnosing(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { rollingBack: 'tearingDown' });
    expect(s.fakes.diagnose.only().signal.aborted).toBe(true);
    s.fakes.teardown.only().resolve();
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
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: startFailed,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: teardownArgv,
    });
    expect(s.fakes.diagnose.only().signal.aborted).toBe(true);
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('in rollingBack.tearingDown: forces the teardown and still fails with 2', async () => {
    const s = startSession();
    await toRollbackTeardown(s);
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'forced' });
    expect(s.fakes.teardown.only().signal.aborted).toBe(true);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'forcing', cause: 'signal' });
    s.fakes.forcedTeardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: { ...startFailed, services: ['api'] },
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
  });

  it('in rollingBack.tearingDown, twice: abandons with the forced down command', async () => {
    const s = startSession();
    await toRollbackTeardown(s);
    s.actor.send({ type: 'STOP', signal: 'SIGTERM' });
    await at(s, { stopping: 'forced' });
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'abandoned',
      exitCode: 2,
      failure: { ...startFailed, services: ['api'] },
      teardownFailure: undefined,
      signal: 'SIGTERM',
      leftBehind: forcedDownArgv,
    });
  });
});

describe('teardown deadline', () => {
  it.each([10, 0])('with --grace %i forces the teardown after (grace+30)s and not before', async (grace) => {
    const s = startSession({ graceSeconds: grace });
    await toGraceful(s);
    s.clock.increment((grace + 30) * 1000 - 1);
    expect(s.actor.getSnapshot().value).toStrictEqual({ stopping: 'graceful' });
    expect(s.fakes.teardown.only().signal.aborted).toBe(false);
    expect(s.fakes.forcedTeardown.calls).toHaveLength(0);

    s.clock.increment(1);
    await at(s, { stopping: 'forced' });
    expect(s.fakes.teardown.only().signal.aborted).toBe(true);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'forcing', cause: 'deadline' });
    s.fakes.forcedTeardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 130,
      failure: undefined,
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
  });

  it('forces a rollback teardown that hangs past the deadline', async () => {
    const s = startSession();
    await toRollbackTeardown(s);
    s.clock.increment(39_999);
    expect(s.actor.getSnapshot().value).toStrictEqual({ rollingBack: 'tearingDown' });
    s.clock.increment(1);
    await at(s, { stopping: 'forced' });
    expect(s.fakes.teardown.only().signal.aborted).toBe(true);
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'forcing', cause: 'deadline' });
    s.fakes.forcedTeardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: { ...startFailed, services: ['api'] },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it('is not armed before the teardown: time passing in attached changes nothing', async () => {
    const s = startSession();
    await toAttached(s);
    s.clock.increment(3_600_000);
    expect(s.actor.getSnapshot().value).toBe('attached');
    expect(s.fakes.teardown.calls).toHaveLength(0);
  });

  it('is cleared when the graceful teardown ends in time', async () => {
    const s = startSession();
    await toGraceful(s);
    s.clock.increment(20_000);
    s.fakes.teardown.only().resolve();
    await output(s);
    s.clock.increment(3_600_000);
    expect(s.actor.getSnapshot().value).toBe('stopped');
    expect(s.fakes.forcedTeardown.calls).toHaveLength(0);
  });

  it('does not escalate a forced teardown by time: only a third STOP abandons it', async () => {
    const s = startSession();
    await toForced(s);
    s.clock.increment(3_600_000);
    expect(s.actor.getSnapshot().value).toStrictEqual({ stopping: 'forced' });
  });
});

describe('stack ended by itself', () => {
  it('reads the exit codes; all 0 → tears down and stops with 0', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.only().endLogs(0);
    await at(s, { stopping: 'readingExitCodes' });
    expect(s.fakes.followLogs.only().cleanedUp).toBe(true);
    expect(s.fakes.readExitCodes.only().input).toStrictEqual(s.plan);
    expect(s.fakes.teardown.calls).toHaveLength(0);

    s.fakes.readExitCodes.only().resolve([
      { service: 'api', state: 'exited', exitCode: 0 },
      { service: 'db', state: 'exited', exitCode: 0 },
    ]);
    await at(s, { stopping: 'graceful' });
    expect(s.emitted.at(-1)).toStrictEqual({
      type: 'stopping',
      projectName: 'shop',
      cause: 'stack-ended',
      signal: undefined,
    });
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 0,
      failure: undefined,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it.each([1, 3, 137])('one service exited %i → stops with 2, naming that service', async (code) => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.only().endLogs(0);
    await at(s, { stopping: 'readingExitCodes' });
    s.fakes.readExitCodes.only().resolve([
      { service: 'api', state: 'exited', exitCode: 0 },
      { service: 'worker', state: 'exited', exitCode: code },
      { service: 'zeta', state: 'exited', exitCode: 0 },
    ]);
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 2,
      failure: { kind: 'services-failed', services: [{ service: 'worker', state: 'exited', exitCode: code }] },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it('the log stream ended but `ps` says the stack had not → says so, tears down, stops with 2', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.only().endLogs(1);
    await at(s, { stopping: 'readingExitCodes' });
    const logsEnded: SessionFailure = { kind: 'command-failed', message: 'the log stream ended while api still ran' };
    s.fakes.readExitCodes.only().reject(logsEnded);
    await at(s, { stopping: 'graceful' });
    expect(s.emitted.at(-1)).toStrictEqual({ type: 'stopping', projectName: 'shop', cause: 'logs-ended', signal: undefined });
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 2,
      failure: logsEnded,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it('one service failed: still "stack-ended" (every container did end)', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.only().endLogs(0);
    await at(s, { stopping: 'readingExitCodes' });
    s.fakes.readExitCodes.only().resolve([{ service: 'worker', state: 'exited', exitCode: 3 }]);
    await at(s, { stopping: 'graceful' });
    expect(s.emitted.at(-1)).toMatchObject({ type: 'stopping', cause: 'stack-ended' });
  });

  it('a forced teardown after a failed service still ends in stopped (the start did not fail)', async () => {
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.only().endLogs(0);
    await at(s, { stopping: 'readingExitCodes' });
    s.fakes.readExitCodes.only().resolve([{ service: 'worker', state: 'exited', exitCode: 3 }]);
    await at(s, { stopping: 'graceful' });
    s.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(s, { stopping: 'forced' });
    s.fakes.forcedTeardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 2,
      failure: { kind: 'services-failed', services: [{ service: 'worker', state: 'exited', exitCode: 3 }] },
      teardownFailure: undefined,
      signal: 'SIGINT',
      leftBehind: undefined,
    });
  });

  it('still tears down when the exit codes cannot be read', async () => {
    const psFailed: SessionFailure = { kind: 'command-failed', message: 'ps failed' };
    const s = startSession();
    await toAttached(s);
    s.fakes.followLogs.only().endLogs(1);
    await at(s, { stopping: 'readingExitCodes' });
    s.fakes.readExitCodes.only().reject(psFailed);
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 2,
      failure: psFailed,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });
});

describe('teardown failures', () => {
  it('a failing graceful teardown fails with 2 and names the command to retry', async () => {
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
  });

  it('a failing forced teardown fails with 2', async () => {
    const s = startSession();
    await toForced(s);
    s.fakes.forcedTeardown.only().reject(teardownFailed);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 2,
      failure: undefined,
      teardownFailure: teardownFailed,
      signal: 'SIGINT',
      leftBehind: teardownArgv,
    });
  });

  it('a teardown rejecting with a plain Error is an internal failure (3)', async () => {
    const bug = new Error('bug in teardown');
    const s = startSession();
    await toGraceful(s);
    s.fakes.teardown.only().reject(bug);
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 3,
      failure: undefined,
      teardownFailure: { kind: 'internal', message: bug.stack },
      signal: 'SIGINT',
      leftBehind: teardownArgv,
    });
  });
});

describe('internal errors', () => {
  it('validate rejecting with a plain Error fails with 3', async () => {
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

  it('a rejection with an unknown failure kind is internal too', async () => {
    const s = startSession();
    await toPreflight(s);
    s.fakes.preflight.only().reject({ kind: 'no-such-kind', message: 'x' });
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'failed',
      exitCode: 3,
      failure: { kind: 'internal', message: '[object Object]' },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it('a log follower that throws is internal (3) and the stack is still torn down', async () => {
    const bug = new Error('bug in followLogs');
    const s = startSession();
    s.fakes.followLogs.failOnStart = bug;
    await toStarting(s);
    s.fakes.start.only().resolve();
    await at(s, { stopping: 'graceful' });
    s.fakes.teardown.only().resolve();
    expect(await output(s)).toStrictEqual({
      ...foreground,
      finalState: 'stopped',
      exitCode: 3,
      failure: { kind: 'internal', message: bug.stack },
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
  });

  it('the bare machine (nothing provided) fails with 3 naming the missing actor', async () => {
    const actor = createActor(devSessionMachine, { input: { options: defaultOptions } });
    actor.start();
    const result = await toPromise(actor);
    expect(result.finalState).toBe('failed');
    expect(result.exitCode).toBe(3);
    expect(result.failure?.kind).toBe('internal');
    expect(result.failure?.kind === 'internal' && result.failure.message.split('\n')[0]).toBe(
      'Error: not provided: validate',
    );
  });
});
