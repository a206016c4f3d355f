// Child processes for the benchmarks: timed runs, /proc readings, waiting.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

/** Every live process below `pid` (children, grandchildren, …), from /proc's parent links. */
export function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const found = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

/** The command line of a live process, as one string ('' once it is gone). */
export function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * Samples the memory of `pid` and of all its descendants every `intervalMs` until `stop()`:
 * the process's own peak (VmHWM), the peak of the descendants' RSS summed at one moment, and
 * the same since `mark()`, the sum of each descendant's own peak (VmHWM; an upper bound), with the
 * descendants seen (pid → command line).
 */
export function sampleTreeMemory(pid, intervalMs = 100) {
  const seen = new Map();
  const hwmOf = new Map();
  let childrenPeak = 0;
  let childrenPeakSinceMark;
  let ownHwm = 0;
  let samples = 0;
  const sample = () => {
    const own = memoryOf(pid);
    if (own !== undefined && Number.isFinite(own.hwm)) ownHwm = Math.max(ownHwm, own.hwm);
    let sum = 0;
    for (const child of descendants(pid)) {
      const memory = memoryOf(child);
      if (memory === undefined || !Number.isFinite(memory.rss)) continue; // gone, or a zombie (no memory lines)
      if (!seen.has(child)) seen.set(child, commandOf(child));
      hwmOf.set(child, Math.max(hwmOf.get(child) ?? 0, memory.hwm));
      sum += memory.rss;
    }
    childrenPeak = Math.max(childrenPeak, sum);
    if (childrenPeakSinceMark !== undefined) childrenPeakSinceMark = Math.max(childrenPeakSinceMark, sum);
    samples += 1;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    sample,
    /** From now on also keep the children's peak apart (`childrenPeakSinceMark`): e.g. once the lines flow. */
    mark() {
      childrenPeakSinceMark = 0;
      sample();
    },
    stop() {
      sample();
      clearInterval(timer);
      const childrenHwmSum = [...hwmOf.values()].reduce((a, b) => a + b, 0);
      return { ownHwm, childrenPeak, childrenPeakSinceMark, childrenHwmSum, children: [...seen].map(([p, command]) => ({ pid: p, command, hwm: hwmOf.get(p) })), samples };
    },
  };
}
