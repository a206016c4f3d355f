// Compose stacks for the benchmarks: temp dirs with `.stagecraft/dev/compose.yaml`, unique
// project names, and a cleanup that removes every container, network and volume made.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The local image every service runs; nothing is pulled (`pull_policy: never`). */
export const image = process.env.BENCH_IMAGE ?? 'local/busybox:latest';
/** Where the compose file is, relative to a stack dir: the default dev dir, as `stagecraft dev` reads it. */
export const composeFile = '.stagecraft/dev/compose.yaml';

const projects = new Set();
const dirs = new Set();
let counter = 0;

/** A compose project name no other run uses: `scbench-<pid>-<label>-<n>`. */
export function projectName(label) {
  const name = `scbench-${process.pid}-${label}-${++counter}`;
  projects.add(name);
  return name;
}

/** A service running `command` (exec form) on the bench image; `init` so it stops at once on SIGTERM. */
export function service(command) {
  return { image, pull_policy: 'never', init: true, command };
}

/** A temp dir holding a compose file with these services (top-level `name: scbench`); removed by cleanup(). */
export function stackDir(services) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-bench-'));
  dirs.add(dir);
  mkdirSync(path.join(dir, path.dirname(composeFile)), { recursive: true });
  // JSON is YAML: no YAML library needed here.
  writeFileSync(path.join(dir, composeFile), `${JSON.stringify({ name: 'scbench', services }, null, 2)}\n`);
  return dir;
}

/** `docker compose -p <project> -f <composeFile> <args>` in `dir`; throws when it fails. */
export function compose(dir, project, args, { timeoutMs = 120_000 } = {}) {
  const result = spawnSync('docker', ['compose', '-p', project, '-f', composeFile, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (result.status !== 0) throw new Error(`docker compose ${args.join(' ')} (${project}) failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** Removes a project's containers, networks and volumes (fast: no stop grace). */
export function removeProject(project) {
  spawnSync('docker', ['compose', '-p', project, 'down', '--volumes', '--remove-orphans', '--timeout', '0'], {
    stdio: 'ignore',
    timeout: 120_000,
  });
}

/** Removes every project and dir this run made; safe to call more than once. */
export function cleanup() {
  for (const project of projects) removeProject(project);
  projects.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

/** What is left of this run's projects: container and network names (should be none). */
export function leftovers() {
  const prefix = `scbench-${process.pid}-`;
  const list = (...args) =>
    spawnSync('docker', args, { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((name) => name.startsWith(prefix));
  return [
    ...list('container', 'ls', '--all', '--format', '{{.Names}}'),
    ...list('network', 'ls', '--format', '{{.Name}}'),
    ...list('volume', 'ls', '--format', '{{.Name}}'),
  ];
}

/** True when a Docker engine with compose answers, and the bench image is there. */
export function checkEngine() {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  if (info.status !== 0) return 'no Docker engine answers `docker info` (scripts/provision-docker.sh up starts one)';
  const img = spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
  if (img.status !== 0) return `the image ${image} is not there (scripts/provision-docker.sh builds it; BENCH_IMAGE names another)`;
  return undefined;
}
