import { mkdir, rmdir, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

export interface MutexOptions {
  /** Stops the waiting (rejecting with the signal's reason) before the section is entered. */
  readonly signal?: AbortSignal | undefined;
  /** A directory this old was left by a holder that crashed inside the section: taken over. */
  readonly staleAfterMs?: number;
  /** Waiting this long for a directory that is not stale yet is an error. */
  readonly giveUpAfterMs?: number;
}

/**
 * Runs `critical` while holding `<file>.lock`, a directory: mkdir is atomic, so
 * two processes racing for the same session file cannot both get in. The
 * section is meant to be short (read, decide, write). A mutex taken inside another
 * one must give up sooner than the outer one turns stale (see ProjectClaims).
 */
export async function withFileMutex<T>(file: string, critical: () => Promise<T>, options: MutexOptions = {}): Promise<T> {
  const { signal, staleAfterMs = 10_000, giveUpAfterMs = 15_000 } = options;
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
