// The atomic write's failure names the file the user knows, never its temp file.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../src/util/write-file-atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-write-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('a failed rename (a directory in the way) rejects with the target as its path, and leaves no temp file', async () => {
    const file = path.join(dir, 'session.json');
    await mkdir(path.join(file, 'inside'), { recursive: true });
    const error = (await writeFileAtomic(file, '{}').catch((e: unknown) => e)) as NodeJS.ErrnoException & { dest?: string };
    // rename(2) of a file over a directory: EISDIR on Linux.
    expect({ code: error.code, syscall: error.syscall, path: error.path, dest: error.dest }).toStrictEqual({
      code: 'EISDIR',
      syscall: 'rename',
      path: file,
      dest: undefined,
    });
    expect(await readdir(dir)).toStrictEqual(['session.json']);
  });

  it('a failed open (the dir is a file) rejects with the target as its path', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    const file = path.join(dir, 'notes.txt', 'session.json');
    await expect(writeFileAtomic(file, '{}')).rejects.toMatchObject({ code: 'ENOTDIR', syscall: 'open', path: file });
  });
});
