// L1: the dev-down machine driven through gated fake actors and a simulated clock.
import { createActor, SimulatedClock, toPromise, waitFor, type SnapshotFrom } from 'xstate';
import { devDownMachine, type DevDownEmitted } from '../../machines/dev-down.machine.js';
import type { LockTaken, RecordSurvey, SessionHolder, SignalResult } from '../../machines/dev-down.types.js';
import type { DevPlan, Removal, SessionFailure } from '../../machines/dev-session.types.js';
import { exitCodeTable } from '../../machines/exit-code.js';
import { createDevDownActors } from '../../src/down/dev-down-actors.js';
import { GatedPromiseActor } from '../fakes/fake-actors.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopHolder } from '../fixtures/shop-holder.js';
import { shopPlan } from '../fixtures/shop-session.js';
import { downArgv } from '../fixtures/teardown-commands.js';

const plan = shopPlan();
const oldPlan = shopPlan({ ...defaultDevOptions, projectName: 'old' });
const holder: SessionHolder = shopHolder();
const noRecord: RecordSurvey = { recordedProject: undefined, holder: undefined };
const liveHolder = (overrides: Partial<SessionHolder> = {}): RecordSurvey => ({
  recordedProject: 'shop',
  holder: { ...holder, ...overrides },
});
const teardownFailed: SessionFailure = {
  kind: 'command-failed',
  message: 'teardown of project shop failed: `docker compose … down` exited with code 1',
};
const shopRemoval: Removal = { containers: ['shop-api-1'], networks: ['shop_default'], volumes: [] };
const oldRemoval: Removal = { containers: ['old-api-1', 'old-api-run-7e1f'], networks: ['old_default'], volumes: ['ab'.repeat(32)] };
const nothingRemoved: Removal = { containers: [], networks: [], volumes: [] };
const locked: SessionFailure = { kind: 'locked', message: 'project shop is held by a live session from /elsewhere (pid 99)' };

interface Fakes {
  readonly readRecord: GatedPromiseActor<RecordSurvey, void>;
  readonly loadPlan: GatedPromiseActor<DevPlan, { readonly recordedProject: string | undefined }>;
  readonly signalHolder: GatedPromiseActor<SignalResult, SessionHolder>;
  readonly awaitHolderExit: GatedPromiseActor<void, SessionHolder>;
  readonly takeLock: GatedPromiseActor<LockTaken, DevPlan>;
  readonly teardown: GatedPromiseActor<Removal, DevPlan>;
  readonly release: GatedPromiseActor<void, DevPlan>;
  readonly restoreLock: GatedPromiseActor<void, void>;
}

function createFakes(): Fakes {
  const gated = <O, I>(name: string) => new GatedPromiseActor<O, I>(name);
  return {
    readRecord: gated('readRecord'),
    loadPlan: gated('loadPlan'),
    signalHolder: gated('signalHolder'),
    awaitHolderExit: gated('awaitHolderExit'),
    takeLock: gated('takeLock'),
    teardown: gated('teardown'),
    release: gated('release'),
    restoreLock: gated('restoreLock'),
  };
}

type Snapshot = SnapshotFrom<typeof devDownMachine>;
type StateValue = Parameters<Snapshot['matches']>[0];

interface Down {
  readonly actor: ReturnType<typeof createActor<typeof devDownMachine>>;
  readonly fakes: Fakes;
  readonly clock: SimulatedClock;
  readonly emitted: DevDownEmitted[];
}

function startDown(): Down {
  const fakes = createFakes();
  const actors = Object.fromEntries(Object.entries(fakes).map(([name, fake]) => [name, (fake as GatedPromiseActor<unknown, unknown>).logic]));
  const clock = new SimulatedClock();
  const machine = devDownMachine.provide({ actors: actors as Parameters<typeof devDownMachine.provide>[0]['actors'] });
  const actor = createActor(machine, { input: { graceSeconds: 10, exitCodes: exitCodeTable }, clock });
  const emitted: DevDownEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  return { actor, fakes, clock, emitted };
}

async function at(d: Down, state: StateValue): Promise<void> {
  await waitFor(d.actor, (snapshot) => snapshot.matches(state) || snapshot.status !== 'active');
  expect(d.actor.getSnapshot().value).toStrictEqual(state);
}

/** Resolves the record and the plan: to the holder steps, or to locking. */
async function planned(d: Down, survey: RecordSurvey, next: StateValue): Promise<void> {
  d.fakes.readRecord.only().resolve(survey);
  await at(d, 'planning');
  expect(d.fakes.loadPlan.only().input).toStrictEqual({ recordedProject: survey.recordedProject });
  d.fakes.loadPlan.only().resolve(plan);
  await at(d, next);
}

async function toOwnTeardown(d: Down, taken: LockTaken = { stalePlan: undefined }): Promise<void> {
  await planned(d, noRecord, 'locking');
  d.fakes.takeLock.only().resolve(taken);
  await at(d, { tearingDown: taken.stalePlan === undefined ? 'ownProject' : 'staleProject' });
}

describe('dev down without a live holder', () => {
  it('no record: lock, the teardown of the plan, `removed` with what it removed, release; exit 0', async () => {
    const d = startDown();
    await toOwnTeardown(d);
    expect(d.fakes.takeLock.only().input).toBe(plan);
    expect(d.fakes.teardown.only().input.teardown.down.argv).toStrictEqual(downArgv('shop'));
    d.fakes.teardown.only().resolve(shopRemoval);
    await at(d, 'releasing');
    // Said once the teardown is done, before the record goes.
    expect(d.emitted).toStrictEqual([{ type: 'planned', plan }, { type: 'removed', projectName: 'shop', removal: shopRemoval }]);
    d.fakes.release.only().resolve();
    expect(await toPromise(d.actor)).toStrictEqual({ outcome: 'done', exitCode: 0, failure: undefined, signal: undefined, projectName: 'shop' });
    expect(d.emitted).toStrictEqual([{ type: 'planned', plan }, { type: 'removed', projectName: 'shop', removal: shopRemoval }]);
    expect(d.fakes.signalHolder.calls).toHaveLength(0);
    expect(d.fakes.restoreLock.calls).toHaveLength(0);
  });

  it('a stale record of another project: its teardown first, then this one; `removed` for each, in that order', async () => {
    const d = startDown();
    await toOwnTeardown(d, { stalePlan: oldPlan });
    expect(d.fakes.teardown.only().input).toBe(oldPlan);
    d.fakes.teardown.only().resolve(oldRemoval);
    await at(d, { tearingDown: 'ownProject' });
    expect(d.emitted).toStrictEqual([{ type: 'planned', plan }, { type: 'removed', projectName: 'old', removal: oldRemoval }]);
    expect(d.fakes.teardown.nth(1, 2).input).toBe(plan);
    d.fakes.teardown.nth(1, 2).resolve(nothingRemoved);
    await at(d, 'releasing');
    d.fakes.release.only().resolve();
    expect((await toPromise(d.actor)).exitCode).toBe(0);
    expect(d.emitted).toStrictEqual([
      { type: 'planned', plan },
      { type: 'removed', projectName: 'old', removal: oldRemoval },
      { type: 'removed', projectName: 'shop', removal: nothingRemoved },
    ]);
  });

  it("the stale project removed, this one's teardown failing: `removed` for the stale one only, exit 2", async () => {
    const d = startDown();
    await toOwnTeardown(d, { stalePlan: oldPlan });
    d.fakes.teardown.only().resolve(oldRemoval);
    await at(d, { tearingDown: 'ownProject' });
    d.fakes.teardown.nth(1, 2).reject(teardownFailed);
    await at(d, 'restoring');
    d.fakes.restoreLock.only().resolve();
    expect((await toPromise(d.actor)).exitCode).toBe(2);
    expect(d.emitted).toStrictEqual([{ type: 'planned', plan }, { type: 'removed', projectName: 'old', removal: oldRemoval }]);
  });

  it('a teardown that fails: the lock is restored, exit 2 with the failure', async () => {
    const d = startDown();
    await toOwnTeardown(d);
    d.fakes.teardown.only().reject(teardownFailed);
    await at(d, 'restoring');
    d.fakes.restoreLock.only().resolve();
    expect(await toPromise(d.actor)).toStrictEqual({ outcome: 'failed', exitCode: 2, failure: teardownFailed, signal: undefined, projectName: 'shop' });
    expect(d.fakes.release.calls).toHaveLength(0);
    expect(d.emitted).toStrictEqual([{ type: 'planned', plan }]);
  });

  it('the lock held elsewhere: restoring (a no-op) then exit 4, nothing torn down', async () => {
    const d = startDown();
    await planned(d, noRecord, 'locking');
    d.fakes.takeLock.only().reject(locked);
    await at(d, 'restoring');
    d.fakes.restoreLock.only().resolve();
    const output = await toPromise(d.actor);
    expect([output.outcome, output.exitCode, output.failure]).toStrictEqual(['failed', 4, locked]);
    expect(d.fakes.teardown.calls).toHaveLength(0);
  });

  it('a corrupt record (readRecord rejects `input`): exit 1, nothing planned, locked or signalled', async () => {
    const d = startDown();
    const corrupt: SessionFailure = { kind: 'input', message: 'session file /p/.stagecraft/dev/session.json is not a record stagecraft wrote' };
    d.fakes.readRecord.only().reject(corrupt);
    const output = await toPromise(d.actor);
    expect([output.outcome, output.exitCode, output.failure]).toStrictEqual(['failed', 1, corrupt]);
    expect([d.fakes.loadPlan.calls.length, d.fakes.takeLock.calls.length, d.fakes.signalHolder.calls.length]).toStrictEqual([0, 0, 0]);
  });

  it('a bug in an actor (a plain Error) is internal: exit 3', async () => {
    const d = startDown();
    d.fakes.readRecord.only().resolve(noRecord);
    await at(d, 'planning');
    d.fakes.loadPlan.only().reject(new Error('boom'));
    const output = await toPromise(d.actor);
    expect([output.outcome, output.exitCode, output.failure?.kind]).toStrictEqual(['failed', 3, 'internal']);
    expect(output.failure?.kind === 'internal' && output.failure.message.startsWith('Error: boom')).toBe(true);
  });
});

describe('dev down with a live holder', () => {
  it('asks it to stop (SIGTERM through signalHolder), waits for it to end, then locks', async () => {
    const d = startDown();
    await planned(d, liveHolder(), { stoppingHolder: 'asking' });
    expect(d.fakes.signalHolder.only().input).toStrictEqual(holder);
    d.fakes.signalHolder.only().resolve('sent');
    await at(d, { stoppingHolder: 'waiting' });
    expect(d.emitted).toStrictEqual([{ type: 'holderFound', holder, waiting: 'asked' }]);
    d.fakes.awaitHolderExit.only().resolve();
    await at(d, 'locking');
  });

  it('a holder gone before the signal: straight to the lock, nothing said', async () => {
    const d = startDown();
    await planned(d, liveHolder(), { stoppingHolder: 'asking' });
    d.fakes.signalHolder.only().resolve('gone');
    await at(d, 'locking');
    expect(d.emitted).toStrictEqual([{ type: 'planned', plan }]);
  });

  it('not ended in grace + 60 s: asked again (it forces its teardown); not in 30 s more: exit 4 naming the pid', async () => {
    const d = startDown();
    await planned(d, liveHolder(), { stoppingHolder: 'asking' });
    d.fakes.signalHolder.only().resolve('sent');
    await at(d, { stoppingHolder: 'waiting' });
    d.clock.increment(69_999);
    expect(d.actor.getSnapshot().value).toStrictEqual({ stoppingHolder: 'waiting' });
    d.clock.increment(1);
    await at(d, { stoppingHolder: 'forcing' });
    expect(d.fakes.awaitHolderExit.only().signal.aborted).toBe(true);
    expect(d.emitted.at(-1)).toStrictEqual({ type: 'forcingHolder', holder, waitedSeconds: 70 });
    expect(d.fakes.signalHolder.nth(1, 2).input).toStrictEqual(holder);
    d.fakes.signalHolder.nth(1, 2).resolve('sent');
    await at(d, { stoppingHolder: 'waitingForced' });
    d.clock.increment(29_999);
    expect(d.actor.getSnapshot().value).toStrictEqual({ stoppingHolder: 'waitingForced' });
    d.clock.increment(1);
    const output = await toPromise(d.actor);
    expect(output).toStrictEqual({
      outcome: 'failed',
      exitCode: 4,
      failure: {
        kind: 'locked',
        message:
          'project shop is still held by a live session (pid 4242, foreground, attached): asked twice to stop, it has not ended in 100 s; ' +
          'stop it in its terminal (Ctrl+C) or with `kill 4242`, then run `stagecraft dev down` again',
      },
      signal: undefined,
      projectName: 'shop',
    });
    expect(d.fakes.signalHolder.calls).toHaveLength(2);
    expect(d.fakes.takeLock.calls).toHaveLength(0);
  });

  it('another user’s session (signalHolder rejects `locked`): exit 4, nothing locked', async () => {
    const d = startDown();
    await planned(d, liveHolder(), { stoppingHolder: 'asking' });
    d.fakes.signalHolder.only().reject(locked);
    expect((await toPromise(d.actor)).exitCode).toBe(4);
    expect(d.fakes.takeLock.calls).toHaveLength(0);
  });

  it.each([
    ['its tags say tearingDown', { state: 'stopping.graceful', tags: ['tearingDown'] }],
    ['a record without tags, mode down (another `dev down`)', { mode: 'down', state: 'down', tags: undefined }],
  ] as const)('a holder tearing down already (%s) is waited for, never signalled; exit 4 after grace + 90 s', async (_, overrides) => {
    const d = startDown();
    await planned(d, liveHolder(overrides), 'awaitingHolder');
    const waitedFor = { ...holder, ...overrides };
    expect(d.emitted).toStrictEqual([{ type: 'holderFound', holder: waitedFor, waiting: 'tearingDown' }]);
    expect(d.fakes.awaitHolderExit.only().input).toStrictEqual(waitedFor);
    d.clock.increment(99_999);
    expect(d.actor.getSnapshot().value).toBe('awaitingHolder');
    d.clock.increment(1);
    const output = await toPromise(d.actor);
    expect([output.exitCode, (output.failure as { message: string } | undefined)?.message]).toStrictEqual([
      4,
      `project shop is held by a live session (pid 4242, ${waitedFor.mode}, ${waitedFor.state}) that is tearing down and has not ended in 100 s; ` +
        'wait for it, or stop it in its terminal (Ctrl+C), then run `stagecraft dev down` again',
    ]);
    expect(d.fakes.signalHolder.calls).toHaveLength(0);
  });

  it('a tearing-down holder that ends: then the lock', async () => {
    const d = startDown();
    await planned(d, liveHolder({ tags: ['stackMayExist', 'tearingDown'] }), 'awaitingHolder');
    d.fakes.awaitHolderExit.only().resolve();
    await at(d, 'locking');
  });

  it('the state name is not read: a tagless foreground record in `stopping.graceful` is asked to stop', async () => {
    const d = startDown();
    await planned(d, liveHolder({ state: 'stopping.graceful', tags: undefined }), { stoppingHolder: 'asking' });
  });
});

describe('STOP', () => {
  it('while waiting for the holder: interrupted, exit 143 for SIGTERM; the wait is cancelled', async () => {
    const d = startDown();
    await planned(d, liveHolder(), { stoppingHolder: 'asking' });
    d.fakes.signalHolder.only().resolve('sent');
    await at(d, { stoppingHolder: 'waiting' });
    d.actor.send({ type: 'STOP', signal: 'SIGTERM' });
    expect(await toPromise(d.actor)).toStrictEqual({ outcome: 'interrupted', exitCode: 143, failure: undefined, signal: 'SIGTERM', projectName: 'shop' });
    expect(d.fakes.awaitHolderExit.only().signal.aborted).toBe(true);
    expect(d.fakes.takeLock.calls).toHaveLength(0);
  });

  it('during the teardown: cancels `down`, restores the lock, exit 130; a second STOP does not change it', async () => {
    const d = startDown();
    await toOwnTeardown(d);
    d.actor.send({ type: 'STOP', signal: 'SIGINT' });
    await at(d, 'restoring');
    expect(d.fakes.teardown.only().signal.aborted).toBe(true);
    d.actor.send({ type: 'STOP', signal: 'SIGHUP' });
    d.fakes.restoreLock.only().resolve();
    expect(await toPromise(d.actor)).toStrictEqual({ outcome: 'interrupted', exitCode: 130, failure: undefined, signal: 'SIGINT', projectName: 'shop' });
    expect(d.fakes.release.calls).toHaveLength(0);
    // Nothing is said removed: the teardown did not finish.
    expect(d.emitted).toStrictEqual([{ type: 'planned', plan }]);
  });

  it('while taking the lock: the claim is abandoned and restoring lets go of whatever it got; exit 129', async () => {
    const d = startDown();
    await planned(d, noRecord, 'locking');
    d.actor.send({ type: 'STOP', signal: 'SIGHUP' });
    await at(d, 'restoring');
    expect(d.fakes.takeLock.only().signal.aborted).toBe(true);
    d.fakes.restoreLock.only().resolve();
    expect((await toPromise(d.actor)).exitCode).toBe(129);
  });

  it('while releasing: not acted on, the work is done; exit 0', async () => {
    const d = startDown();
    await toOwnTeardown(d);
    d.fakes.teardown.only().resolve(shopRemoval);
    await at(d, 'releasing');
    d.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect(d.fakes.release.only().signal.aborted).toBe(false);
    d.fakes.release.only().resolve();
    expect(await toPromise(d.actor)).toStrictEqual({ outcome: 'done', exitCode: 0, failure: undefined, signal: undefined, projectName: 'shop' });
  });

  it('before anything was read: interrupted, exit 130, nothing planned', async () => {
    const d = startDown();
    d.actor.send({ type: 'STOP', signal: 'SIGINT' });
    expect(await toPromise(d.actor)).toStrictEqual({ outcome: 'interrupted', exitCode: 130, failure: undefined, signal: 'SIGINT', projectName: undefined });
    expect(d.fakes.readRecord.only().signal.aborted).toBe(true);
  });
});

describe('the definition', () => {
  const declared = devDownMachine.implementations.actors;

  it('declares the actors of SPEC §4, each a stub that throws `not provided: <name>`', async () => {
    expect(Object.keys(declared).sort()).toStrictEqual([
      'awaitHolderExit', 'loadPlan', 'readRecord', 'release', 'restoreLock', 'signalHolder', 'takeLock', 'teardown',
    ]);
    const unprovided = createActor(devDownMachine, { input: { graceSeconds: 10, exitCodes: exitCodeTable } });
    unprovided.start();
    const output = await toPromise(unprovided);
    expect([output.exitCode, output.failure?.kind]).toStrictEqual([3, 'internal']);
    expect(output.failure?.kind === 'internal' && output.failure.message.includes('not provided: readRecord')).toBe(true);
  });

  it.each(Object.keys(declared))('%s: its stub rejects with `not provided: <name>`', async (name) => {
    const stub = createActor(declared[name] as Parameters<typeof createActor>[0], { input: undefined });
    stub.start();
    await expect(toPromise(stub)).rejects.toThrow(`not provided: ${name}`);
  });

  it('gives every invoke an id equal to its src', () => {
    const invokes: [string, string][] = [];
    const visit = (node: typeof devDownMachine.root): void => {
      for (const invoke of node.invoke) invokes.push([invoke.id, String(invoke.src)]);
      for (const child of Object.values(node.states)) visit(child as typeof devDownMachine.root);
    };
    visit(devDownMachine.root);
    expect(invokes.length).toBe(12);
    for (const [id, src] of invokes) expect(id).toBe(src);
  });

  it('production wiring (createDevDownActors) supplies exactly every declared actor, none of them the stub', () => {
    const unused = (): never => {
      throw new Error('the wiring test runs nothing');
    };
    const supplied = createDevDownActors({
      options: defaultDevOptions,
      cwd: '/nowhere',
      sessionFile: '/nowhere/session.json',
      runner: { run: unused, follow: unused, idle: unused } as never,
      lock: { acquire: unused, reconciled: unused, release: unused, restoreUnreconciled: unused, leave: unused },
      processes: { identify: unused, isRunning: unused, signal: unused },
      reporter: { report: unused },
      ownPid: 1,
      locks: { whenReleased: unused },
    });
    expect(Object.keys(supplied).sort()).toStrictEqual(Object.keys(declared).sort());
    const provided = devDownMachine.provide({ actors: supplied }).implementations.actors;
    for (const name of Object.keys(declared)) {
      expect(provided[name]).toBe((supplied as Record<string, unknown>)[name]);
      expect(provided[name]).not.toBe(declared[name]);
    }
  });
});
