// Issue 14 item 5: `dev down` taking the project's lock from a process that took it at the
// same instant. A start that has not written its record yet is named once it has, then asked
// to stop; a session that has ended (its record in a final state, its process exiting) is
// waited for and never signalled; surveyRecord names no holder to stop for it either.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createActor, toPromise } from 'xstate';
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import type { LockTaken } from '../../machines/dev-down.types.js';
import { createDevDownActors, endedSessionStates, surveyRecord, type DevDownDeps } from '../../src/down/dev-down-actors.js';
import type { ProcessIdentity } from '../../src/session-file/process-identity.js';
import { writeSessionFile, type SessionRecord } from '../../src/session-file/session-file.js';
import type { AcquireResult } from '../../src/session-file/session-lock.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan } from '../fixtures/shop-session.js';

const plan = shopPlan();
const record = (state: string, pid = 4242): SessionRecord => ({
  version: 1,
  project: 'shop',
  mode: 'detach',
  pid,
  pidStartTicks: 777,
  startedAt: '2026-12-01T20:00:00.000Z',
  state,
  updatedAt: '2026-12-01T20:00:00.000Z',
  plan,
});
const held = (holder: SessionRecord | undefined): AcquireResult => ({ kind: 'held', project: 'shop', holder, pid: 4242 });
const acquired: AcquireResult = { kind: 'acquired', stale: undefined };

/**
 * takeLock over scripted acquire results; what it did, in order. The lock is let go while a
 * named holder is waited for; for an unnamed one, not before the wait is given up.
 */
async function takeLock(results: AcquireResult[]): Promise<{ steps: string[]; taken: LockTaken }> {
  const steps: string[] = [];
  const unused = (): never => {
    throw new Error('not used by takeLock');
  };
  const deps: DevDownDeps = {
    options: defaultDevOptions,
    cwd: '/nowhere',
    sessionFile: '/nowhere/session.json',
    runner: { run: unused, follow: unused, idle: unused } as never,
    lock: {
      acquire: async () => {
        const result = results.shift() ?? acquired;
        steps.push(`acquire: ${result.kind === 'held' ? `held by ${result.holder?.state ?? 'a process with no record yet'}` : 'acquired'}`);
        return result;
      },
      reconciled: unused,
      release: unused,
      restoreUnreconciled: unused,
      leave: unused,
    },
    processes: {
      identify: () => 'stagecraft',
      isRunning: () => true,
      signal: (identity: ProcessIdentity, signal: NodeJS.Signals) => {
        steps.push(`${signal} to ${identity.pid}`);
        return true;
      },
    },
    reporter: { report: unused },
    ownPid: 1,
    locks: {
      whenReleased: async (_, signal) => {
        if (steps.at(-1) !== 'acquire: held by a process with no record yet') {
          steps.push('released');
          return;
        }
        await new Promise((_, reject) =>
          signal?.addEventListener('abort', () => {
            steps.push('stopped waiting for the lock');
            reject(signal.reason);
          }),
        );
      },
    },
    recordWritten: async (file, pid) => {
      steps.push(`record of ${pid} written to ${file}`);
    },
  };
  const actor = createActor(createDevDownActors(deps).takeLock, { input: plan });
  actor.start();
  const taken = await toPromise(actor);
  return { steps, taken };
}

describe('takeLock, against a process that took the lock at the same instant', () => {
  it('a start with no record yet: waits for its record, then asks it to stop, waits for it, takes the lock', async () => {
    expect(await takeLock([held(undefined), held(record('starting')), acquired])).toStrictEqual({
      steps: [
        'acquire: held by a process with no record yet',
        'record of 4242 written to /nowhere/session.json',
        'stopped waiting for the lock',
        'acquire: held by starting',
        'SIGTERM to 4242',
        'released',
        'acquire: acquired',
      ],
      taken: { stalePlan: undefined },
    });
  });

  it.each(endedSessionStates)('a session that has ended (%s) and is exiting: waited for, not signalled', async (state) => {
    expect((await takeLock([held(record(state)), acquired])).steps).toStrictEqual([`acquire: held by ${state}`, 'released', 'acquire: acquired']);
  });
});

describe('surveyRecord', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stagecraft-take-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const survey = async (state: string) => {
    const sessionFile = path.join(dir, 'session.json');
    await writeSessionFile(sessionFile, record(state));
    return surveyRecord({ sessionFile, ownPid: 1, processes: { identify: () => 'stagecraft', isRunning: () => true, signal: () => true } });
  };

  it('a live session that has ended is no holder to stop (its end is waited for at the lock)', async () => {
    expect(await survey('detached')).toStrictEqual({ recordedProject: 'shop', holder: undefined });
  });

  it('a live session that has not ended is', async () => {
    expect((await survey('starting')).holder).toMatchObject({ pid: 4242, state: 'starting' });
  });
});

it('the ended states are the session machine final states', () => {
  const finals = Object.entries(devSessionMachine.root.states).filter(([, node]) => node.type === 'final').map(([name]) => name);
  expect([...endedSessionStates].sort()).toStrictEqual(finals.sort());
});
