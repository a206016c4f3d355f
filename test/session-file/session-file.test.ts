// session.json on disk: atomic writes, reads that treat a torn or foreign file as no lock.
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  readCheckedSessionFile,
  readSessionFile,
  removeSessionFile,
  sessionFilePath,
  writeSessionFile,
  type SessionRecord,
} from '../../src/session-file/session-file.js';
import { shopRecord } from '../fixtures/shop-session.js';

const record: SessionRecord = shopRecord();

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-session-file-'));
  file = path.join(dir, 'session.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sessionFilePath', () => {
  it('is <cwd>/<dev-dir>/session.json, absolute', () => {
    expect(sessionFilePath('.stagecraft/dev', '/work/p')).toBe('/work/p/.stagecraft/dev/session.json');
    expect(sessionFilePath('/abs/dev', '/work/p')).toBe('/abs/dev/session.json');
  });
});

describe('writeSessionFile', () => {
  it('writes the record as JSON (2-space, trailing newline) and leaves no temp file', async () => {
    await writeSessionFile(file, record);
    expect(await readdir(dir)).toStrictEqual(['session.json']);
    const text = await readFile(file, 'utf8');
    expect(text).toBe(`${JSON.stringify(record, null, 2)}\n`);
    expect(JSON.parse(text)).toStrictEqual(record);
    expect(await readSessionFile(file)).toStrictEqual(record);
  });

  it('replaces an existing file whole, leaving no temp file', async () => {
    await writeSessionFile(file, record);
    const next = { ...record, state: 'stopping.graceful', updatedAt: '2026-01-02T03:05:00.000Z' };
    await writeSessionFile(file, next);
    expect(await readdir(dir)).toStrictEqual(['session.json']);
    expect(await readSessionFile(file)).toStrictEqual(next);
  });

  it('50 concurrent writes: the file is always one whole record, and no temp file is left', async () => {
    const states = Array.from({ length: 50 }, (_, i) => `state-${i}`);
    const reads: Array<SessionRecord | undefined> = [];
    await Promise.all([
      ...states.map((state) => writeSessionFile(file, { ...record, state })),
      ...states.map(async () => reads.push(await readSessionFile(file).catch(() => undefined))),
    ]);
    expect(await readdir(dir)).toStrictEqual(['session.json']);
    expect(states).toContain((await readSessionFile(file))?.state);
    // Any read that found a file found a whole one: never a torn record.
    for (const read of reads.filter((r) => r !== undefined)) expect(states).toContain(read.state);
  });

  it('when the rename fails (session.json is a non-empty directory) removes its temp file and rejects', async () => {
    await mkdir(file);
    await writeFile(path.join(file, 'keep'), 'x');
    await expect(writeSessionFile(file, record)).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect((await readdir(dir)).sort()).toStrictEqual(['session.json']);
  });

  it('rejects (ENOENT) when the dev dir does not exist, creating nothing', async () => {
    const missing = path.join(dir, 'no-such-dir', 'session.json');
    await expect(writeSessionFile(missing, record)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toStrictEqual([]);
  });
});

describe('readSessionFile', () => {
  it('is undefined when there is no file', async () => {
    expect(await readSessionFile(file)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['torn mid-write', JSON.stringify(record).slice(0, 40)],
    ['garbage', '\u0000\u0001not json at all'],
    ['JSON null', 'null'],
    ['a JSON array', '[1,2,3]'],
    ['another version', JSON.stringify({ ...record, version: 2 })],
    ['no pid', JSON.stringify({ ...record, pid: undefined })],
    ['a string pid', JSON.stringify({ ...record, pid: '4242' })],
    ['no project', JSON.stringify({ ...record, project: undefined })],
  ])('a %s file reads as no session (it holds no lock)', async (_what, text) => {
    await writeFile(file, text);
    expect(await readSessionFile(file)).toBeUndefined();
  });

  it('is undefined when the dev dir is a file (ENOTDIR): no session can be there', async () => {
    await writeFile(path.join(dir, 'a-file'), 'x');
    expect(await readSessionFile(path.join(dir, 'a-file', 'session.json'))).toBeUndefined();
  });

  it('rejects with an input failure naming the file on a read error other than ENOENT (session.json is a directory)', async () => {
    await mkdir(file);
    await expect(readSessionFile(file)).rejects.toStrictEqual({
      kind: 'input',
      message: `cannot read ${file}: it is a directory; remove that directory or pass another --dev-dir`,
    });
    await expect(readCheckedSessionFile(file)).rejects.toStrictEqual({
      kind: 'input',
      message: `cannot read ${file}: it is a directory; remove that directory or pass another --dev-dir`,
    });
  });

  it('rejects with an input failure naming the file on a symbolic link loop (ELOOP)', async () => {
    await symlink('loop', file);
    await symlink('session.json', path.join(dir, 'loop'));
    await expect(readSessionFile(file)).rejects.toStrictEqual({
      kind: 'input',
      message: `cannot read ${file}: a symbolic link loop; fix the link or pass another --dev-dir`,
    });
  });
});

describe('removeSessionFile', () => {
  it('removes the file, and is a no-op when it is already gone', async () => {
    await writeSessionFile(file, record);
    await removeSessionFile(file);
    expect(await readdir(dir)).toStrictEqual([]);
    await removeSessionFile(file);
    expect(await readdir(dir)).toStrictEqual([]);
  });
});

describe('readCheckedSessionFile (what `dev down` acts on)', () => {
  it('is none without a file, valid for a record stagecraft wrote (tags or not)', async () => {
    const onDisk = (written: SessionRecord): unknown => JSON.parse(JSON.stringify(written));
    expect(await readCheckedSessionFile(file)).toStrictEqual({ kind: 'none' });
    await writeSessionFile(file, record);
    expect(await readCheckedSessionFile(file)).toStrictEqual({ kind: 'valid', record: onDisk(record) });
    const tagged = { ...record, state: 'stopping.graceful', tags: ['stackMayExist', 'tearingDown'] };
    await writeSessionFile(file, tagged);
    expect(await readCheckedSessionFile(file)).toStrictEqual({ kind: 'valid', record: onDisk(tagged) });
  });

  it.each([
    ['empty', '', 'it is not JSON'],
    ['torn mid-write', JSON.stringify(record).slice(0, 40), 'it is not JSON'],
    ['JSON null', 'null', 'it is not a JSON object'],
    ['a JSON array', '[1,2,3]', 'it is not a JSON object'],
    ['another version', JSON.stringify({ ...record, version: 2 }), 'version 2 is not 1'],
    ['a project compose would refuse', JSON.stringify({ ...record, project: 'shop; rm -rf ~' }), 'its project is not a compose project name'],
    ['an unknown mode', JSON.stringify({ ...record, mode: 'daemon' }), 'its mode is not foreground, detach or down'],
    ['pid 0 (the process group)', JSON.stringify({ ...record, pid: 0 }), 'its pid is not a positive whole number'],
    ['a negative pid (a process group)', JSON.stringify({ ...record, pid: -4242 }), 'its pid is not a positive whole number'],
    ['a string pid', JSON.stringify({ ...record, pid: '4242' }), 'its pid is not a positive whole number'],
    ['fractional start ticks', JSON.stringify({ ...record, pidStartTicks: 1.5 }), 'its pidStartTicks is neither null nor a whole number'],
    ['a startedAt that is no time', JSON.stringify({ ...record, startedAt: 'yesterday-ish' }), 'its startedAt or updatedAt is not a time'],
    ['a state with escape codes', JSON.stringify({ ...record, state: 'attached\u001b[2J' }), 'its state is not a machine state'],
    ['tags that are not a list of words', JSON.stringify({ ...record, tags: 'tearingDown' }), 'its tags are not a list of state tags'],
    ['no plan', JSON.stringify({ ...record, plan: undefined }), 'it has no plan'],
  ])('a %s file is invalid, saying why', async (_what, text, problem) => {
    await writeFile(file, text);
    expect(await readCheckedSessionFile(file)).toStrictEqual({ kind: 'invalid', problem });
  });
});
