import type { DevPlan, SessionMode } from '../../machines/dev-session.types.js';
import { withFileMutex } from './file-mutex.js';
import { currentProcess, isAlive } from './process-identity.js';
import type { ProjectClaims } from './project-claims.js';
import { readSessionFile, removeSessionFile, writeSessionFile, type SessionRecord } from './session-file.js';

export type AcquireResult =
  | { readonly kind: 'acquired'; readonly stale: SessionRecord | undefined }
  /** `elsewhere`: the holder's session file, when it is another dev dir's. */
  | { readonly kind: 'held'; readonly holder: SessionRecord; readonly elsewhere?: string };

/** True when the record's process is still running (and is the same process). */
export function holderAlive(record: SessionRecord): boolean {
  return isAlive({ pid: record.pid, startTicks: record.pidStartTicks });
}

/** True when the record names another process that still runs: a live session holds the file. */
export function heldByAnother(record: SessionRecord): boolean {
  return record.pid !== process.pid && holderAlive(record);
}

/**
 * The session file as a lock (SPEC §6). `acquire` claims it unless a live
 * process holds it; a file whose process is gone comes back as `stale` for
 * the caller to reconcile. Writes are serialized, so a late state update can
 * never resurrect a released file. With `claims`, the project is also claimed across
 * dev dirs: a live session of the same project elsewhere holds it too.
 */
export class SessionLock {
  readonly #file: string;
  readonly #mode: SessionMode | 'down';
  readonly #now: () => Date;
  readonly #claims: ProjectClaims | undefined;
  #record: SessionRecord | undefined;
  /** The stale record `acquire` replaced, until `reconciled()` says its stack is gone. */
  #stale: SessionRecord | undefined;
  #writes: Promise<void> = Promise.resolve();

  constructor(file: string, mode: SessionMode | 'down', options: { now?: () => Date; claims?: ProjectClaims } = {}) {
    this.#file = file;
    this.#mode = mode;
    this.#now = options.now ?? (() => new Date());
    this.#claims = options.claims;
  }

  get file(): string {
    return this.#file;
  }

  get held(): boolean {
    return this.#record !== undefined;
  }

  /**
   * Claims the file. Serialized with the other writes, so a session that settles while
   * its claim is still waiting for the mutex settles after it (and releases what it got);
   * an aborted `signal` gives up the wait.
   */
  acquire(plan: DevPlan, state: string, signal?: AbortSignal): Promise<AcquireResult> {
    return this.#serialize(() => this.#claim(plan, state, signal));
  }

  #claim(plan: DevPlan, state: string, signal: AbortSignal | undefined): Promise<AcquireResult> {
    return withFileMutex(
      this.#file,
      async () => {
        const existing = await readSessionFile(this.#file);
        if (existing !== undefined && heldByAnother(existing)) {
          return { kind: 'held', holder: existing };
        }
        const me = currentProcess();
        const now = this.#now().toISOString();
        const record: SessionRecord = {
          version: 1,
          project: plan.projectName,
          mode: this.#mode,
          pid: me.pid,
          pidStartTicks: me.startTicks,
          startedAt: now,
          state,
          updatedAt: now,
          plan,
        };
        const write = () => writeSessionFile(this.#file, record);
        const elsewhere = this.#claims === undefined ? await write() : await this.#claims.claim(plan.projectName, this.#file, me, write);
        if (elsewhere !== undefined) return { kind: 'held', holder: elsewhere.record, elsewhere: elsewhere.sessionFile };
        this.#record = record;
        this.#stale = await this.#toReconcile(existing, plan);
        return { kind: 'acquired', stale: this.#stale };
      },
      { signal },
    );
  }

  /**
   * The record this claim replaced, for the caller to reconcile; not one of another project
   * that a live session elsewhere holds now (that stack is in use, not this session's).
   */
  async #toReconcile(existing: SessionRecord | undefined, plan: DevPlan): Promise<SessionRecord | undefined> {
    if (existing === undefined || existing.project === plan.projectName) return existing;
    return (await this.#claims?.holderElsewhere(existing.project, this.#file)) === undefined ? existing : undefined;
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
      await writeSessionFile(this.#file, stale);
      await this.#releaseClaim(mine);
      return true;
    });
  }

  /** Records the current machine state and its tags; a no-op unless held. */
  update(state: string, tags?: readonly string[]): Promise<void> {
    return this.#serialize(async () => {
      if (this.#record === undefined || this.#record.state === state) return;
      this.#record = { ...this.#record, state, ...(tags === undefined ? {} : { tags }), updatedAt: this.#now().toISOString() };
      await writeSessionFile(this.#file, this.#record);
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
      await removeSessionFile(this.#file);
      await this.#releaseClaim(mine);
    });
  }

  /**
   * Stops holding without removing: the stack outlives this process (detached, kept,
   * abandoned). The session file stays, for the next session to reconcile.
   */
  leave(): Promise<void> {
    return this.#serialize(async () => {
      const mine = this.#record;
      this.#record = undefined;
      if (mine !== undefined) await this.#releaseClaim(mine);
    });
  }

  /** Drops this session's claim on its project across dev dirs. */
  async #releaseClaim(mine: SessionRecord): Promise<void> {
    await this.#claims?.release(mine.project, this.#file, { pid: mine.pid, startTicks: mine.pidStartTicks });
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
