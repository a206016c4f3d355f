// A second, private Docker engine for fault tests (issue 14 item 8): frozen with SIGSTOP, killed
// with SIGKILL, restarted, without touching the engine every other test uses.
//
// It has its own socket, data root, exec root (its own containerd), pid file and bridge. Never
// `--bridge=none`: a dockerd started with it deletes the host's docker0, and the main engine's
// builds then fail. It runs in a session of its own (setsid), so the signals a test sends to a
// CLI's process group, or to its own, cannot reach it; it is stopped by its pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busybox, waitUntil } from './e2e-harness.js';

const dockerd = '/usr/sbin/dockerd';

/** A private engine; `env` points the CLI (and `docker`) at it. */
export interface SecondEngine {
  /** `{ DOCKER_HOST: 'unix://…' }`. */
  readonly env: NodeJS.ProcessEnv;
  /** Its dockerd's log, for a failing test's message. */
  readonly logFile: string;
  /** SIGSTOP: the socket still accepts connections, nothing answers. */
  freeze(): void;
  /** SIGCONT (harmless when not frozen). */
  thaw(): void;
  /** SIGKILL, and resolves once dockerd has exited. */
  kill(): Promise<void>;
  /** After `kill` (or a crash): starts dockerd again on the same roots, and resolves once it answers. */
  ensureRunning(): Promise<void>;
  /** Stops dockerd by its pid (SIGTERM, then SIGKILL), deletes the bridge and the directories. */
  stop(): Promise<void>;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function must(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const result = run(command, args, env);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** A /24 in 10.213.0.0/16 that no interface of this host has (two test runs side by side pick two). */
function freeSubnet(): string {
  const used = must('ip', ['-4', '-o', 'addr', 'show']);
  for (let i = 0; i < 256; i++) {
    const third = (process.pid + i) % 256;
    if (!used.includes(` 10.213.${third}.`)) return `10.213.${third}`;
  }
  throw new Error('no free /24 in 10.213.0.0/16 for the second engine');
}

/** The main engine's `docker0` as `ip` shows it: its IPv4 address with prefix, or undefined without one. */
function docker0Address(): string | undefined {
  const shown = run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'docker0']);
  return shown.status === 0 ? / inet (\S+)/.exec(shown.stdout)?.[1] : undefined;
}

/**
 * Puts the main engine's `docker0` back as it was if it has gone. Why it goes: a dockerd that
 * starts on a data root whose store still has its default `bridge` network (a restart after
 * SIGKILL: no clean shutdown removed it) deletes that network and then, when
 * `--default-address-pool` is set and live-restore is off, deletes the link named `docker0`
 * (moby daemon/daemon_unix.go, configureNetworking: "Clear stale bridge network" →
 * removeDefaultBridgeInterface(), which names docker0 whatever `--bridge` says). The pool keeps
 * this engine's networks off the main engine's subnets and the kill is the point of the tests,
 * so the link is put back instead: the main engine finds its bridge by name again, and
 * without it cannot run a build step or a container on its default network.
 */
function keepDocker0(address: string | undefined): void {
  if (address === undefined || docker0Address() !== undefined) return;
  process.stderr.write(`second-engine: the main engine's docker0 (${address}) vanished; putting it back\n`);
  run('ip', ['link', 'add', 'docker0', 'type', 'bridge']);
  run('ip', ['addr', 'add', address, 'dev', 'docker0']);
  run('ip', ['link', 'set', 'docker0', 'up']);
}

/** Mount points under `dir` (netns and overlay mounts a killed dockerd may leave), deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Starts a second dockerd beside the main one, loads the local busybox image into it, and
 * resolves once it answers. The caller stops it with `stop()` (in afterAll).
 */
export async function startSecondEngine(): Promise<SecondEngine> {
  const mainBridge = docker0Address();
  const base = mkdtempSync(path.join(os.tmpdir(), 'sc-engine-'));
  const socket = path.join(base, 'docker.sock');
  const logFile = path.join(base, 'dockerd.log');
  const env = { DOCKER_HOST: `unix://${socket}` };
  // Interface names are at most 15 characters.
  const bridge = `scf${process.pid % 1_000_000}`;
  const subnet = freeSubnet();
  must('ip', ['link', 'add', bridge, 'type', 'bridge']);
  must('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
  must('ip', ['link', 'set', bridge, 'up']);
  const args = [
    '-H', `unix://${socket}`,
    '--data-root', path.join(base, 'data'),
    '--exec-root', path.join(base, 'exec'),
    '--pidfile', path.join(base, 'dockerd.pid'),
    '--bridge', bridge,
    '--iptables=false',
    // Its compose networks come from a range the main engine never uses.
    '--default-address-pool', `base=10.214.0.0/16,size=24`,
    '--log-level=warn',
  ];
  let daemon: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const answers = (): boolean => run('docker', ['info', '--format', '{{.ServerVersion}}'], env).status === 0;
  const launch = async (): Promise<void> => {
    const log = openSync(logFile, 'a');
    // detached: setsid() in the child, a session and process group of its own.
    const child = spawn(dockerd, args, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    daemon = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    await waitUntil(`the second engine answering on ${socket} (log: ${logFile})`, () => {
      if (gone) throw new Error(`the second dockerd exited at start:\n${readFileSync(logFile, 'utf8')}`);
      return answers();
    }, 60_000);
  };
  const signal = (name: NodeJS.Signals): void => {
    if (daemon?.pid !== undefined && daemon.exitCode === null && daemon.signalCode === null) process.kill(daemon.pid, name);
  };
  const waitExited = async (timeoutMs: number): Promise<boolean> =>
    Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref())]);

  await launch();
  // The image every e2e stack uses; nothing can be pulled.
  const save = spawn('docker', ['save', busybox], { stdio: ['ignore', 'pipe', 'inherit'] });
  const load = spawn('docker', ['load', '--quiet'], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'inherit'] });
  save.stdout.pipe(load.stdin);
  const loaded = await new Promise<number | null>((resolve) => load.once('close', resolve));
  if (loaded !== 0) throw new Error(`loading ${busybox} into the second engine failed (${loaded})`);

  return {
    env,
    logFile,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async kill() {
      signal('SIGKILL');
      await exited;
    },
    async ensureRunning() {
      if (daemon?.exitCode !== null || daemon.signalCode !== null) await launch();
      keepDocker0(mainBridge);
    },
    async stop() {
      signal('SIGCONT');
      // Networks outlive a stopped dockerd as bridges of the host: none of the tests' may stay.
      run('docker', ['network', 'prune', '--force'], env);
      signal('SIGTERM');
      if (!(await waitExited(40_000))) {
        signal('SIGKILL');
        await exited;
      }
      run('ip', ['link', 'delete', bridge]);
      for (const mountPoint of mountsUnder(base)) run('umount', ['-l', mountPoint]);
      keepDocker0(mainBridge);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
