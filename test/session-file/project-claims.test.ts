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
  it('is under XDG_RUNTIME_DIR when it is set, else under HOME', () => {
    expect(projectClaimsDir({ XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/u' })).toBe('/run/user/1000/stagecraft/projects');
    expect(projectClaimsDir({ HOME: '/home/u' })).toBe('/home/u/.local/state/stagecraft/projects');
    expect(projectClaimsDir({ XDG_RUNTIME_DIR: 'relative', HOME: '/home/u' })).toBe('/home/u/.local/state/stagecraft/projects');
  });
});

describe('ProjectClaims', () => {
  it('claims a project nobody holds: one file naming this process and its session file', async () => {
    const claims = new ProjectClaims(claimsDir);
    const me = currentProcess();
    expect(await claims.claim('shop', fileB, me)).toBeUndefined();
    expect(await readClaim()).toStrictEqual({ version: 1, pid: me.pid, pidStartTicks: me.startTicks, sessionFile: fileB });
  });

  it('a live session of the project in another dev dir holds it: that session comes back, the claim untouched', async () => {
    const idle = await spawnIdle();
    const held = await holderInA(idle.pid);
    const before = await readClaim();
    expect(await new ProjectClaims(claimsDir).claim('shop', fileB, currentProcess())).toStrictEqual({ record: held, sessionFile: fileA });
    expect(await readClaim()).toStrictEqual(before);
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
    expect(await new ProjectClaims(claimsDir).claim('shop', fileB, me)).toBeUndefined();
    expect(await readClaim()).toStrictEqual({ version: 1, pid: me.pid, pidStartTicks: me.startTicks, sessionFile: fileB });
  });

  it('a claim from the same dev dir is left to that dir’s session file: claimed again', async () => {
    const idle = await spawnIdle();
    await holderInA(idle.pid);
    expect(await new ProjectClaims(claimsDir).claim('shop', fileA, currentProcess())).toBeUndefined();
  });

  it('release drops only this session’s own claim', async () => {
    const claims = new ProjectClaims(claimsDir);
    const me = currentProcess();
    await claims.claim('shop', fileB, me);
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

  it('putting a stale record back also gives the claim up', async () => {
    const stale = shopRecord({ pid: await deadPid(), pidStartTicks: null });
    await writeSessionFile(fileB, stale);
    const lock = new SessionLock(fileB, 'foreground', { claims: new ProjectClaims(claimsDir) });
    expect(await lock.acquire(shopPlan(), 'preflight')).toStrictEqual({ kind: 'acquired', stale });
    expect(await lock.restoreUnreconciled()).toBe(true);
    expect(existsSync(claimFile())).toBe(false);
  });
});
