// Real processes for the session-file tests: a live pid that is not this one, a pid
// that is gone, and a zombie. Every process started here is killed by `killAll()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { procState, waitFor } from '../fixtures/fake-docker.js';

const started: ChildProcess[] = [];

/** A node process that idles until killed (it gives up by itself after 60 s). */
export async function spawnIdle(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); setTimeout(() => process.exit(0), 60_000);', 'stagecraft-test-idle'], {
    stdio: 'ignore',
  });
  started.push(child);
  await once(child, 'spawn');
  if (child.pid === undefined) throw new Error('the idle process did not start');
  return child as ChildProcess & { pid: number };
}

/** The pid of a process that ran and has ended (and was reaped): nothing runs under it now. */
export async function deadPid(): Promise<number> {
  const child = await spawnIdle();
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  return child.pid;
}

/**
 * A zombie: `sh` starts a long-lived child, then becomes `sleep 30`, which never
 * reaps; once it has, the child is killed. Resolves with the zombie's pid once
 * /proc says it is one.
 */
export async function spawnZombie(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 30 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(parent);
  parent.stdout?.setEncoding('utf8');
  const [line] = (await once(parent.stdout!, 'data')) as [string];
  const pid = Number(line.trim());
  // Only once `sh` has become `sleep` may the child end: `sh` itself would reap it.
  await waitFor(() => readComm(parent.pid ?? 0) === 'sleep', 'the parent to exec sleep');
  process.kill(pid, 'SIGKILL');
  await waitFor(() => procState(pid) === 'Z', `pid ${pid} to become a zombie`);
  return pid;
}

function readComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Kills (SIGKILL) every process this module started that is still running, and waits for each. */
export async function killAll(): Promise<void> {
  const running = started.splice(0).filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.all(
    running.map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}
