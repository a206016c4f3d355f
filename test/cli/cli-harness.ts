// The L3 rig: spawns the built CLI (`node dist/src/cli.js dev …`) as a real process in
// a temp copy of a fixture stack, with the fake docker first on PATH and the real one
// unreachable. Uses child_process directly, so it does not depend on the code under test.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fakeBinDir,
  fakeMarkers,
  isAlive,
  killIfOurs,
  readFakeLog,
  recordedCalls,
  recordedPids,
  stacksDir,
  waitFor,
  type FakeLogEntry,
  type FakeScenario,
} from '../fixtures/fake-docker.js';

/** The built CLI: the tests run what users run (`npm run build` first). */
export const cliPath = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
if (!existsSync(cliPath)) throw new Error(`${cliPath} not found; run \`npm run build\` before the CLI tests`);

/** The compose file path every plan uses (SPEC §3: relative to the working directory). */
export const composeFile = '.stagecraft/dev/compose.yaml';

/** How to start one CLI process. */
export interface SpawnOptions {
  readonly scenario?: FakeScenario;
  /** Added to the child's environment (which otherwise holds only what the rig sets). */
  readonly env?: Readonly<Record<string, string>>;
  /** `fake`: the fake docker, then node. `node-only`: no docker anywhere on PATH. */
  readonly path?: 'fake' | 'node-only';
}

/** How a CLI process ended: its exit code and everything it wrote. */
export interface CliExit {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One spawned CLI process, in its own process group. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout as the chunks the pipe delivered, in order. */
  readonly stdoutChunks: string[] = [];
  #stderr = '';
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #exited: Promise<void>;

  constructor(child: ChildProcess) {
    if (child.pid === undefined) throw new Error('the CLI did not start');
    this.child = child;
    this.pid = child.pid;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.stdoutChunks.push(chunk));
    child.stderr?.on('data', (chunk: string) => (this.#stderr += chunk));
    // `close`, not `exit`: by then both pipes are drained.
    this.#exited = new Promise((resolve) =>
      child.on('close', (code, signal) => {
        this.#exit = { code, signal };
        resolve();
      }),
    );
  }

  get stdout(): string {
    return this.stdoutChunks.join('');
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The CLI's pipes are closed and it has exited. */
  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  /** The process is still running (it may not have been reaped yet once this is false). */
  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` to the CLI's whole process group, as a terminal's Ctrl+C does. */
  signal(signal: NodeJS.Signals): void {
    process.kill(-this.pid, signal);
  }

  /** Waits for the CLI to exit and returns its exit code; fails if it hangs or dies by a signal. */
  async exit(timeoutMs = 10_000): Promise<CliExit> {
    const { code, signal } = await this.ended(timeoutMs);
    if (code === null) throw new Error(`the CLI was killed by ${signal ?? '?'}\nstderr:\n${this.stderr}`);
    return { code, stdout: this.stdout, stderr: this.stderr };
  }

  /** Waits for the CLI to end, however it ends (killed by a signal too); fails if it hangs. */
  async ended(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([this.#exited.then(() => 'exited' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw new Error(`the CLI did not exit within ${timeoutMs} ms\nstderr so far:\n${this.stderr}`);
    }
    return this.#exit ?? { code: null, signal: null };
  }
}

/**
 * A temp project dir (a copy of one fixture stack under `.stagecraft/dev/`), the
 * fake docker's log, and every CLI spawned in it. `dispose()` kills what is left.
 */
export class CliRig {
  readonly root: string;
  /** The CLI's working directory. */
  readonly cwd: string;
  readonly logFile: string;
  readonly #nodeBinDir: string;
  readonly #processes: CliProcess[] = [];

  /** `stack`: a folder of test/fixtures/stacks, or `undefined` for an empty dev dir. */
  constructor(stack: string | undefined) {
    this.root = mkdtempSync(path.join(tmpdir(), 'stagecraft-cli-'));
    this.cwd = path.join(this.root, 'project');
    this.logFile = path.join(this.root, 'docker-calls.jsonl');
    mkdirSync(path.join(this.cwd, '.stagecraft', 'dev'), { recursive: true });
    if (stack !== undefined) copyFileSync(path.join(stacksDir, stack, 'compose.yaml'), path.join(this.cwd, composeFile));
    // Each rig is its own engine: the session lock is keyed by the engine endpoint and the
    // project (SPEC §6), machine-wide, so rigs running side by side (jest workers) must not
    // share one. The CLIs of one rig share it (same HOME, so the same docker context).
    mkdirSync(path.join(this.root, '.docker'));
    writeFileSync(path.join(this.root, '.docker', 'config.json'), JSON.stringify({ currentContext: `fake-${path.basename(this.root)}` }));
    // A folder with only `node` in it: node's own folder may hold a real docker.
    this.#nodeBinDir = path.join(this.root, 'node-bin');
    mkdirSync(this.#nodeBinDir);
    symlinkSync(process.execPath, path.join(this.#nodeBinDir, 'node'));
  }

  /** Replaces the dev dir's compose.yaml. */
  writeComposeFile(text: string): void {
    writeFileSync(path.join(this.cwd, composeFile), text);
  }

  /** Starts `node dist/src/cli.js dev <args>`; stdin ignored, own process group. */
  spawn(args: readonly string[], options: SpawnOptions = {}): CliProcess {
    const PATH = options.path === 'node-only' ? this.#nodeBinDir : `${fakeBinDir}${path.delimiter}${this.#nodeBinDir}`;
    const env: Record<string, string> = {
      PATH,
      NO_COLOR: '1',
      HOME: this.root,
      FAKE_DOCKER_LOG: this.logFile,
      FAKE_DOCKER_SCENARIO: JSON.stringify(options.scenario ?? {}),
      ...options.env,
    };
    const child = spawn(process.execPath, [cliPath, 'dev', ...args], {
      cwd: this.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const cli = new CliProcess(child);
    this.#processes.push(cli);
    return cli;
  }

  /** Spawns the CLI and waits for it to exit. */
  async run(args: readonly string[], options: SpawnOptions = {}, timeoutMs?: number): Promise<CliExit> {
    return this.spawn(args, options).exit(timeoutMs);
  }

  /** The argv of every docker call so far (the program name excluded). */
  calls(): string[][] {
    return recordedCalls(this.logFile);
  }

  /**
   * Logs a `printed` marker as a fake would: a fake told `afterPrinted` (waiting for one) goes
   * on. Lets a test hold a fake until something it saw has happened.
   */
  markPrinted(): void {
    appendFileSync(this.logFile, `${JSON.stringify({ printed: true, pid: process.pid })}\n`);
  }

  /** The fake docker's whole log: calls and markers. */
  log(): FakeLogEntry[] {
    return readFakeLog(this.logFile);
  }

  /** Waits until a docker call matching `argv` exactly has been recorded (the fake is then running). */
  async waitForCall(cli: CliProcess, argv: readonly string[], timeoutMs = 5000): Promise<void> {
    const wanted = JSON.stringify(argv);
    await this.#waitWhileRunning(cli, () => this.calls().some((c) => JSON.stringify(c) === wanted), `docker ${argv.join(' ')}`, timeoutMs);
  }

  /** Waits until the fake that ran `argv` (its first such call) has exited by itself or been ended. */
  async waitForCallEnded(cli: CliProcess, argv: readonly string[], timeoutMs = 5000): Promise<void> {
    await this.waitForCall(cli, argv, timeoutMs);
    const wanted = JSON.stringify(argv);
    const pid = this.log().find((e) => JSON.stringify(e.argv) === wanted)?.pid ?? -1;
    await this.#waitWhileRunning(cli, () => !isAlive(pid), `docker ${argv.join(' ')} to end`, timeoutMs);
  }

  /** The pid of the fake that ran `argv` (its first such call); fails when there was none. */
  pidOf(argv: readonly string[]): number {
    const wanted = JSON.stringify(argv);
    const pid = this.log().find((e) => JSON.stringify(e.argv) === wanted)?.pid;
    if (pid === undefined) throw new Error(`no docker ${argv.join(' ')} in the log`);
    return pid;
  }

  /** Waits until the CLI's stderr (or stdout) contains `text`. */
  async waitForOutput(cli: CliProcess, stream: 'stdout' | 'stderr', text: string, timeoutMs = 5000): Promise<void> {
    await this.#waitWhileRunning(cli, () => cli[stream].includes(text), `${JSON.stringify(text)} on ${stream}`, timeoutMs);
  }

  async #waitWhileRunning(cli: CliProcess, condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
    await waitFor(
      () => {
        if (condition()) return true;
        if (cli.hasExited) throw new Error(`the CLI exited before ${what}\n${this.#describe(cli)}`);
        return false;
      },
      what,
      timeoutMs,
      () => this.#describe(cli),
    );
  }

  #describe(cli: CliProcess): string {
    return `docker calls so far:\n${this.calls().map((c) => `  ${JSON.stringify(c)}`).join('\n')}\nCLI stderr:\n${cli.stderr}`;
  }

  /**
   * Kills whatever is left (CLI process groups, fakes, grandchildren), removes the
   * temp dir, and throws if anything was still running: a session must leave nothing.
   */
  async dispose(): Promise<void> {
    // A process that just got SIGKILL (the CLI's exit hook) may take a moment to go.
    const allEnded = (): boolean =>
      this.#processes.every((cli) => !cli.isRunning) && recordedPids(this.logFile).every((pid) => !isAlive(pid));
    await waitFor(allEnded, 'every process to end', 2000).catch(() => undefined);
    const leftovers: string[] = [];
    for (const cli of this.#processes) {
      if (cli.isRunning) {
        leftovers.push(`the CLI (pid ${cli.pid})`);
        try {
          process.kill(-cli.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const pid of recordedPids(this.logFile)) {
      if (fakeMarkers.some((marker) => killIfOurs(pid, marker))) leftovers.push(`a fake docker process (pid ${pid})`);
    }
    rmSync(this.root, { recursive: true, force: true });
    if (leftovers.length > 0) throw new Error(`left running after the test: ${leftovers.join(', ')}`);
  }
}

/**
 * Registers an `afterEach` that disposes every rig made through the returned
 * function, so a failing test cannot leak processes or temp dirs.
 */
export function useCliRigs(): (stack?: string) => CliRig {
  let rigs: CliRig[] = [];
  afterEach(async () => {
    const current = rigs;
    rigs = [];
    const results = await Promise.allSettled(current.map((rig) => rig.dispose()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  });
  return (stack) => {
    const rig = new CliRig(stack);
    rigs.push(rig);
    return rig;
  };
}
