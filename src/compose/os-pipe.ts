// Node hands a child's stdio 'pipe' over as a socketpair (libuv's uv_spawn always makes
// one), and `logs --follow` writes one line per write(): through a socket, each write is
// a buffer of its own, and on 2 cores the followed logs lost a third of their throughput
// to it (bench/RESULTS.md). A FIFO is a real pipe; node has no mkfifo, so the POSIX
// utility makes one, which is opened at both ends and unlinked at once.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Both ends of a pipe, owned by the caller: give `writeFd` to the child, then close it here. */
export interface OsPipe {
  readonly readFd: number;
  readonly writeFd: number;
}

/**
 * A new pipe, or undefined when none could be made (no `mkfifo` on PATH, a read-only
 * temp dir): the caller then uses an ordinary stdio pipe. The FIFO is gone from the
 * file system when this returns. The read end is non-blocking, the write end blocking.
 */
export function openOsPipe(env: NodeJS.ProcessEnv): OsPipe | undefined {
  const file = path.join(tmpdir(), `stagecraft-${process.pid}-${Math.random().toString(36).slice(2)}.fifo`);
  // mkfifo never follows or reuses an existing path: it fails instead.
  if (spawnSync('mkfifo', ['-m', '600', file], { stdio: 'ignore', env }).status !== 0) return undefined;
  let readFd: number | undefined;
  try {
    readFd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    // Does not block: the pipe has a reader now.
    const writeFd = openSync(file, constants.O_WRONLY | constants.O_NOFOLLOW);
    return { readFd, writeFd };
  } catch {
    if (readFd !== undefined) closeSync(readFd);
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
}
