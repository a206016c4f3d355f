import { setTimeout as delay } from 'node:timers/promises';
import type { SessionRecord } from './session-file.js';
import { holderAlive } from './session-lock.js';

/** Polls until the session's process has ended; false when `timeoutMs` passed first or `signal` aborted. */
export async function waitForExit(record: SessionRecord, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (holderAlive(record)) {
    if (Date.now() > deadline || signal.aborted) return false;
    await delay(100);
  }
  return true;
}
