// `mkdir -p` that rejects with the real cause (Node's recursive mkdir says ENOENT for EROFS and ENOSPC).
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDirectory } from '../../src/util/make-directory.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-make-directory-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const isDirectory = async (at: string): Promise<boolean> => (await stat(at)).isDirectory();

describe('makeDirectory', () => {
  it('makes every missing directory of the path', async () => {
    await makeDirectory(path.join(dir, 'a', 'b', 'c'));
    expect(await isDirectory(path.join(dir, 'a', 'b', 'c'))).toBe(true);
  });

  it('is a no-op for a directory that exists, and for a link to one', async () => {
    await mkdir(path.join(dir, 'real'));
    await symlink('real', path.join(dir, 'link'));
    await makeDirectory(path.join(dir, 'real'));
    await makeDirectory(path.join(dir, 'link'));
    await makeDirectory(dir);
    expect(await isDirectory(path.join(dir, 'link'))).toBe(true);
  });

  it('rejects with EEXIST where a file is, naming it', async () => {
    await writeFile(path.join(dir, 'dev'), 'x');
    await expect(makeDirectory(path.join(dir, 'dev'))).rejects.toMatchObject({ code: 'EEXIST', path: path.join(dir, 'dev') });
  });

  it('rejects with ENOTDIR under a file, naming the directory asked for', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    await expect(makeDirectory(path.join(dir, 'notes.txt', 'dev', 'traefik'))).rejects.toMatchObject({
      code: 'ENOTDIR',
      path: path.join(dir, 'notes.txt', 'dev', 'traefik'),
    });
  });

  it('rejects with ELOOP on a symbolic link loop', async () => {
    await symlink('b', path.join(dir, 'a'));
    await symlink('a', path.join(dir, 'b'));
    await expect(makeDirectory(path.join(dir, 'a', 'dev'))).rejects.toMatchObject({ code: 'ELOOP' });
  });
});
