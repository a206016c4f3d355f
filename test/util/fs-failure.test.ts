// File-system errors of the user's making as one sentence (exit 1); anything else stays a bug.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fsFailure, fsProblem, isFsError } from '../../src/util/fs-failure.js';
import { makeDirectory } from '../../src/util/make-directory.js';

/** An error as Node's fs rejects with it. */
function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: something, open '/x'`), { code, syscall: 'open', path: '/x' });
}

const file = '/p/.stagecraft/dev/session.json';

describe('fsFailure: a Node fs error as one input-error sentence naming the file, the cause and the fix', () => {
  it.each([
    ['EROFS', 'read-only file system; use a writable file system'],
    ['ENOSPC', 'no space left on device; free some space'],
    ['EDQUOT', 'disk quota exceeded; free some space'],
    ['EFBIG', 'file too large; free some space'],
    ['EACCES', 'permission denied; fix the permissions'],
    ['EPERM', 'operation not permitted; fix the permissions'],
    ['EISDIR', 'it is a directory; remove that directory'],
    ['ENOTEMPTY', 'a directory is in the way; remove that directory'],
    ['ENOTDIR', 'a part of the path is a file, not a directory; remove the file in the way'],
    ['EEXIST', 'a file is where a directory should be; remove the file in the way'],
    ['ELOOP', 'a symbolic link loop; fix the link'],
    ['ENAMETOOLONG', 'the path is too long; use a shorter path'],
    ['ENOENT', 'no such file or directory; check the path'],
    ['ENXIO', 'not a regular file; check the path'],
    ['EIO', 'input/output error; check the disk'],
    ['EBUSY', 'device or resource busy; try again'],
    ['EMFILE', 'too many open files; try again'],
  ])('%s', (code, words) => {
    expect(fsFailure(errno(code), 'write', file, 'pass another --dev-dir')).toStrictEqual({
      kind: 'input',
      message: `cannot write ${file}: ${words} or pass another --dev-dir`,
    });
  });

  it('names the action: read, write, remove, create', () => {
    for (const action of ['read', 'write', 'remove', 'create'] as const) {
      expect(fsProblem(errno('EROFS'), action, file)).toBe(`cannot ${action} ${file}: read-only file system`);
    }
  });

  // A bug must stay a bug (exit 3, with its stack): only the user's file-system errors are input.
  it.each([
    ['a TypeError', new TypeError('cannot read properties of undefined')],
    ['an errno that is not about files', errno('ECONNREFUSED')],
    ['an unknown code', errno('EWHATEVER')],
    ['a code that is not a string', Object.assign(new Error('x'), { code: 13 })],
    ['a string', 'EROFS'],
    ['undefined', undefined],
    ['an inherited name', errno('toString')],
  ])('%s is returned as it is', (_what, error) => {
    expect(fsFailure(error, 'write', file, 'pass another --dev-dir')).toBe(error);
    expect(fsProblem(error, 'write', file)).toBeUndefined();
    expect(isFsError(error)).toBe(false);
  });
});

describe('fsFailure over errors the file system really raises', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-fs-failure-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const caught = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'resolved', (error: unknown) => error);
  const message = async (promise: Promise<unknown>, action: 'read' | 'write' | 'create', name: string) =>
    (fsFailure(await caught(promise), action, name, 'pass another --dev-dir') as { message?: string }).message;

  it('reading a directory (EISDIR)', async () => {
    expect(await message(readFile(dir, 'utf8'), 'read', 'session.json')).toBe(
      'cannot read session.json: it is a directory; remove that directory or pass another --dev-dir',
    );
  });

  it('reading through a file (ENOTDIR)', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    expect(await message(readFile(path.join(dir, 'notes.txt', 'session.json'), 'utf8'), 'read', 'notes.txt/session.json')).toBe(
      'cannot read notes.txt/session.json: a part of the path is a file, not a directory; remove the file in the way or pass another --dev-dir',
    );
  });

  it('reading a symbolic link loop (ELOOP)', async () => {
    await symlink('b', path.join(dir, 'a'));
    await symlink('a', path.join(dir, 'b'));
    expect(await message(readFile(path.join(dir, 'a'), 'utf8'), 'read', 'a')).toBe(
      'cannot read a: a symbolic link loop; fix the link or pass another --dev-dir',
    );
  });

  it('making a directory where a file is (EEXIST)', async () => {
    await writeFile(path.join(dir, 'dev'), 'x');
    expect(await message(makeDirectory(path.join(dir, 'dev')), 'create', 'dev')).toBe(
      'cannot create dev: a file is where a directory should be; remove the file in the way or pass another --dev-dir',
    );
  });

  it('making a directory under a file (ENOTDIR)', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    expect(await message(makeDirectory(path.join(dir, 'notes.txt', 'dev')), 'create', 'notes.txt/dev')).toBe(
      'cannot create notes.txt/dev: a part of the path is a file, not a directory; remove the file in the way or pass another --dev-dir',
    );
  });
});
