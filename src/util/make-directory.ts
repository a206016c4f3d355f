import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

const codeOf = (error: unknown): unknown => (error as NodeJS.ErrnoException | undefined)?.code;

async function makeOne(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    // There already: fine when it is a directory (or a link to one); a file in the way is EEXIST.
    if (codeOf(error) === 'EEXIST' && (await stat(dir).then((info) => info.isDirectory(), () => false))) return;
    throw error;
  }
}

/**
 * `mkdir -p dir`. Resolves once `dir` is a directory; rejects with the fs error of the
 * directory that could not be made. Not `mkdir(dir, { recursive: true })`: on a read-only or
 * full file system it rejects with ENOENT instead of EROFS or ENOSPC
 * (https://github.com/nodejs/node/issues/47098, https://github.com/nodejs/node/issues/42808),
 * and a user would be told a directory is missing instead of why it cannot be made.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await makeOne(dir);
  } catch (error) {
    const parent = path.dirname(dir);
    if (codeOf(error) !== 'ENOENT' || parent === dir) throw error;
    await makeDirectory(parent);
    await makeOne(dir);
  }
}
