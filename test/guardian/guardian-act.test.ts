// What the guardian does once its CLI's pipe has closed: with fake effects (every call
// recorded), then with the real session lock and project lock against a real holder.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DevPlan, Removal } from '../../machines/dev-session.types.js';
import {
  actOnHangUp,
  claimTries,
  forcedTeardownMs,
  gracefulTeardownMs,
  type GuardianDeps,
  type GuardianLock,
} from '../../src/guardian/guardian-act.js';
import type { Armed, Verdict } from '../../src/guardian/guardian-ledger.js';
import { ProjectLock } from '../../src/session-file/project-lock.js';
import type { ProcessIdentity } from '../../src/session-file/process-identity.js';
import { readSessionFile, writeSessionFile } from '../../src/session-file/session-file.js';
import type { AcquireResult } from '../../src/session-file/session-lock.js';
import { SessionLock } from '../../src/session-file/session-lock.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan, shopRecord } from '../fixtures/shop-session.js';
import { deadPid, killAll } from '../session-file/live-process.js';

const plan = shopPlan();
const cli = { pid: 4242, startTicks: 777 };
const armed: Armed = { cli, plan, sessionFile: '/work/shop/.stagecraft/dev/session.json', forced: false };
const events: ProcessIdentity = { pid: 5001, startTicks: 800 };
const follow: ProcessIdentity = { pid: 5002, startTicks: 801 };
const removal: Removal = { containers: ['shop-api-1'], networks: ['shop_default'], volumes: [] };
const acquired: AcquireResult = { kind: 'acquired', stale: shopRecord() };
const heldBy = (pid: number | undefined): AcquireResult => ({ kind: 'held', project: 'shop', holder: undefined, pid });

/** A teardown that resolves, rejects, or runs until its signal aborts (then rejects). */
type Step = 'removes' | 'fails' | 'hangs';

function stepOf(step: Step, signal: AbortSignal): Promise<Removal> {
  if (step === 'removes') return Promise.resolve(removal);
  if (step === 'fails') return Promise.reject(new Error('down failed'));
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('canceled')), { once: true }));
}

/** Fake effects recording every call in order; `deadlines` holds the signals handed out, to expire by hand. */
function fakeDeps(script: { claims?: AcquireResult[]; graceful?: Step; forced?: Step; lock?: GuardianLock } = {}) {
  const calls: string[] = [];
  const deadlines: Array<{ ms: number; controller: AbortController }> = [];
  const claims = [...(script.claims ?? [acquired])];
  const fakeLock: GuardianLock = {
    acquire: async (given, state) => {
      calls.push(`acquire ${given.projectName} ${state}`);
      return claims.length > 1 ? (claims.shift() as AcquireResult) : (claims[0] as AcquireResult);
    },
    update: async (state, tags) => void calls.push(`update ${state} ${JSON.stringify(tags)}`),
    reconciled: () => void calls.push('reconciled'),
    release: async () => void calls.push('release'),
    restoreUnreconciled: async () => {
      calls.push('restoreUnreconciled');
      return true;
    },
    leave: async () => void calls.push('leave'),
  };
  const deps: GuardianDeps = {
    killGroup: (child) => void calls.push(`killGroup ${child.pid}`),
    lockFor: (file) => {
      calls.push(`lockFor ${file}`);
      return script.lock ?? fakeLock;
    },
    tearDown: (given: DevPlan, signal) => {
      calls.push(`tearDown ${given.projectName}`);
      return stepOf(script.graceful ?? 'removes', signal);
    },
    forceTearDown: (given: DevPlan, signal) => {
      calls.push(`forceTearDown ${given.projectName}`);
      return stepOf(script.forced ?? 'removes', signal);
    },
    idle: async (killAfterMs) => void calls.push(`idle ${killAfterMs}`),
    deadline: (ms) => {
      const controller = new AbortController();
      deadlines.push({ ms, controller });
      return controller.signal;
    },
    pause: async (ms) => void calls.push(`pause ${ms}`),
  };
  return { deps, calls, deadlines };
}

const act = (teardown: Armed | undefined, children: ProcessIdentity[] = [events, follow]): Verdict => ({ kind: 'act', children, teardown });
const lockSteps = [`lockFor ${armed.sessionFile}`, 'acquire shop guardian', 'update guardian.tearingDown ["tearingDown"]'];

describe('actOnHangUp', () => {
  it('a clean end (done): nothing is touched', async () => {
    const { deps, calls } = fakeDeps();
    expect(await actOnHangUp({ kind: 'nothing' }, deps)).toBe('nothing');
    expect(calls).toEqual([]);
  });

  it('the pipe closed without done before `up`: the children are killed, the project is not touched', async () => {
    const { deps, calls } = fakeDeps();
    expect(await actOnHangUp(act(undefined), deps)).toBe('childrenEnded');
    expect(calls).toEqual(['killGroup 5001', 'killGroup 5002']);
  });

  it('the pipe closed without done after `up`: children killed first, then lock, teardown within its bound, release', async () => {
    const { deps, calls, deadlines } = fakeDeps();
    expect(await actOnHangUp(act(armed), deps)).toBe('tornDown');
    expect(calls).toEqual(['killGroup 5001', 'killGroup 5002', ...lockSteps, 'tearDown shop', 'reconciled', 'release']);
    // The machine's own bound: the stop timeout (compose's default 10 s here) plus 30 s.
    expect(deadlines.map((d) => d.ms)).toEqual([40_000]);
  });

  it('with --grace, the graceful bound is that grace plus 30 s', () => {
    expect(gracefulTeardownMs(shopPlan({ ...defaultDevOptions, graceSeconds: 3 }))).toBe(33_000);
  });

  it('the lock is held by another live process (a new session, a dev down): nothing is torn down or released', async () => {
    const { deps, calls } = fakeDeps({ claims: [heldBy(9999)] });
    expect(await actOnHangUp(act(armed), deps)).toBe('heldElsewhere');
    expect(calls).toEqual(['killGroup 5001', 'killGroup 5002', `lockFor ${armed.sessionFile}`, 'acquire shop guardian']);
  });

  it('a refusal naming the dying CLI (or nobody) is waited out, then the teardown runs', async () => {
    const { deps, calls } = fakeDeps({ claims: [heldBy(cli.pid), heldBy(undefined), acquired] });
    expect(await actOnHangUp(act(armed, []), deps)).toBe('tornDown');
    expect(calls).toEqual([
      `lockFor ${armed.sessionFile}`,
      'acquire shop guardian',
      'pause 100',
      'acquire shop guardian',
      'pause 100',
      ...lockSteps.slice(1),
      'tearDown shop',
      'reconciled',
      'release',
    ]);
  });

  it('a CLI that never lets go is given up on after its tries', async () => {
    const { deps, calls } = fakeDeps({ claims: [heldBy(cli.pid)] });
    expect(await actOnHangUp(act(armed, []), deps)).toBe('heldElsewhere');
    expect(calls.filter((call) => call === 'acquire shop guardian')).toHaveLength(claimTries);
    expect(calls.filter((call) => call === 'pause 100')).toHaveLength(claimTries - 1);
    expect(calls).not.toContain('tearDown shop');
  });

  it('a graceful teardown past its deadline is cancelled, then forced within its own bound', async () => {
    const { deps, calls, deadlines } = fakeDeps({ graceful: 'hangs' });
    const outcome = actOnHangUp(act(armed, []), deps);
    await waitForCall(calls, 'tearDown shop');
    expect(deadlines.map((d) => d.ms)).toEqual([40_000]);
    deadlines[0]?.controller.abort();
    expect(await outcome).toBe('tornDown');
    expect(calls.slice(lockSteps.length)).toEqual(['tearDown shop', 'idle 1000', 'forceTearDown shop', 'reconciled', 'release']);
    expect(deadlines.map((d) => d.ms)).toEqual([40_000, forcedTeardownMs]);
  });

  it('a failed graceful teardown is forced at once', async () => {
    const { deps, calls } = fakeDeps({ graceful: 'fails' });
    expect(await actOnHangUp(act(armed, []), deps)).toBe('tornDown');
    expect(calls.slice(lockSteps.length)).toEqual(['tearDown shop', 'idle 1000', 'forceTearDown shop', 'reconciled', 'release']);
  });

  it('a session that was forcing its teardown already: forced at once, no graceful one', async () => {
    const { deps, calls, deadlines } = fakeDeps();
    expect(await actOnHangUp(act({ ...armed, forced: true }, []), deps)).toBe('tornDown');
    expect(calls.slice(lockSteps.length)).toEqual(['forceTearDown shop', 'reconciled', 'release']);
    expect(deadlines.map((d) => d.ms)).toEqual([forcedTeardownMs]);
  });

  it('when the forced teardown fails too, the dead session record is put back and the lock let go', async () => {
    const { deps, calls } = fakeDeps({ graceful: 'fails', forced: 'fails' });
    expect(await actOnHangUp(act(armed, []), deps)).toBe('teardownFailed');
    expect(calls.slice(lockSteps.length)).toEqual(['tearDown shop', 'idle 1000', 'forceTearDown shop', 'restoreUnreconciled', 'leave']);
  });
});

describe('actOnHangUp with the real session lock', () => {
  let dir: string;
  let engine: NodeJS.ProcessEnv;
  let armedHere: Armed;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-guardian-'));
    engine = { DOCKER_HOST: `tcp://guardian-test-${Math.random()}:2375`, HOME: '/nonexistent' };
    const dead = { pid: await deadPid(), startTicks: 1234 };
    armedHere = { cli: dead, plan, sessionFile: path.join(dir, 'session.json'), forced: false };
    // What the killed CLI left: its record, naming it.
    await writeSessionFile(armedHere.sessionFile, shopRecord({ pid: dead.pid, pidStartTicks: dead.startTicks }));
  });

  afterEach(async () => {
    await killAll();
    await rm(dir, { recursive: true, force: true });
  });

  const realLock = (): GuardianLock => new SessionLock(armedHere.sessionFile, 'down', { lock: new ProjectLock(engine), warnUnrecorded: () => undefined });

  it('takes the project from the dead CLI, tears down, removes the record and lets go of the lock', async () => {
    const lock = realLock();
    const { deps, calls } = fakeDeps({ lock });
    expect(await actOnHangUp(act(armedHere, []), deps)).toBe('tornDown');
    expect(calls).toContain('tearDown shop');
    expect(await readSessionFile(armedHere.sessionFile)).toBeUndefined();
    expect(await new ProjectLock(engine).holder('shop')).toBeUndefined();
  });

  it('a live session holding the project (another lock holder) is left alone: no teardown, its lock and the record untouched', async () => {
    const live = new ProjectLock(engine);
    expect(await live.acquire('shop', '/elsewhere/session.json')).toBeUndefined();
    try {
      const before = await readSessionFile(armedHere.sessionFile);
      const { deps, calls } = fakeDeps({ lock: realLock() });
      expect(await actOnHangUp(act(armedHere, []), deps)).toBe('heldElsewhere');
      expect(calls).not.toContain('tearDown shop');
      expect(await readSessionFile(armedHere.sessionFile)).toEqual(before);
    } finally {
      await live.release('shop');
    }
  });

  it('a failed teardown puts the dead session record back for the next `dev` or `dev down`', async () => {
    const before = await readSessionFile(armedHere.sessionFile);
    const { deps } = fakeDeps({ lock: realLock(), graceful: 'fails', forced: 'fails' });
    expect(await actOnHangUp(act(armedHere, []), deps)).toBe('teardownFailed');
    expect(await readSessionFile(armedHere.sessionFile)).toEqual(before);
    expect(await new ProjectLock(engine).holder('shop')).toBeUndefined();
  });
});

/** Resolves once `call` was recorded (the fakes record synchronously; only microtasks pass). */
async function waitForCall(calls: readonly string[], call: string): Promise<void> {
  for (let turn = 0; turn < 100 && !calls.includes(call); turn += 1) await Promise.resolve();
  if (!calls.includes(call)) throw new Error(`${call} was never called: ${calls.join(', ')}`);
}
