import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isRemovable, manifestFileName } from '../../src/generate/generated-manifest.js';
import { writeDevFiles } from '../../src/generate/write-dev-files.js';

let devDir: string;

beforeEach(async () => {
  devDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'stagecraft-write-')), '.stagecraft/dev');
});

afterEach(async () => {
  await rm(path.dirname(path.dirname(devDir)), { recursive: true, force: true });
});

/** Every file under the dev dir, relative, sorted. */
async function tree(dir = devDir, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? tree(path.join(dir, e.name), `${prefix}${e.name}/`) : Promise.resolve([`${prefix}${e.name}`]))),
  );
  return nested.flat().sort();
}

const read = (relative: string) => readFile(path.join(devDir, relative), 'utf8');

const withTraefik = [
  { path: 'compose.yaml', content: 'name: a\n' },
  { path: 'traefik/dynamic/routes.yml', content: 'http: {}\n' },
  { path: 'traefik/traefik.yml', content: 'log: {}\n' },
];

describe('writeDevFiles', () => {
  it('creates the dev dir, writes every file and lists them in the manifest', async () => {
    expect(await writeDevFiles(devDir, withTraefik)).toStrictEqual({
      written: ['compose.yaml', 'traefik/dynamic/routes.yml', 'traefik/traefik.yml'],
      unchanged: [],
      removed: [],
    });
    expect(await tree()).toEqual(['compose.yaml', manifestFileName, 'traefik/dynamic/routes.yml', 'traefik/traefik.yml']);
    expect(await read('traefik/traefik.yml')).toBe('log: {}\n');
    expect(JSON.parse(await read(manifestFileName))).toStrictEqual({
      version: 1,
      files: ['compose.yaml', 'traefik/dynamic/routes.yml', 'traefik/traefik.yml'],
    });
  });

  it('a second write of the same files changes no byte and touches no file', async () => {
    await writeDevFiles(devDir, withTraefik);
    const before = await Promise.all((await tree()).map(async (f) => ({ f, text: await read(f), mtime: (await stat(path.join(devDir, f))).mtimeMs })));
    expect(await writeDevFiles(devDir, withTraefik)).toStrictEqual({
      written: [],
      unchanged: ['compose.yaml', 'traefik/dynamic/routes.yml', 'traefik/traefik.yml'],
      removed: [],
    });
    const after = await Promise.all((await tree()).map(async (f) => ({ f, text: await read(f), mtime: (await stat(path.join(devDir, f))).mtimeMs })));
    expect(after).toStrictEqual(before);
  });

  it('rewrites only what changed', async () => {
    await writeDevFiles(devDir, withTraefik);
    const changed = withTraefik.map((f) => (f.path === 'compose.yaml' ? { ...f, content: 'name: b\n' } : f));
    expect(await writeDevFiles(devDir, changed)).toStrictEqual({
      written: ['compose.yaml'],
      unchanged: ['traefik/dynamic/routes.yml', 'traefik/traefik.yml'],
      removed: [],
    });
    expect(await read('compose.yaml')).toBe('name: b\n');
  });

  it('removes the files of an earlier config and their emptied folders, but never the session file, its lock or other files', async () => {
    await writeDevFiles(devDir, withTraefik);
    await writeFile(path.join(devDir, 'session.json'), '{"version":1}\n');
    await mkdir(path.join(devDir, 'session.json.lock'));
    await writeFile(path.join(devDir, 'notes.txt'), 'mine\n');
    expect(await writeDevFiles(devDir, [{ path: 'compose.yaml', content: 'name: a\n' }])).toStrictEqual({
      written: [],
      unchanged: ['compose.yaml'],
      removed: ['traefik/dynamic/routes.yml', 'traefik/traefik.yml'],
    });
    expect(await tree()).toEqual(['compose.yaml', manifestFileName, 'notes.txt', 'session.json']);
    expect((await stat(path.join(devDir, 'session.json.lock'))).isDirectory()).toBe(true);
    expect(await read('session.json')).toBe('{"version":1}\n');
    expect(JSON.parse(await read(manifestFileName))).toStrictEqual({ version: 1, files: ['compose.yaml'] });
  });

  it('keeps a folder that still holds a file it did not write', async () => {
    await writeDevFiles(devDir, withTraefik);
    await writeFile(path.join(devDir, 'traefik/dynamic/mine.yml'), 'http: {}\n');
    await writeDevFiles(devDir, [{ path: 'compose.yaml', content: 'name: a\n' }]);
    expect(await tree()).toEqual(['compose.yaml', manifestFileName, 'traefik/dynamic/mine.yml']);
  });

  it('removes nothing without a manifest, or when the manifest is not one of ours', async () => {
    await mkdir(path.join(devDir, 'traefik'), { recursive: true });
    await writeFile(path.join(devDir, 'traefik/traefik.yml'), 'by hand\n');
    await writeDevFiles(devDir, [{ path: 'compose.yaml', content: 'name: a\n' }]);
    expect(await tree()).toEqual(['compose.yaml', manifestFileName, 'traefik/traefik.yml']);

    await writeFile(path.join(devDir, manifestFileName), 'not json');
    expect((await writeDevFiles(devDir, [{ path: 'compose.yaml', content: 'name: a\n' }])).removed).toEqual([]);
  });

  it('never removes what a tampered manifest lists outside the dev dir or as protected', async () => {
    const outside = path.join(path.dirname(devDir), 'outside.txt');
    await mkdir(devDir, { recursive: true });
    await writeFile(outside, 'keep\n');
    await writeFile(path.join(devDir, 'session.json'), '{}\n');
    const files = ['../outside.txt', '/etc/hostname', 'session.json', 'session.json.lock', manifestFileName, './x', 'a//b'];
    await writeFile(path.join(devDir, manifestFileName), JSON.stringify({ version: 1, files }));
    expect((await writeDevFiles(devDir, [{ path: 'compose.yaml', content: 'name: a\n' }])).removed).toEqual([]);
    expect(await readFile(outside, 'utf8')).toBe('keep\n');
    expect(await read('session.json')).toBe('{}\n');
  });

  it('leaves no temp file behind', async () => {
    await writeDevFiles(devDir, withTraefik);
    await writeDevFiles(devDir, withTraefik.map((f) => ({ ...f, content: `${f.content}# changed\n` })));
    expect((await tree()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('isRemovable', () => {
  test.each([
    ['compose.yaml', true],
    ['traefik/traefik.yml', true],
    ['session.json', false],
    ['session.json.lock', false],
    ['session.json.lock/owner', false],
    [manifestFileName, false],
    ['../x', false],
    ['a/../../x', false],
    ['/etc/passwd', false],
    ['./x', false],
    ['', false],
    ['a\\b', false],
  ])('%s → %s', (entry, expected) => {
    expect(isRemovable(entry)).toBe(expected);
  });
});
