// The session file as a lock (SPEC §6), against real files and real processes:
// a live holder, a dead one, a reused pid, a zombie, and the mkdir mutex.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, rmdir, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProjectLock } from '../../src/session-file/project-lock.js';
import { currentProcess, isAlive, processStartTicks } from '../../src/session-file/process-identity.js';
import { readSessionFile, writeSessionFile, type SessionRecord } from '../../src/session-file/session-file.js';
import { holderAlive, SessionLock } from '../../src/session-file/session-lock.js';
import { deadPid, killAll, spawnIdle, spawnZombie } from './live-process.js';
import { shopPlan, shopRecord } from '../fixtures/shop-session.js';


const plan = shopPlan();
const fixedNow = () => new Date('2026-03-04T05:06:07.000Z');

/** A record another process wrote. */
function recordOf(pid: number, pidStartTicks: number | null, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return shopRecord({ mode: 'detach', pid, pidStartTicks, state: 'detached', ...overrides });
}

/** The record this process writes when it acquires at `fixedNow`. */
function mine(state: string, mode: SessionRecord['mode'] = 'foreground'): SessionRecord {
  const me = currentProcess();
  const now = fixedNow().toISOString();
  return shopRecord({ mode, pid: me.pid, pidStartTicks: me.startTicks, startedAt: now, state, updatedAt: now });
}

let dir: string;
let file: string;
/** One engine per test: the project lock of one test is never another's. */
let engine: NodeJS.ProcessEnv;
const projectLock = (): ProjectLock => new ProjectLock(engine);

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-session-lock-'));
  file = path.join(dir, 'session.json');
  engine = { DOCKER_HOST: `tcp://session-lock-test-${Math.random()}:2375`, HOME: '/nonexistent' };
});

afterEach(async () => {
  await killAll();
  await rm(dir, { recursive: true, force: true });
});

describe('process identity', () => {
  it('reads this process start time from /proc, and it stays the same', () => {
    const ticks = processStartTicks(process.pid);
    expect(typeof ticks).toBe('number');
    expect(processStartTicks(process.pid)).toBe(ticks);
    expect(currentProcess()).toStrictEqual({ pid: process.pid, startTicks: ticks });
  });

  it('a live process is alive with its own start time, or with none recorded', async () => {
    const child = await spawnIdle();
    const ticks = processStartTicks(child.pid);
    expect(ticks).not.toBeNull();
    expect(isAlive({ pid: child.pid, startTicks: ticks })).toBe(true);
    expect(isAlive({ pid: child.pid, startTicks: null })).toBe(true);
  });

  it('a reused pid (same pid, another start time) is not the process that was recorded', async () => {
    const child = await spawnIdle();
    const ticks = processStartTicks(child.pid) ?? 0;
    expect(isAlive({ pid: child.pid, startTicks: ticks + 1 })).toBe(false);
  });

  it('a pid that has ended is not alive, and has no start time', async () => {
    const pid = await deadPid();
    expect(processStartTicks(pid)).toBeNull();
    expect(isAlive({ pid, startTicks: null })).toBe(false);
  });

  it('a zombie (ended, not yet reaped by its parent) is not alive', async () => {
    const zombie = await spawnZombie();
    expect(isAlive({ pid: zombie, startTicks: processStartTicks(zombie) })).toBe(false);
    expect(isAlive({ pid: zombie, startTicks: null })).toBe(false);
  });
});

describe('SessionLock.acquire', () => {
  it('with no file: acquires, writes this process as the holder, reports no stale session', async () => {
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    expect(lock.held).toBe(false);
    expect(await lock.acquire(plan, 'preflight')).toStrictEqual({ kind: 'acquired', stale: undefined });
    expect(lock.held).toBe(true);
    expect(lock.file).toBe(file);
    expect(await readSessionFile(file)).toStrictEqual(mine('preflight'));
    // Nothing but the record: the lock is the kernel's, not a file.
    expect(await readdir(dir)).toStrictEqual(['session.json']);
  });

  it('a live holder (another process, its own start time) keeps the lock: held, the file untouched', async () => {
    const child = await spawnIdle();
    const holder = recordOf(child.pid, processStartTicks(child.pid));
    await writeSessionFile(file, holder);
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    expect(await lock.acquire(plan, 'preflight')).toStrictEqual({ kind: 'held', project: 'shop', holder, pid: holder.pid });
    expect(lock.held).toBe(false);
    expect(await readSessionFile(file)).toStrictEqual(holder);
    expect(holderAlive(holder)).toBe(true);
  });

  it('a live holder with no recorded start time (not Linux) still holds it', async () => {
    const child = await spawnIdle();
    const holder = recordOf(child.pid, null);
    await writeSessionFile(file, holder);
    expect(await new SessionLock(file, 'detach', { now: fixedNow, lock: projectLock() }).acquire(plan, 'preflight')).toStrictEqual({ kind: 'held', project: 'shop', holder, pid: holder.pid });
  });

  it('a dead holder: acquired, the dead record returned as stale, the file now this process', async () => {
    const stale = recordOf(await deadPid(), 12345);
    await writeSessionFile(file, stale);
    const lock = new SessionLock(file, 'detach', { now: fixedNow, lock: projectLock() });
    expect(await lock.acquire(plan, 'preflight')).toStrictEqual({ kind: 'acquired', stale });
    expect(await readSessionFile(file)).toStrictEqual(mine('preflight', 'detach'));
    expect(holderAlive(stale)).toBe(false);
  });

  it('a reused pid (the pid runs, but started at another time) is stale', async () => {
    const child = await spawnIdle();
    const stale = recordOf(child.pid, (processStartTicks(child.pid) ?? 0) - 1);
    await writeSessionFile(file, stale);
    expect(holderAlive(stale)).toBe(false);
    expect(await new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() }).acquire(plan, 'preflight')).toStrictEqual({
      kind: 'acquired',
      stale,
    });
    expect(await readSessionFile(file)).toStrictEqual(mine('preflight'));
  });

  it('a zombie holder (killed, never reaped) is stale', async () => {
    const zombie = await spawnZombie();
    const stale = recordOf(zombie, processStartTicks(zombie));
    await writeSessionFile(file, stale);
    expect(await new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() }).acquire(plan, 'preflight')).toStrictEqual({
      kind: 'acquired',
      stale,
    });
  });

  it.each([
    ['torn', '{"version":1,"project":"shop","pid":'],
    ['garbage', 'not a session file'],
    ['foreign JSON', '{"hello":"world"}'],
  ])('a %s file holds no lock: acquired, nothing stale, replaced by a whole record', async (_what, text) => {
    await writeFile(file, text);
    expect(await new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() }).acquire(plan, 'preflight')).toStrictEqual({
      kind: 'acquired',
      stale: undefined,
    });
    expect(await readSessionFile(file)).toStrictEqual(mine('preflight'));
  });

  it('a record of another project in the same file is still the lock (one dev dir, one session)', async () => {
    const child = await spawnIdle();
    const holder = recordOf(child.pid, processStartTicks(child.pid), { project: 'other' });
    await writeSessionFile(file, holder);
    expect(await new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() }).acquire(plan, 'preflight')).toStrictEqual({
      kind: 'held',
      project: 'other',
      holder,
      pid: holder.pid,
    });
  });
});

describe('SessionLock.update, release, leave', () => {
  it('update records the state (and a new updatedAt) while held; the same state writes nothing new', async () => {
    let now = new Date('2026-03-04T05:06:07.000Z');
    const lock = new SessionLock(file, 'foreground', { now: () => now, lock: projectLock() });
    await lock.acquire(plan, 'preflight');
    now = new Date('2026-03-04T05:06:08.000Z');
    await lock.update('starting');
    expect(await readSessionFile(file)).toStrictEqual({
      ...mine('starting'),
      updatedAt: '2026-03-04T05:06:08.000Z',
    });
    now = new Date('2026-03-04T05:06:09.000Z');
    await lock.update('starting');
    expect((await readSessionFile(file))?.updatedAt).toBe('2026-03-04T05:06:08.000Z');
  });

  it('update before acquire writes nothing', async () => {
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    await lock.update('validating');
    expect(existsSync(file)).toBe(false);
  });

  it('release removes the file; an update after it (even one queued before it settled) never recreates it', async () => {
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    await lock.acquire(plan, 'preflight');
    // Not awaited one by one: the order of the calls is what counts.
    const pending = [lock.update('starting'), lock.update('attached'), lock.release(), lock.update('stopping.graceful'), lock.update('stopped')];
    await Promise.all(pending);
    expect(existsSync(file)).toBe(false);
    expect(lock.held).toBe(false);
    await lock.update('stopped');
    expect(existsSync(file)).toBe(false);
    expect(await readdir(dir)).toStrictEqual([]);
  });

  it('release does not remove a file it does not hold (another session took it over)', async () => {
    const child = await spawnIdle();
    const holder = recordOf(child.pid, processStartTicks(child.pid));
    await writeSessionFile(file, holder);
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    expect((await lock.acquire(plan, 'preflight')).kind).toBe('held');
    await lock.release();
    await lock.update('stopped');
    expect(await readSessionFile(file)).toStrictEqual(holder);
  });

  it('a holder that took the lock this instant is named once it has written its record (the refused claim waits for it, bounded)', async () => {
    // The holder: this process's lock on the project, through another ProjectLock, its record not written yet.
    expect(await projectLock().acquire('shop', file)).toBeUndefined();
    const claim = new SessionLock(file, 'detach', { now: fixedNow, lock: projectLock() }).acquire(plan, 'preflight');
    const holder = mine('claiming', 'detach');
    await writeSessionFile(file, holder);
    expect(await claim).toStrictEqual({ kind: 'held', project: 'shop', holder, pid: process.pid });
  });

  it('leave keeps the file as last written, and later updates are no-ops; the project stays locked until the process ends', async () => {
    const lock = new SessionLock(file, 'detach', { now: fixedNow, lock: projectLock() });
    await lock.acquire(plan, 'preflight');
    await lock.update('detached');
    await lock.leave();
    expect(lock.held).toBe(false);
    // The record names this process: a `dev down` now waits for its end (the kernel lets go then).
    expect(await projectLock().holder('shop')).toStrictEqual({ pid: process.pid, sessionFile: file });
    await lock.update('something-else');
    await lock.release();
    expect(await readSessionFile(file)).toStrictEqual(mine('detached', 'detach'));
  });

  it('a failing write rejects that update only; the queue goes on', async () => {
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    await lock.acquire(plan, 'preflight');
    await rm(file);
    await mkdir(file); // rename over a directory fails
    await writeFile(path.join(file, 'x'), 'x');
    await expect(lock.update('starting')).rejects.toStrictEqual({
      kind: 'input',
      message: `cannot write ${file}: it is a directory; remove that directory or pass another --dev-dir`,
    });
    await rm(file, { recursive: true });
    await lock.update('attached');
    expect((await readSessionFile(file))?.state).toBe('attached');
  });
});

describe('a session record that cannot be read, written or removed (issue 14)', () => {
  /** A dev dir that is a file: nothing can be read there, and no record written (ENOTDIR, as root too). */
  async function underAFile(): Promise<string> {
    await writeFile(path.join(dir, 'notes.txt'), 'a file');
    return path.join(dir, 'notes.txt', 'session.json');
  }
  const notWritten = (at: string): string => `cannot write ${at}: a part of the path is a file, not a directory`;

  /** Whether another session could take the project now. */
  async function projectFree(): Promise<boolean> {
    const probe = new SessionLock(path.join(dir, 'probe.json'), 'detach', { now: fixedNow, lock: projectLock() });
    const result = await probe.acquire(plan, 'preflight');
    await probe.release();
    return result.kind === 'acquired';
  }

  it('`dev`: an unwritable record fails the claim as an input error naming the file, and lets the project go', async () => {
    const at = await underAFile();
    const lock = new SessionLock(at, 'foreground', { now: fixedNow, lock: projectLock() });
    await expect(lock.acquire(plan, 'claiming')).rejects.toStrictEqual({
      kind: 'input',
      message: `${notWritten(at)}; remove the file in the way or pass another --dev-dir`,
    });
    expect(lock.held).toBe(false);
    expect(await projectFree()).toBe(true);
  });

  it('a record that cannot be read (a directory) fails the claim in every mode, and lets the project go', async () => {
    await mkdir(file);
    for (const mode of ['foreground', 'down'] as const) {
      const lock = new SessionLock(file, mode, { now: fixedNow, lock: projectLock(), warnUnrecorded: () => undefined });
      await expect(lock.acquire(plan, 'claiming')).rejects.toStrictEqual({
        kind: 'input',
        message: `cannot read ${file}: it is a directory; remove that directory or pass another --dev-dir`,
      });
      expect(await projectFree()).toBe(true);
    }
  });

  it('`dev down` (warnUnrecorded): an unwritable record is a warning; the project is held without it, then let go', async () => {
    const at = await underAFile();
    const warnings: string[] = [];
    const lock = new SessionLock(at, 'down', { now: fixedNow, lock: projectLock(), warnUnrecorded: (m) => warnings.push(m) });
    expect(await lock.acquire(plan, 'down')).toStrictEqual({ kind: 'acquired', stale: undefined });
    expect(warnings).toStrictEqual([`${notWritten(at)}; going on without a session record`]);
    expect(lock.held).toBe(true);
    expect(await projectFree()).toBe(false);
    await lock.release(); // nothing to remove under a file
    expect(warnings).toHaveLength(1);
    expect(lock.held).toBe(false);
    expect(await projectFree()).toBe(true);
  });

  it('`dev down`: a record that cannot be removed is a warning, and the project is let go all the same', async () => {
    const warnings: string[] = [];
    const lock = new SessionLock(file, 'down', { now: fixedNow, lock: projectLock(), warnUnrecorded: (m) => warnings.push(m) });
    await lock.acquire(plan, 'down');
    await rm(file);
    await mkdir(path.join(file, 'inside'), { recursive: true });
    await lock.release();
    expect(warnings).toStrictEqual([`cannot remove ${file}: it is a directory; remove it by hand`]);
    expect(await projectFree()).toBe(true);
  });

  it('`dev`: a record that cannot be removed rejects the release, and the project is let go all the same', async () => {
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    await lock.acquire(plan, 'claiming');
    await rm(file);
    await mkdir(path.join(file, 'inside'), { recursive: true });
    await expect(lock.release()).rejects.toStrictEqual({
      kind: 'input',
      message: `cannot remove ${file}: it is a directory; remove that directory or pass another --dev-dir`,
    });
    expect(await projectFree()).toBe(true);
  });

  it('`dev down`: a stale record that cannot be put back is a warning, and the project is let go', async () => {
    const stale = recordOf(await deadPid(), 1, { project: 'other-project', state: 'attached' });
    await writeSessionFile(file, stale);
    const warnings: string[] = [];
    const lock = new SessionLock(file, 'down', { now: fixedNow, lock: projectLock(), warnUnrecorded: (m) => warnings.push(m) });
    expect(await lock.acquire(plan, 'down')).toStrictEqual({ kind: 'acquired', stale });
    await rm(file);
    await mkdir(path.join(file, 'inside'), { recursive: true });
    expect(await lock.restoreUnreconciled()).toBe(true);
    expect(warnings).toStrictEqual([`cannot write ${file}: it is a directory; the stale session it held is not put back`]);
    expect(await projectFree()).toBe(true);
  });

  it("a holder whose record cannot be read is still a holder: held, told by pid and dev dir only", async () => {
    const holder = new SessionLock(file, 'detach', { now: fixedNow, lock: projectLock() });
    await holder.acquire(plan, 'detached');
    await rm(file);
    await mkdir(file);
    const other = path.join(dir, 'other', 'session.json');
    await mkdir(path.dirname(other));
    const lock = new SessionLock(other, 'foreground', { now: fixedNow, lock: projectLock() });
    expect(await lock.acquire(plan, 'claiming')).toStrictEqual({ kind: 'held', project: 'shop', holder: undefined, pid: process.pid, elsewhere: file });
    await rm(file, { recursive: true });
    await holder.release();
  });

  it('a bug is not a file-system error: it rejects as it is, even with warnUnrecorded', async () => {
    // A plan JSON cannot hold: writing the record throws a TypeError, not an fs error.
    const unwritable = { ...plan, bad: 1n } as unknown as typeof plan;
    const lock = new SessionLock(file, 'down', { now: fixedNow, lock: projectLock(), warnUnrecorded: () => undefined });
    await expect(lock.acquire(unwritable, 'down')).rejects.toThrow(TypeError);
    expect(lock.held).toBe(false);
    expect(await projectFree()).toBe(true);
  });
});

describe('SessionLock.reconciled and restoreUnreconciled', () => {
  it('puts an unreconciled stale record back in place of this session, as it was', async () => {
    const stale = recordOf(await deadPid(), 1, { project: 'other-project', state: 'attached' });
    await writeSessionFile(file, stale);
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    expect(await lock.acquire(plan, 'preflight')).toStrictEqual({ kind: 'acquired', stale });
    expect(await readSessionFile(file)).toStrictEqual(mine('preflight'));
    expect(await lock.restoreUnreconciled()).toBe(true);
    expect(await readSessionFile(file)).toStrictEqual(stale);
    expect(lock.held).toBe(false);
    await lock.release(); // no longer ours: leaves the restored record alone
    expect(await readSessionFile(file)).toStrictEqual(stale);
  });

  it('once reconciled, there is nothing to restore and release removes the file', async () => {
    await writeSessionFile(file, recordOf(await deadPid(), 1));
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    await lock.acquire(plan, 'preflight');
    lock.reconciled();
    expect(await lock.restoreUnreconciled()).toBe(false);
    expect(await readSessionFile(file)).toStrictEqual(mine('preflight'));
    await lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it('without a stale session there is nothing to restore', async () => {
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    await lock.acquire(plan, 'preflight');
    expect(await lock.restoreUnreconciled()).toBe(false);
    expect(await readSessionFile(file)).toStrictEqual(mine('preflight'));
  });
});

describe('the project lock under concurrency', () => {
  it('two SessionLocks of two dev dirs acquiring one project at once: one gets it, the other is told who holds it', async () => {
    const other = path.join(dir, 'other-dev-dir', 'session.json');
    await mkdir(path.dirname(other));
    const a = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    const b = new SessionLock(other, 'detach', { now: fixedNow, lock: projectLock() });
    const [ra, rb] = await Promise.all([a.acquire(plan, 'preflight'), b.acquire(plan, 'preflight')]);
    expect([ra.kind, rb.kind].sort()).toStrictEqual(['acquired', 'held']);
    const [winner, loser] = ra.kind === 'acquired' ? [a, b] : [b, a];
    const lost = ra.kind === 'acquired' ? rb : ra;
    // At the same instant the winner may not have written its record yet: the loser knows its pid and dev dir.
    expect(lost).toMatchObject({ kind: 'held', project: 'shop', pid: process.pid, elsewhere: winner.file });
    // Once it has, a later attempt reads the whole record.
    expect(await loser.acquire(plan, 'preflight')).toStrictEqual({
      kind: 'held',
      project: 'shop',
      holder: await readSessionFile(winner.file),
      pid: process.pid,
      elsewhere: winner.file,
    });
    expect(winner.held).toBe(true);
    await winner.release();
    // Released: the other one gets it now.
    expect(await loser.acquire(plan, 'preflight')).toStrictEqual({ kind: 'acquired', stale: undefined });
    await loser.release();
  });

  it('with a live holder on file, concurrent acquires all find it held and none writes', async () => {
    const child = await spawnIdle();
    const holder = recordOf(child.pid, processStartTicks(child.pid));
    await writeSessionFile(file, holder);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() }).acquire(plan, 'preflight')),
    );
    expect(results).toStrictEqual(Array.from({ length: 5 }, () => ({ kind: 'held', project: 'shop', holder, pid: holder.pid })));
    expect(await readSessionFile(file)).toStrictEqual(holder);
  });

  it('a dead holder raced by 5 acquires at once: exactly one of them gets the lock and reports it stale', async () => {
    const stale = recordOf(await deadPid(), 1);
    await writeSessionFile(file, stale);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() }).acquire(plan, 'preflight')),
    );
    expect(results.filter((r) => r.kind === 'acquired')).toStrictEqual([{ kind: 'acquired', stale }]);
    expect(results.filter((r) => r.kind === 'held')).toHaveLength(4);
  });

  it('an acquire whose signal is already aborted takes nothing', async () => {
    const abort = new AbortController();
    abort.abort(new Error('stopped'));
    const lock = new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() });
    await expect(lock.acquire(plan, 'preflight', abort.signal)).rejects.toThrow('stopped');
    expect(lock.held).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(await new SessionLock(file, 'foreground', { now: fixedNow, lock: projectLock() }).acquire(plan, 'preflight')).toStrictEqual({
      kind: 'acquired',
      stale: undefined,
    });
  });
});

