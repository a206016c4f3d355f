import type { DevPlan, SessionMode } from '../../machines/dev-session.types.js';
import { fsFailure, fsProblem, type FsAction } from '../util/fs-failure.js';
import { isInputFailure } from '../util/input-failure.js';
import { currentProcess, isAlive } from './process-identity.js';
import { whenRecordOf } from './record-written.js';
import type { ProjectLock } from './project-lock.js';
import { readSessionFile, removeSessionFile, writeSessionFile, type SessionRecord } from './session-file.js';

export type AcquireResult =
  | { readonly kind: 'acquired'; readonly stale: SessionRecord | undefined }
  /**
   * Another live session holds the project on this engine: its record when it could be
   * read (undefined when the holder did not answer: stopped with Ctrl+Z, say), its pid, and
   * `elsewhere`, its session file, when it is another dev dir's.
   */
  | {
      readonly kind: 'held';
      readonly project: string;
      readonly holder: SessionRecord | undefined;
      readonly pid?: number | undefined;
      readonly elsewhere?: string | undefined;
    };

/** True when the record's process is still running (and is the same process). */
export function holderAlive(record: SessionRecord): boolean {
  return isAlive({ pid: record.pid, startTicks: record.pidStartTicks });
}

/** True when the record names another process that still runs: a live session holds the file. */
export function heldByAnother(record: SessionRecord): boolean {
  return record.pid !== process.pid && holderAlive(record);
}

/** An `input` failure (a record that cannot be read) as no record; anything else rethrown. */
function unreadableAsNone(error: unknown): undefined {
  if (isInputFailure(error)) return undefined;
  throw error;
}

/** What a session lock is built with. */
export interface SessionLockOptions {
  readonly now?: () => Date;
  readonly lock: ProjectLock;
  /**
   * Given (`dev down`): a record that cannot be written or removed (a read-only or full dev dir)
   * is told through this, one sentence, and the lock goes on without it: the stack must still
   * be removable then. Not given (`dev`): such a failure rejects with an `input` failure.
   */
  readonly warnUnrecorded?: (message: string) => void;
}

const otherDevDir = 'pass another --dev-dir';

/** How long a holder that answered has to write its record, for a refused claim to name it. */
const recordWaitMs = 2000;

/** Aborted when either is. */
function anyOf(signal: AbortSignal | undefined, bound: AbortSignal): AbortSignal {
  return signal === undefined ? bound : AbortSignal.any([signal, bound]);
}

/**
 * The session record and the project's lock (SPEC §6). `acquire` takes the project's lock on
 * its engine (src/session-file/project-lock.ts: one kernel-held lock, nothing else), then
 * writes the record; a record left by a process that is gone comes back as `stale` for the
 * caller to reconcile. Writes are serialized, so a late state update can never resurrect a
 * released record.
 */
export class SessionLock {
  readonly #file: string;
  readonly #mode: SessionMode | 'down';
  readonly #now: () => Date;
  readonly #lock: ProjectLock;
  readonly #warnUnrecorded: ((message: string) => void) | undefined;
  #record: SessionRecord | undefined;
  /** The stale record `acquire` replaced, until `reconciled()` says its stack is gone. */
  #stale: SessionRecord | undefined;
  #writes: Promise<void> = Promise.resolve();

  constructor(file: string, mode: SessionMode | 'down', options: SessionLockOptions) {
    this.#file = file;
    this.#mode = mode;
    this.#now = options.now ?? (() => new Date());
    this.#lock = options.lock;
    this.#warnUnrecorded = options.warnUnrecorded;
  }

  get file(): string {
    return this.#file;
  }

  get held(): boolean {
    return this.#record !== undefined;
  }

  /**
   * Takes the project's lock and writes the record. Serialized with the other writes, so a
   * session that settles while its claim is under way settles after it. An aborted `signal`
   * (STOP meanwhile) gives up: nothing is held then.
   */
  acquire(plan: DevPlan, state: string, signal?: AbortSignal): Promise<AcquireResult> {
    return this.#serialize(() => this.#claim(plan, state, signal));
  }

  async #claim(plan: DevPlan, state: string, signal: AbortSignal | undefined): Promise<AcquireResult> {
    signal?.throwIfAborted();
    const project = plan.projectName;
    const holder = await this.#lock.acquire(project, this.#file);
    if (holder !== undefined) {
      // A holder that did not answer (stopped) may still be named by this dev dir's record.
      // Another session's record that cannot be read only means less to say about the holder.
      const file = holder.sessionFile ?? this.#file;
      const read = (): Promise<SessionRecord | undefined> => readSessionFile(file).catch(unreadableAsNone);
      // The record names the holder; or, while the holder only checks it, the live session it found there.
      const names = (record: SessionRecord | undefined): record is SessionRecord =>
        record !== undefined && (record.pid === holder.pid || heldByAnother(record));
      let record = await read();
      if (!names(record) && holder.pid !== undefined) {
        // It answered, so it runs: it took the lock this instant and writes its record next.
        await whenRecordOf(file, holder.pid, anyOf(signal, AbortSignal.timeout(recordWaitMs))).catch(() => undefined);
        signal?.throwIfAborted();
        record = await read();
      }
      const named = names(record) ? record : undefined;
      return {
        kind: 'held',
        project,
        holder: named,
        pid: named?.pid ?? holder.pid,
        ...(holder.sessionFile === undefined || holder.sessionFile === this.#file ? {} : { elsewhere: holder.sessionFile }),
      };
    }
    try {
      signal?.throwIfAborted();
      const existing = await readSessionFile(this.#file);
      // A live session of another project keeps its record in this dev dir: not ours to replace.
      if (existing !== undefined && heldByAnother(existing)) {
        await this.#lock.release(project);
        return { kind: 'held', project: existing.project, holder: existing, pid: existing.pid };
      }
      const me = currentProcess();
      const now = this.#now().toISOString();
      const record: SessionRecord = {
        version: 1,
        project,
        mode: this.#mode,
        pid: me.pid,
        pidStartTicks: me.startTicks,
        startedAt: now,
        state,
        updatedAt: now,
        plan,
      };
      await this.#recordOrWarn(() => writeSessionFile(this.#file, record), 'write', 'going on without a session record');
      this.#record = record;
      this.#stale = await this.#toReconcile(existing, plan);
      return { kind: 'acquired', stale: this.#stale };
    } catch (error) {
      await this.#lock.release(project);
      throw error;
    }
  }

  /**
   * The record this claim replaced, for the caller to reconcile; not one of another project
   * that a live session holds now (that stack is in use, not this session's).
   */
  async #toReconcile(existing: SessionRecord | undefined, plan: DevPlan): Promise<SessionRecord | undefined> {
    if (existing === undefined || existing.project === plan.projectName) return existing;
    return (await this.#lock.holder(existing.project)) === undefined ? existing : undefined;
  }

  /** The stale session's stack has been torn down: nothing of it needs keeping. */
  reconciled(): void {
    this.#stale = undefined;
  }

  /**
   * Puts the stale record back in place of ours when it was never reconciled, so
   * the next session reconciles it again (its project may differ from ours).
   * Resolves true when it did; a no-op (false) otherwise.
   */
  restoreUnreconciled(): Promise<boolean> {
    return this.#serialize(async () => {
      const [mine, stale] = [this.#record, this.#stale];
      if (mine === undefined || stale === undefined) return false;
      this.#record = undefined;
      this.#stale = undefined;
      try {
        await this.#recordOrWarn(() => writeSessionFile(this.#file, stale), 'write', 'the stale session it held is not put back');
      } finally {
        await this.#releaseClaim(mine);
      }
      return true;
    });
  }

  /** Records the current machine state and its tags; a no-op unless held. */
  update(state: string, tags?: readonly string[]): Promise<void> {
    return this.#serialize(async () => {
      if (this.#record === undefined || this.#record.state === state) return;
      const record: SessionRecord = { ...this.#record, state, ...(tags === undefined ? {} : { tags }), updatedAt: this.#now().toISOString() };
      this.#record = record;
      await this.#recordOrWarn(() => writeSessionFile(this.#file, record), 'write', 'the session record is out of date');
    });
  }

  /** Resolves once every write asked for so far has been done. */
  flush(): Promise<void> {
    return this.#serialize(async () => undefined);
  }

  /** Removes the file (the stack is gone); a no-op unless held. */
  release(): Promise<void> {
    return this.#serialize(async () => {
      const mine = this.#record;
      if (mine === undefined) return;
      this.#record = undefined;
      try {
        await this.#recordOrWarn(() => removeSessionFile(this.#file), 'remove', 'remove it by hand');
      } finally {
        await this.#releaseClaim(mine);
      }
    });
  }

  /**
   * Stops holding without removing: the stack outlives this process (detached, kept,
   * abandoned). The session file stays, for the next session to reconcile. The project's
   * lock stays until this process ends (the kernel lets go of it then; it never keeps the
   * process alive): the file names this process, and while it runs it holds the project, so a
   * `dev down` at this instant waits for its end, where it found the lock free and the record's
   * process alive, and gave up (exit 4, the file left behind).
   */
  leave(): Promise<void> {
    return this.#serialize(async () => {
      this.#record = undefined;
    });
  }

  /**
   * Runs a write or removal of the record. A file-system failure (read-only, full…) is warned
   * about, `then` saying what follows, when the lock was built to go on without its record;
   * else it rejects as an `input` failure naming the file. Anything else is a bug: rethrown.
   */
  async #recordOrWarn(step: () => Promise<void>, action: FsAction, then: string): Promise<void> {
    try {
      await step();
    } catch (error) {
      const problem = fsProblem(error, action, this.#file);
      if (problem === undefined || this.#warnUnrecorded === undefined) throw fsFailure(error, action, this.#file, otherDevDir);
      this.#warnUnrecorded(`${problem}; ${then}`);
    }
  }

  /** Lets go of this session's project lock. */
  async #releaseClaim(mine: SessionRecord): Promise<void> {
    await this.#lock.release(mine.project);
  }

  /** Runs `step` after every step queued before it, whatever their outcome. */
  #serialize<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#writes.then(step, step);
    this.#writes = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
