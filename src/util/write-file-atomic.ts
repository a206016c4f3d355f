import { readFile, rename, rm, writeFile } from 'node:fs/promises';

let tempFiles = 0;

/**
 * Writes `content` to `file` through a temp file beside it and a rename: readers see the old
 * file or the new one, never half of one. Rejects with the fs error, its `path` set to `file`
 * (not the temp file's name, which would mean nothing to a user).
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  // Unique without randomness (node:crypto alone costs 2–4 ms to load, on every session's
  // start): no two live processes share a pid, and the counter keeps this process's apart.
  const temp = `${file}.${process.pid}.${++tempFiles}.tmp`;
  try {
    await writeFile(temp, content, { mode: 0o644 });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined); // a read-only dir refuses this too
    throw atPath(error, file);
  }
}

function atPath(error: unknown, file: string): unknown {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const errno = error as NodeJS.ErrnoException & { dest?: string };
    errno.path = file;
    delete errno.dest;
  }
  return error;
}

/** The file's text, or undefined when there is no such file. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes `content` atomically unless the file already holds exactly that (so its
 * mtime, and anything watching it, stays put). Resolves with true when it wrote.
 */
export async function writeIfChanged(file: string, content: string): Promise<boolean> {
  if ((await readTextIfExists(file)) === content) return false;
  await writeFileAtomic(file, content);
  return true;
}
