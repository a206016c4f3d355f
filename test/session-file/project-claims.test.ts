// One compose project, two dev dirs: the per-user claims that keep a second session of the
// same project out while the first lives (SPEC §6), with real processes as holders.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { currentProcess, processStartTicks } from '../../src/session-file/process-identity.js';
import { ProjectClaims, projectClaimsDir } from '../../src/session-file/project-claims.js';
import { writeSessionFile, type SessionRecord } from '../../src/session-file/session-file.js';
import { SessionLock } from '../../src/session-file/session-lock.js';
import { shopPlan, shopRecord } from '../fixtures/shop-session.js';
import { waitFor } from '../fixtures/fake-docker.js';
import { deadPid, killAll, spawnIdle } from './live-process.js';

let root: string;
let claimsDir: string;
/** Two dev dirs' session files. */
let fileA: string;
let fileB: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-claims-'));
  claimsDir = path.join(root, 'claims');
  fileA = path.join(root, 'a', 'session.json');
  fileB = path.join(root, 'b', 'session.json');
  await mkdir(path.dirname(fileA));
  await mkdir(path.dirname(fileB));
});

afterEach(async () => {
  await killAll();
  await rm(root, { recursive: true, force: true });
});

const claimFile = (project = 'shop') => path.join(claimsDir, `${project}.json`);

/** Waits (bounded) until `file` exists. */
async function waitForPath(file: string): Promise<void> {
  await waitFor(() => existsSync(file), file, 5000);
}
const readClaim = async (project = 'shop') => JSON.parse(await readFile(claimFile(project), 'utf8')) as unknown;

/** Another process holding `shop` from dev dir A: its session file and its claim. */
async function holderInA(pid: number, record: Partial<SessionRecord> = {}): Promise<SessionRecord> {
  const held = shopRecord({ pid, pidStartTicks: processStartTicks(pid), ...record });
  await writeSessionFile(fileA, held);
  await mkdir(claimsDir, { recursive: true });
  await writeFile(claimFile(), JSON.stringify({ version: 1, pid, pidStartTicks: held.pidStartTicks, sessionFile: fileA }));
  return held;
}

describe('projectClaimsDir', () => {
  it('is under HOME, whatever XDG_RUNTIME_DIR says (one place for every shell of a user)', () => {
    expect(projectClaimsDir({ XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/u' })).toBe('/home/u/.local/state/stagecraft/projects');
    expect(projectClaimsDir({ HOME: '/home/u' })).toBe('/home/u/.local/state/stagecraft/projects');
  });
});

/** A `write` that records that it ran. */
function recordingWrite(): { write: () => Promise<void>; ran: () => number } {
  let runs = 0;
  return {
    write: async () => {
      runs += 1;
    },
    ran: () => runs,
  };
}

describe('ProjectClaims', () => {
  it('claims a project nobody holds: runs the write, and one file names this process and its session file', async () => {
    const claims = new ProjectClaims(claimsDir);
    const me = currentProcess();
    const w = recordingWrite();
    expect(await claims.claim('shop', fileB, me, w.write)).toBeUndefined();
    expect(w.ran()).toBe(1);
    expect(await readClaim()).toStrictEqual({ version: 1, pid: me.pid, pidStartTicks: me.startTicks, sessionFile: fileB });
  });

  it('a live session of the project in another dev dir holds it: that session comes back, nothing written', async () => {
    const idle = await spawnIdle();
    const held = await holderInA(idle.pid);
    const before = await readClaim();
    const claims = new ProjectClaims(claimsDir);
    const w = recordingWrite();
    expect(await claims.claim('shop', fileB, currentProcess(), w.write)).toStrictEqual({ record: held, sessionFile: fileA });
    expect(w.ran()).toBe(0);
    expect(await readClaim()).toStrictEqual(before);
    // The same answer, read only.
    expect(await claims.holderElsewhere('shop', fileB)).toStrictEqual({ record: held, sessionFile: fileA });
    expect(await claims.holderElsewhere('shop', fileA)).toBeUndefined();
  });

  it.each([
    ['its process is gone', async () => holderInA(await deadPid())],
    ['its session file now names another project', async () => holderInA((await spawnIdle()).pid, { project: 'other' })],
    ['its session file was removed', async () => {
      const held = await holderInA((await spawnIdle()).pid);
      await rm(fileA);
      return held;
    }],
  ])('a claim whose holder no longer holds it (%s) is taken over', async (_why, setUp) => {
    await setUp();
    const me = currentProcess();
    expect(await new ProjectClaims(claimsDir).holderElsewhere('shop', fileB)).toBeUndefined();
    expect(await new ProjectClaims(claimsDir).claim('shop', fileB, me, recordingWrite().write)).toBeUndefined();
    expect(await readClaim()).toStrictEqual({ version: 1, pid: me.pid, pidStartTicks: me.startTicks, sessionFile: fileB });
  });

  it('a claim from the same dev dir is left to that dir’s session file: claimed again', async () => {
    const idle = await spawnIdle();
    await holderInA(idle.pid);
    expect(await new ProjectClaims(claimsDir).claim('shop', fileA, currentProcess(), recordingWrite().write)).toBeUndefined();
  });

  it('claim and write are one step: a second claimer waits for the first one’s session file, then finds it held', async () => {
    const idle = await spawnIdle();
    const first = { pid: idle.pid, startTicks: processStartTicks(idle.pid) };
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The first claimer (standing for the idle process) is slow to write its session file.
    const claimedFirst = new ProjectClaims(claimsDir).claim('shop', fileA, first, async () => {
      await gate;
      await writeSessionFile(fileA, shopRecord({ pid: first.pid, pidStartTicks: first.startTicks }));
    });
    await waitForPath(`${claimFile()}.lock`);
    const w = recordingWrite();
    const claimedSecond = new ProjectClaims(claimsDir).claim('shop', fileB, currentProcess(), w.write);
    open();
    expect(await claimedFirst).toBeUndefined();
    expect(await claimedSecond).toMatchObject({ sessionFile: fileA, record: { pid: first.pid, project: 'shop' } });
    expect(w.ran()).toBe(0);
  });

  it('a failing write takes the claim back and rejects', async () => {
    const claims = new ProjectClaims(claimsDir);
    await expect(
      claims.claim('shop', fileB, currentProcess(), async () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(existsSync(claimFile())).toBe(false);
  });

  it('an unusable claims dir: one warning, and sessions go on with the dev-dir lock only', async () => {
    await writeFile(path.join(root, 'a-file'), 'x');
    const warnings: string[] = [];
    const claims = new ProjectClaims(path.join(root, 'a-file', 'claims'), (message) => warnings.push(message));
    const w = recordingWrite();
    const me = currentProcess();
    expect(await claims.claim('shop', fileB, me, w.write)).toBeUndefined();
    expect(await claims.claim('other', fileB, me, w.write)).toBeUndefined();
    await claims.release('shop', fileB, me);
    expect(w.ran()).toBe(2);
    expect(warnings).toStrictEqual([
      `cannot keep project claims in ${path.join(root, 'a-file', 'claims')} (ENOTDIR); sessions of one project from two dev dirs are not kept apart`,
    ]);
  });

  it('release drops only this session’s own claim', async () => {
    const claims = new ProjectClaims(claimsDir);
    const me = currentProcess();
    await claims.claim('shop', fileB, me, recordingWrite().write);
    await claims.release('shop', fileA, me); // another session file: not ours
    expect(existsSync(claimFile())).toBe(true);
    await claims.release('shop', fileB, { pid: me.pid + 1, startTicks: null }); // another pid
    expect(existsSync(claimFile())).toBe(true);
    await claims.release('shop', fileB, me);
    expect(existsSync(claimFile())).toBe(false);
    await claims.release('shop', fileB, me); // nothing left: a no-op
    await new ProjectClaims(path.join(root, 'never-made')).release('shop', fileB, me);
  });
});

describe('SessionLock with project claims', () => {
  it('a live session of the same project in another dev dir: held, naming that session file; nothing written here', async () => {
    const idle = await spawnIdle();
    const held = await holderInA(idle.pid);
    const lock = new SessionLock(fileB, 'foreground', { claims: new ProjectClaims(claimsDir) });
    expect(await lock.acquire(shopPlan(), 'preflight')).toStrictEqual({ kind: 'held', holder: held, elsewhere: fileA });
    expect(lock.held).toBe(false);
    expect(existsSync(fileB)).toBe(false);
  });

  it('claims the project with the session file, and gives the claim up on release and on leave', async () => {
    for (const end of ['release', 'leave'] as const) {
      const lock = new SessionLock(fileB, 'foreground', { claims: new ProjectClaims(claimsDir) });
      expect(await lock.acquire(shopPlan(), 'preflight')).toStrictEqual({ kind: 'acquired', stale: undefined });
      expect(await readClaim()).toMatchObject({ pid: process.pid, sessionFile: fileB });
      await lock[end]();
      expect(existsSync(claimFile())).toBe(false);
      expect(existsSync(fileB)).toBe(end === 'leave');
      await rm(fileB, { force: true });
    }
  });

  it('a stale record of another project that a live session elsewhere now holds is not returned to tear down', async () => {
    const idle = await spawnIdle();
    // Dev dir A runs `other` now; dev dir B still has a stale record of `other` from before.
    await holderInA(idle.pid, { project: 'other' });
    await writeFile(claimFile('other'), JSON.stringify({ version: 1, pid: idle.pid, pidStartTicks: processStartTicks(idle.pid), sessionFile: fileA }));
    await writeSessionFile(fileB, shopRecord({ project: 'other', pid: await deadPid(), pidStartTicks: null }));
    const lock = new SessionLock(fileB, 'foreground', { claims: new ProjectClaims(claimsDir) });
    expect(await lock.acquire(shopPlan(), 'preflight')).toStrictEqual({ kind: 'acquired', stale: undefined });
    expect(await lock.restoreUnreconciled()).toBe(false);
  });

  it('putting a stale record back also gives the claim up', async () => {
    const stale = shopRecord({ pid: await deadPid(), pidStartTicks: null });
    await writeSessionFile(fileB, stale);
    const lock = new SessionLock(fileB, 'foreground', { claims: new ProjectClaims(claimsDir) });
    expect(await lock.acquire(shopPlan(), 'preflight')).toStrictEqual({ kind: 'acquired', stale });
    expect(await lock.restoreUnreconciled()).toBe(true);
    expect(existsSync(claimFile())).toBe(false);
  });
});
