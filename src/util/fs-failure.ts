// A file-system error of the user's making (a read-only, full or unwritable dev dir, a
// symlink loop, a directory where a file should be) is an input error (exit 1) told in one
// sentence naming the file, the cause and the fix, never a stack trace. Anything else stays
// what it is: an error stagecraft did not expect is a bug (exit 3).
import type { SessionFailure } from '../../machines/dev-session.types.js';
import { inputFailure } from './input-failure.js';

/** What stagecraft was doing with the file. */
export type FsAction = 'read' | 'write' | 'remove' | 'create';

interface Cause {
  /** The cause in words, lower case, to follow `cannot read <file>: `. */
  readonly cause: string;
  /** What fixes it, to be followed by ` or <the caller's alternative>`. */
  readonly fix: string;
}

const access = (cause: string): Cause => ({ cause, fix: 'fix the permissions' });
const space = (cause: string): Cause => ({ cause, fix: 'free some space' });
const busy = (cause: string): Cause => ({ cause, fix: 'try again' });

const causes: Readonly<Record<string, Cause>> = {
  EACCES: access('permission denied'),
  EPERM: access('operation not permitted'),
  EROFS: { cause: 'read-only file system', fix: 'use a writable file system' },
  ENOSPC: space('no space left on device'),
  EDQUOT: space('disk quota exceeded'),
  EFBIG: space('file too large'),
  EISDIR: { cause: 'it is a directory', fix: 'remove that directory' },
  // fs.rm of a directory without `recursive`.
  ERR_FS_EISDIR: { cause: 'it is a directory', fix: 'remove that directory' },
  ENOTEMPTY: { cause: 'a directory is in the way', fix: 'remove that directory' },
  ENOTDIR: { cause: 'a part of the path is a file, not a directory', fix: 'remove the file in the way' },
  // mkdir(recursive) of a path that is a file.
  EEXIST: { cause: 'a file is where a directory should be', fix: 'remove the file in the way' },
  ELOOP: { cause: 'a symbolic link loop', fix: 'fix the link' },
  ENAMETOOLONG: { cause: 'the path is too long', fix: 'use a shorter path' },
  ENOENT: { cause: 'no such file or directory', fix: 'check the path' },
  ENXIO: { cause: 'not a regular file', fix: 'check the path' },
  ENODEV: { cause: 'not a regular file', fix: 'check the path' },
  EIO: { cause: 'input/output error', fix: 'check the disk' },
  EBUSY: busy('device or resource busy'),
  EMFILE: busy('too many open files'),
  ENFILE: busy('too many open files in the system'),
};

function causeOf(error: unknown): Cause | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && Object.hasOwn(causes, code) ? causes[code] : undefined;
}

/** True for a Node fs error of the user's making (EROFS, ENOSPC, EACCES, ELOOP…): not a bug. */
export function isFsError(error: unknown): boolean {
  return causeOf(error) !== undefined;
}

/**
 * `cannot write /x/.stagecraft/dev/session.json: read-only file system`, or undefined when
 * `error` is not a file-system error of the user's making (the caller rethrows it as a bug).
 */
export function fsProblem(error: unknown, action: FsAction, file: string): string | undefined {
  const found = causeOf(error);
  return found === undefined ? undefined : `cannot ${action} ${file}: ${found.cause}`;
}

/**
 * `error` as an `input` failure, one sentence: `cannot <action> <file>: <cause>; <fix> or
 * <alternative>` (`…; use a writable file system or pass another --dev-dir`). Returns
 * `error` itself when it is not a file-system error of the user's making, so that
 * `throw fsFailure(…)` keeps a bug a bug.
 */
export function fsFailure(error: unknown, action: FsAction, file: string, alternative: string): SessionFailure | unknown {
  const found = causeOf(error);
  return found === undefined ? error : inputFailure(`cannot ${action} ${file}: ${found.cause}; ${found.fix} or ${alternative}`);
}
