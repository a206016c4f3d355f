// A log follower (`docker compose logs --follow`, or `stagecraft dev`) whose stdout is a
// real pipe into the counting consumer (count-lines.mjs), as in a shell's `a | b`. Not
// node's stdio 'pipe': that is a socketpair, which costs a follower writing one line per
// write() about a third of its throughput, and would slow the baseline.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const counter = path.join(import.meta.dirname, 'count-lines.mjs');

/** Both ends of a new pipe (a FIFO, unlinked at once). */
function osPipe() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-bench-fifo-'));
  try {
    const fifo = path.join(dir, 'pipe');
    if (spawnSync('mkfifo', ['-m', '600', fifo]).status !== 0) throw new Error('mkfifo failed');
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(fifo, constants.O_WRONLY);
    return { readFd, writeFd };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts `file args` (in its own process group) writing into the consumer.
 * `expect`: the line count after which the consumer reports (`done` resolves with its
 * report). `progressMs`: the consumer also reports its count that often (`progress`).
 */
export function startLogPipeline({ file, args, cwd, env, expect, progressMs = 0 }) {
  const pipe = osPipe();
  const consumer = spawn(process.execPath, [counter, '--expect', String(expect), '--progress-ms', String(progressMs)], {
    stdio: [pipe.readFd, 'pipe', 'inherit'],
  });
  const follower = spawn(file, args, { cwd, env, stdio: ['ignore', pipe.writeFd, 'pipe'], detached: true });
  closeSync(pipe.readFd);
  closeSync(pipe.writeFd);
  let stderr = '';
  follower.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  const progress = [];
  let pending = '';
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  consumer.stdout.setEncoding('utf8').on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const report = JSON.parse(line);
      if (report.type === 'progress') progress.push(report);
      else resolveDone(report);
    }
  });
  consumer.on('exit', () => resolveDone(undefined));
  return { follower, consumer, done, progress, stderr: () => stderr };
}
