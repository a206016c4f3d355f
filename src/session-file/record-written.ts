// A session that has just taken its project's lock writes its record a moment later. `dev
// down` arriving in that moment cannot tell which session it is nor ask it to stop; it hears
// the record being written (inotify through fs.watch, nothing polled) and looks again.
import { watch } from 'node:fs';
import path from 'node:path';
import { readSessionFile } from './session-file.js';

/**
 * Resolves once `file` holds a record of process `pid`: at once when it does already, else
 * when the file next changes (the caller reads it again). Never resolves when the file cannot
 * be watched (a missing dev dir): the caller races this with the lock's release. Rejects with
 * the reason of an aborted `signal`, and stops watching then.
 */
export async function whenRecordOf(file: string, pid: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const watching = new AbortController();
  const stop = (): void => watching.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const changed = new Promise<void>((resolve, reject) => {
      watching.signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      try {
        const watcher = watch(path.dirname(file), { signal: watching.signal, persistent: false });
        watcher.on('change', (_, name) => {
          if (name === path.basename(file)) resolve();
        });
        watcher.on('error', () => undefined);
      } catch {
        // Not watchable: only the lock's release ends the wait.
      }
    });
    changed.catch(() => undefined);
    // Written before the watch began: no change would tell of it.
    if ((await readSessionFile(file).catch(() => undefined))?.pid === pid) return;
    await changed;
  } finally {
    signal.removeEventListener('abort', stop);
    watching.abort();
  }
}
