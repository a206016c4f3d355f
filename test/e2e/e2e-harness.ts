// Drives the built CLI against the real Docker engine, one compose project per scenario,
// and proves afterwards that nothing of the project is left.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
/** The built CLI. */
export const cliPath = path.join(root, 'dist/src/cli.js');

/** The local image the provisioning script builds; nothing is pulled. */
export const busybox = 'local/busybox:latest';

/** A busybox service (never pulled, with an init) running `script`; `extra` adds compose keys. */
export function oneShot(name: string, script: string, extra = ''): string {
  return `  ${name}:
    image: ${busybox}
    pull_policy: never
    init: true
    command: ["sh", "-c", ${JSON.stringify(script)}]
${extra}`;
}

/** A compose.yaml with these services. */
export const stack = (...services: string[]): string => `services:\n${services.join('')}`;

/** True when a Docker engine with compose answers; probed once. */
export function engineAvailable(): boolean {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  const compose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 20_000 });
  return info.status === 0 && compose.status === 0;
}

/**
 * `describe` for suites that need the engine. Without one, the suite is skipped
 * with a visible notice; with STAGECRAFT_E2E=1 (CI) it runs, and fails at once
 * saying that no engine answers.
 */
/** How long one e2e scenario (or hook) may take. */
const e2eTimeoutMs = 180_000;

export function describeE2e(name: string, suite: () => void): void {
  const required = process.env['STAGECRAFT_E2E'] === '1';
  const available = engineAvailable();
  if (!available && !required) {
    process.stderr.write(
      `\n*** e2e tests skipped (${name}): no Docker engine answers \`docker info\`. Run scripts/provision-docker.sh up, or set STAGECRAFT_E2E=1 to make this a failure. ***\n\n`,
    );
  }
  // `testTimeout` in a project's config is ignored (jest reads it from the global config
  // only), so each e2e file sets its own: one scenario can take tens of seconds on 2 cores.
  (import.meta as unknown as { jest: { setTimeout(ms: number): void } }).jest.setTimeout(e2eTimeoutMs);
  const describeOrSkip = available || required ? describe : describe.skip;
  describeOrSkip(name, () => {
    beforeAll(() => {
      if (!available) throw new Error('STAGECRAFT_E2E=1 but no Docker engine answers `docker info`; run scripts/provision-docker.sh up');
    });
    suite();
  });
}

/** A unique compose project name for one scenario. */
export function projectName(scenario: string): string {
  return `sce2e-${scenario}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
}

/** A temp working dir with `.stagecraft/dev/compose.yaml` holding `composeYaml`. */
export function stackDir(composeYaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-e2e-'));
  mkdirSync(path.join(dir, '.stagecraft/dev'), { recursive: true });
  writeFileSync(path.join(dir, '.stagecraft/dev/compose.yaml'), composeYaml);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CliRun {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (128+n if the CLI itself died of signal n). */
  readonly exited: Promise<number>;
}

/** Spawns `stagecraft dev …args` in `cwd`, in its own process group, as a terminal would. */
export function startCli(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(process.execPath, [cliPath, 'dev', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : os.constants.signals[signal])));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs the CLI to completion. */
export async function runCli(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const run = startCli(cwd, args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Ctrl+C (or another signal) to the CLI's whole process group, as a terminal sends it. */
export function signalGroup(run: CliRun, signal: NodeJS.Signals): void {
  process.kill(-(run.child.pid as number), signal);
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `env` (say, DOCKER_HOST of a second engine) is added to this process's environment. */
function docker(args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** Lines of `docker ps -a` for the project's containers: `service state`. */
export function containers(project: string, env: NodeJS.ProcessEnv = {}): string[] {
  const out = docker([
    'ps', '-a', '--filter', `label=com.docker.compose.project=${project}`,
    '--format', '{{.Label "com.docker.compose.service"}} {{.State}}',
  ], env);
  return out === '' ? [] : out.split('\n').sort();
}

export function networks(project: string, env: NodeJS.ProcessEnv = {}): string[] {
  const out = docker(['network', 'ls', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Name}}'], env);
  return out === '' ? [] : out.split('\n');
}

export function volumes(project: string): string[] {
  const out = docker(['volume', 'ls', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Name}}']);
  return out === '' ? [] : out.split('\n');
}

/** Health of the project's container for `service` (`healthy`, `unhealthy`, `starting`). */
export function health(project: string, service: string): string {
  const id = docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]);
  return docker(['inspect', '--format', '{{.State.Health.Status}}', id]);
}

/** Processes whose command line mentions the project (compose children, the CLI). */
export function processesOf(project: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(project)) found.push(`${entry}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Nothing of the project is left: containers, networks, processes. `env` names another engine. */
export function leftovers(project: string, env: NodeJS.ProcessEnv = {}) {
  return { containers: containers(project, env), networks: networks(project, env), processes: processesOf(project) };
}

export const nothingLeft = { containers: [], networks: [], processes: [] };

/** Last-resort cleanup so a failing scenario does not leak into the next. */
export function forceRemove(project: string, options: { volumes?: boolean; env?: NodeJS.ProcessEnv } = {}): void {
  spawnSync('docker', ['compose', '-p', project, 'down', '--remove-orphans', '--timeout', '0', ...(options.volumes ? ['--volumes'] : [])], {
    timeout: 60_000,
    env: { ...process.env, ...options.env },
  });
}

/** The anonymous volumes (engine-named: 64 hex digits) mounted by the project's containers. */
export function anonymousVolumes(project: string): string[] {
  const ids = docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]);
  if (ids === '') return [];
  const mounts = docker(['inspect', '--format', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', ...ids.split('\n')]);
  return [...new Set(mounts.split(/\s+/).filter((name) => /^[0-9a-f]{64}$/.test(name)))].sort();
}

/** Which of `names` the engine still has as volumes. */
export function existingVolumes(names: readonly string[]): string[] {
  const all = new Set(docker(['volume', 'ls', '--format', '{{.Name}}']).split('\n'));
  return names.filter((name) => all.has(name));
}

/** One test's project: a fresh name before each test, and after it everything of it removed. */
export interface TestProject {
  /** The compose project name of the running test. */
  readonly name: string;
  /** `--project-name <name>`. */
  readonly flag: readonly string[];
  /** A temp dir with `composeYaml` as its dev files, removed after the test. */
  dir(composeYaml: string): string;
}

/**
 * Registers the hooks of one project per test (call inside a describe): the shared setup of the
 * e2e files. Unnamed, a test's project is named after the last word of the test's name (its tag).
 */
export function useProject(scenario?: string, options: { readonly volumes?: boolean } = {}): TestProject {
  let name = '';
  const dirs: string[] = [];
  beforeEach(() => {
    name = projectName(scenario ?? expect.getState().currentTestName?.split(' ').at(-1) ?? 'x');
  });
  afterEach(() => {
    forceRemove(name, options);
    for (const dir of dirs.splice(0)) removeDir(dir);
  });
  return {
    get name() {
      return name;
    },
    get flag() {
      return ['--project-name', name];
    },
    dir(composeYaml) {
      const dir = stackDir(composeYaml);
      dirs.push(dir);
      return dir;
    },
  };
}

/** The project's container for `service`: its id and when it was last started. */
export function containerOf(project: string, service: string): { readonly id: string; readonly startedAt: string } {
  const id = docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]);
  return { id, startedAt: docker(['inspect', '--format', '{{.State.StartedAt}}', id]) };
}
