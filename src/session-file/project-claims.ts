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

/** `$XDG_RUNTIME_DIR/stagecraft/projects`, else `~/.local/state/stagecraft/projects`. */
export function projectClaimsDir(env: NodeJS.ProcessEnv): string {
  const runtime = env['XDG_RUNTIME_DIR'];
  if (runtime !== undefined && path.isAbsolute(runtime)) return path.join(runtime, 'stagecraft', 'projects');
  const home = env['HOME'] !== undefined && path.isAbsolute(env['HOME']) ? env['HOME'] : os.homedir();
  return path.join(home, '.local', 'state', 'stagecraft', 'projects');
}

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

  constructor(dir: string) {
    this.#dir = dir;
  }

  #fileOf(project: string): string {
    return path.join(this.#dir, `${project}.json`);
  }

  /**
   * Claims `project` for the session whose file is `sessionFile`, unless a live session
   * of another session file holds it: then that session, as its own file describes it.
   */
  async claim(project: string, sessionFile: string, me: ProcessIdentity): Promise<HolderElsewhere | undefined> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const file = this.#fileOf(project);
    return withFileMutex(file, async () => {
      const claim = await readClaim(file);
      if (claim !== undefined && claim.sessionFile !== sessionFile && claim.pid !== me.pid) {
        const record = isAlive({ pid: claim.pid, startTicks: claim.pidStartTicks })
          ? await readSessionFile(claim.sessionFile)
          : undefined;
        // Held only while that session's own file still names it for this project.
        if (record !== undefined && record.pid === claim.pid && record.project === project) {
          return { record, sessionFile: claim.sessionFile };
        }
      }
      const mine: ProjectClaim = { version: 1, pid: me.pid, pidStartTicks: me.startTicks, sessionFile };
      await writeFileAtomic(file, `${JSON.stringify(mine)}\n`);
      return undefined;
    });
  }

  /** Drops the claim on `project` if it is this session's. */
  async release(project: string, sessionFile: string, me: ProcessIdentity): Promise<void> {
    const file = this.#fileOf(project);
    await withFileMutex(file, async () => {
      const claim = await readClaim(file);
      if (claim?.pid === me.pid && claim.sessionFile === sessionFile) await rm(file, { force: true });
    }).catch((error: unknown) => {
      // The claims dir is gone (or unwritable): there is nothing of ours to drop.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  }
}
