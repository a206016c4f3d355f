// Child processes for the benchmarks: timed runs, /proc readings, waiting.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Runs a command to its end with stdout and stderr piped; resolves with its wall time in ms. */
export function timed(file, args, { cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    const started = now();
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ ms: now() - started, code, signal, stdout, stderr }));
  });
}

/** The same, synchronously: no event loop in the timed part (for start-up times of a few ms). */
export function timedSync(file, args, { cwd, env } = {}) {
  const started = now();
  const result = spawnSync(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = now() - started;
  if (result.error) throw result.error;
  return { ms, code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** VmRSS and VmHWM (peak) of a live process, in kB; undefined once it is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a live process so far, in ms. */
export function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** Resolves once `check()` is truthy (with its value); rejects after `timeoutMs`. */
export async function waitFor(check, what, timeoutMs, intervalMs = 50) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves with [code, signal] when `child` exits (at once if it already has). */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve([child.exitCode, child.signalCode]);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
}

/** Signals a process group that may already be gone. */
export function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}
