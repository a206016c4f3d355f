// Which session holds each compose project, across dev dirs (SPEC §6: a second
// `stagecraft dev` for the same project while the holder lives fails with 4). The session
// file lives in its dev dir, so two checkouts (or two --dev-dir) that use one project name
// would not see each other's; this per-user directory has one small file per project,
// `<project>.json`, naming the live session's pid and its session file.
import { mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { withFileMutex } from './file-mutex.js';
import { isAlive, type ProcessIdentity } from './process-identity.js';
import { readSessionFile, type SessionRecord } from './session-file.js';

/**
 * `~/.local/state/stagecraft/projects`. One place for every shell of a user (not
 * XDG_RUNTIME_DIR, which cron, sudo -u and some terminals do not set).
 */
export function projectClaimsDir(env: NodeJS.ProcessEnv): string {
  const home = env['HOME'] !== undefined && path.isAbsolute(env['HOME']) ? env['HOME'] : os.homedir();
  return path.join(home, '.local', 'state', 'stagecraft', 'projects');
}

// The claim's mutex is taken inside the session file's: it must give up well before
// that one would look stale (10 s) to another session of the same dev dir.
const claimMutex = { staleAfterMs: 2_000, giveUpAfterMs: 4_000 } as const;

interface ProjectClaim {
  readonly version: 1;
  readonly pid: number;
  readonly pidStartTicks: number | null;
  /** The claiming session's session file (absolute). */
  readonly sessionFile: string;
}

async function readClaim(file: string): Promise<ProjectClaim | undefined> {
  try {
    const claim = JSON.parse(await readFile(file, 'utf8')) as Partial<ProjectClaim>;
    if (claim.version !== 1 || typeof claim.pid !== 'number' || typeof claim.sessionFile !== 'string') return undefined;
    return claim as ProjectClaim;
  } catch {
    return undefined; // none, or garbage: no claim
  }
}

/** A session holding one project, found through another dev dir's session file. */
export interface HolderElsewhere {
  readonly record: SessionRecord;
  readonly sessionFile: string;
}

export class ProjectClaims {
  readonly #dir: string;
  readonly #warn: (message: string) => void;
  #usable: Promise<boolean> | undefined;

  /** `warn` hears, once, that the claims directory cannot be used (then only the dev dir locks). */
  constructor(dir: string, warn: (message: string) => void = () => undefined) {
    this.#dir = dir;
    this.#warn = warn;
  }

  #fileOf(project: string): string {
    return path.join(this.#dir, `${project}.json`);
  }

  #ready(): Promise<boolean> {
    this.#usable ??= mkdir(this.#dir, { recursive: true, mode: 0o700 }).then(
      () => true,
      (error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        this.#warn(`cannot keep project claims in ${this.#dir} (${code}); sessions of one project from two dev dirs are not kept apart`);
        return false;
      },
    );
    return this.#usable;
  }

  /** The live session of `project` whose session file is not `sessionFile`, if its claim names one. */
  async #liveHolder(file: string, project: string, sessionFile: string, myPid: number): Promise<HolderElsewhere | undefined> {
    const claim = await readClaim(file);
    if (claim === undefined || claim.sessionFile === sessionFile || claim.pid === myPid) return undefined;
    if (!isAlive({ pid: claim.pid, startTicks: claim.pidStartTicks })) return undefined;
    // Held only while that session's own file still names it for this project.
    const record = await readSessionFile(claim.sessionFile);
    return record !== undefined && record.pid === claim.pid && record.project === project
      ? { record, sessionFile: claim.sessionFile }
      : undefined;
  }

  /** Who holds `project` from another session file, if a live session does (a read; nothing is claimed). */
  async holderElsewhere(project: string, sessionFile: string): Promise<HolderElsewhere | undefined> {
    return this.#liveHolder(this.#fileOf(project), project, sessionFile, process.pid);
  }

  /**
   * Claims `project` for the session whose file is `sessionFile` and runs `write` (that
   * file's write) under the claim's mutex, so no other dev dir can claim the project in
   * between; or, when a live session of another session file holds it, runs nothing and
   * returns that session. A failed `write` takes the claim back.
   */
  async claim(
    project: string,
    sessionFile: string,
    me: ProcessIdentity,
    write: () => Promise<void>,
  ): Promise<HolderElsewhere | undefined> {
    if (!(await this.#ready())) {
      await write();
      return undefined;
    }
    const file = this.#fileOf(project);
    return withFileMutex(
      file,
      async () => {
        const holder = await this.#liveHolder(file, project, sessionFile, me.pid);
        if (holder !== undefined) return holder;
        const mine: ProjectClaim = { version: 1, pid: me.pid, pidStartTicks: me.startTicks, sessionFile };
        await writeFileAtomic(file, `${JSON.stringify(mine)}\n`);
        try {
          await write();
        } catch (error) {
          await rm(file, { force: true });
          throw error;
        }
        return undefined;
      },
      claimMutex,
    );
  }

  /** Drops the claim on `project` if it is this session's. */
  async release(project: string, sessionFile: string, me: ProcessIdentity): Promise<void> {
    if (this.#usable !== undefined && !(await this.#usable)) return;
    const file = this.#fileOf(project);
    await withFileMutex(
      file,
      async () => {
        const claim = await readClaim(file);
        if (claim?.pid === me.pid && claim.sessionFile === sessionFile) await rm(file, { force: true });
      },
      claimMutex,
    ).catch((error: unknown) => {
      // The claims dir is gone: there is nothing of ours to drop.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  }
}
