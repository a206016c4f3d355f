import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/** Writes `content` to `file` through a temp file beside it and a rename: readers see the old file or the new one, never half of one. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  // Loaded on the first write, not at start-up: `dev plan` never writes, and node:crypto costs ~4 ms to load.
  const { randomBytes } = await import('node:crypto');
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, { mode: 0o644 });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
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
