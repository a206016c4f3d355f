import { mkdir, rmdir, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** A holder that crashed inside the critical section leaves the directory behind. */
const staleAfterMs = 10_000;
const giveUpAfterMs = 15_000;

/**
 * Runs `critical` while holding `<file>.lock`, a directory: mkdir is atomic, so
 * two processes racing for the same session file cannot both get in. The
 * section is meant to be short (read, decide, write). An aborted `signal` stops
 * the waiting (it rejects with the signal's reason) before the section is entered.
 */
export async function withFileMutex<T>(file: string, critical: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const lock = `${file}.lock`;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > staleAfterMs) {
        await rmdir(lock).catch(() => undefined);
        continue;
      }
      if (Date.now() - started > giveUpAfterMs) {
        throw new Error(`${lock} has been held for over ${giveUpAfterMs / 1000} s; remove it if no stagecraft is running`);
      }
      await delay(Math.min(5 * 2 ** attempt, 100));
    }
  }
  try {
    return await critical();
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
}
