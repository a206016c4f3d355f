// readConfig over what the file system can hold at stagecraft.yml: every fault of the user's
// making is an input error naming the file (exit 1), never a crash.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readConfig } from '../../src/config/read-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-read-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rejectionOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'resolved', (error: unknown) => error);

describe('readConfig and the file system', () => {
  it('a symbolic link loop: cannot read it, named', async () => {
    await symlink('other.yml', path.join(dir, 'stagecraft.yml'));
    await symlink('stagecraft.yml', path.join(dir, 'other.yml'));
    expect(await rejectionOf(readConfig(path.join(dir, 'stagecraft.yml'), 'stagecraft.yml'))).toStrictEqual({
      kind: 'input',
      message: 'cannot read stagecraft.yml: a symbolic link loop; fix the link or pass another --config',
    });
  });

  it('a directory: not a regular file', async () => {
    await mkdir(path.join(dir, 'stagecraft.yml'));
    expect(await rejectionOf(readConfig(path.join(dir, 'stagecraft.yml'), 'stagecraft.yml'))).toStrictEqual({
      kind: 'input',
      message: 'config stagecraft.yml is not a regular file; pass a stagecraft.yml with --config',
    });
  });

  it('no such file, or a path through a file: there is no config', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    expect(await readConfig(path.join(dir, 'stagecraft.yml'), 'stagecraft.yml')).toBeUndefined();
    expect(await readConfig(path.join(dir, 'notes.txt', 'stagecraft.yml'), 'notes.txt/stagecraft.yml')).toBeUndefined();
  });
});
