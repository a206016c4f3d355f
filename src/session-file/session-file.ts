import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DevPlan, SessionMode } from '../../machines/dev-session.types.js';
import { fsFailure } from '../util/fs-failure.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { recordProblem } from './record-check.js';

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
  /** The tags of that state (`tearingDown`, …); absent in records written before tags. */
  readonly tags?: readonly string[];
  readonly updatedAt: string;
  readonly plan: DevPlan;
}

export const sessionFileName = 'session.json';

export function sessionFilePath(devDir: string, cwd: string): string {
  return path.resolve(cwd, devDir, sessionFileName);
}

/** The file's text; undefined when there is none. Rejects with an `input` failure when it cannot be read. */
async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    // ENOTDIR: the dev dir is a file, so no session file can be there (the plan says what is wrong).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fsFailure(error, 'read', file, 'pass another --dev-dir');
  }
}

/**
 * Reads the session file; undefined when there is none or it is garbage. Rejects with an
 * `input` failure naming the file when it cannot be read (a directory, a link loop, no permission).
 */
export async function readSessionFile(file: string): Promise<SessionRecord | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as Partial<SessionRecord>;
    if (record.version !== 1 || typeof record.pid !== 'number' || typeof record.project !== 'string') return undefined;
    return record as SessionRecord;
  } catch {
    return undefined; // a torn or foreign file holds no lock
  }
}

/** Writes the file atomically: a temp file beside it, then rename over it. Rejects with the fs error (its path the file's). */
export async function writeSessionFile(file: string, record: SessionRecord): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes the file; none is fine (nor is a dev dir that is a file). Rejects with the fs error. */
export async function removeSessionFile(file: string): Promise<void> {
  await rm(file, { force: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
  });
}

/** A session file read strictly: none, a record whose every field checks out, or a reason it does not. */
export type CheckedRecord =
  | { readonly kind: 'none' }
  | { readonly kind: 'valid'; readonly record: SessionRecord }
  | { readonly kind: 'invalid'; readonly problem: string };

/**
 * Reads the session file for a command that may act on it (`dev down`): a torn, foreign or
 * crafted file comes back `invalid` with what is wrong, instead of reading as no session.
 * Rejects with an `input` failure naming the file when it cannot be read.
 */
export async function readCheckedSessionFile(file: string): Promise<CheckedRecord> {
  const text = await readText(file);
  if (text === undefined) return { kind: 'none' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', problem: 'it is not JSON' };
  }
  const problem = recordProblem(value);
  return problem === undefined ? { kind: 'valid', record: value as SessionRecord } : { kind: 'invalid', problem };
}
