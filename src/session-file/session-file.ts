import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DevPlan, SessionMode } from '../../machines/dev-session.types.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';

/** `<dev-dir>/session.json` (SPEC §6). Its schema is documented in the README. */
export interface SessionRecord {
  readonly version: 1;
  readonly project: string;
  readonly mode: SessionMode | 'down';
  readonly pid: number;
  /** The holder's start time in clock ticks since boot (Linux), to detect pid reuse. */
  readonly pidStartTicks: number | null;
  /** ISO 8601. */
  readonly startedAt: string;
  /** The machine state, dotted (`stopping.graceful`), or `down`. */
  readonly state: string;
  readonly updatedAt: string;
  readonly plan: DevPlan;
}

export const sessionFileName = 'session.json';

export function sessionFilePath(devDir: string, cwd: string): string {
  return path.resolve(cwd, devDir, sessionFileName);
}

/** Reads the session file; undefined when there is none or it is unreadable garbage. */
export async function readSessionFile(file: string): Promise<SessionRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // ENOTDIR: the dev dir is a file, so no session file can be there (the plan says what is wrong).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    const record = JSON.parse(text) as Partial<SessionRecord>;
    if (record.version !== 1 || typeof record.pid !== 'number' || typeof record.project !== 'string') return undefined;
    return record as SessionRecord;
  } catch {
    return undefined; // a torn or foreign file holds no lock
  }
}

/** Writes the file atomically: a temp file beside it, then rename over it. */
export async function writeSessionFile(file: string, record: SessionRecord): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
}

export async function removeSessionFile(file: string): Promise<void> {
  await rm(file, { force: true });
}
