// L4, SPEC §5 on a real engine: a start you can watch (a two-step build and a slow
// healthcheck, their progress lines in order) and a taken port named with its holder (a
// process of this host, another project's container, a stagecraft session's container).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import {
  busybox,
  describeE2e,
  forceRemove,
  leftovers,
  nothingLeft,
  projectName,
  removeDir,
  runCli,
  stack,
  stackDir,
} from './e2e-harness.js';

/** A long-running busybox service publishing `port` on 127.0.0.1. */
function publishing(name: string, port: number): string {
  return `  ${name}:
    image: ${busybox}
    pull_policy: never
    init: true
    command: ["sh", "-c", "while true; do sleep 1; done"]
    ports: ["127.0.0.1:${port}:80"]
`;
}

/** A free port of 127.0.0.1 right now (the kernel's pick, released at once). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The progress lines of stderr, their times dropped: `api: building step 2/3 RUN …`. */
function progressOf(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => /^stagecraft dev: \+\d+\.\ds (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}

describeE2e('a start you can watch, and a taken port named (SPEC §5)', () => {
  let project: string;
  let others: string[] = [];
  let dirs: string[] = [];
  let images: string[] = [];
  let server: Server | undefined;

  beforeEach(() => {
    project = projectName(expect.getState().currentTestName?.split(' ').at(-1) ?? 'x');
  });

  afterEach(async () => {
    for (const name of [project, ...others]) forceRemove(name, { volumes: true });
    for (const image of images) spawnSync('docker', ['image', 'rm', '--force', image], { timeout: 60_000 });
    for (const dir of dirs) removeDir(dir);
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    others = [];
    dirs = [];
    images = [];
    server = undefined;
  });

  test('a two-step build and a slow healthcheck show their progress in order, off a terminal — watch', async () => {
    const image = `${project}-api:e2e`;
    images.push(image);
    const dir = stackDir(
      stack(
        `  api:
    build: .
    image: ${image}
    pull_policy: build
    init: true
    command: ["sh", "-c", "while true; do sleep 1; done"]
`,
        `  db:
    image: ${busybox}
    pull_policy: never
    init: true
    command: ["sh", "-c", "sleep 3; touch /tmp/ready; while true; do sleep 1; done"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 30
`,
      ),
    );
    dirs.push(dir);
    // The project name in a step: no other test's cache answers it.
    writeFileSync(
      path.join(dir, '.stagecraft/dev/Dockerfile'),
      `FROM ${busybox}\nRUN echo ${project} > /built-by\nRUN echo compiled >> /built-by\n`,
    );
    const up = await runCli(dir, ['--detach', '--wait', '-p', project]);
    expect(up.code).toBe(0);
    const progress = progressOf(up.stderr);
    const wanted = [
      `api: building step 1/3 FROM docker.io/${busybox}`,
      `api: building step 2/3 RUN echo ${project} > /built-by`,
      'api: building step 3/3 RUN echo compiled >> /built-by',
      'api: built',
      'db: waiting for healthy',
      'db: healthy',
    ];
    const at = wanted.map((line) => progress.indexOf(line));
    expect({ at, progress }).toEqual({ at: [...at].sort((a, b) => a - b), progress });
    expect(at.every((i) => i >= 0)).toBe(true);
    // Off a terminal: no escape code at all.
    expect(up.stderr).not.toContain('\u001b');
    expect(up.stderr).toContain(`project ${project} is running in the background`);

    expect((await runCli(dir, ['down', '-p', project])).code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('a port held by a host process: exit 2 naming the port, the service and the process — hostport', async () => {
    server = createServer();
    const held = server;
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const port = (held.address() as { port: number }).port;
    const dir = stackDir(stack(publishing('web', port)));
    dirs.push(dir);
    const result = await runCli(dir, ['--detach', '-p', project]);
    expect(result.code).toBe(2);
    const commandLine = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter((arg) => arg !== '').join(' ');
    expect(result.stderr).toContain(
      `stagecraft dev: error: starting project ${project} failed: port 127.0.0.1:${port} of service web is taken by a process of this host: pid ${process.pid} (${commandLine})\n` +
        '  stop it, or publish another host port in compose.yaml\n',
    );
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  /** Another project (`<project>-<suffix>`, not started) whose `web` publishes a free port. */
  async function holderStack(suffix: string): Promise<{ port: number; other: string; otherDir: string }> {
    const port = await freePort();
    const other = `${project}-${suffix}`;
    others.push(other);
    const otherDir = stackDir(stack(publishing('web', port)));
    dirs.push(otherDir);
    return { port, other, otherDir };
  }

  /** `dev --detach` of this test's project, its `web` on `port`: exit 2; what it said. */
  async function startOnTakenPort(port: number): Promise<string> {
    const dir = stackDir(stack(publishing('web', port)));
    dirs.push(dir);
    const result = await runCli(dir, ['--detach', '-p', project]);
    expect(result.code).toBe(2);
    return result.stderr;
  }

  test("a port held by another compose project's container: exit 2 naming it and how to stop it — otherport", async () => {
    const { port, other, otherDir } = await holderStack('other');
    const otherUp = spawnSync('docker', ['compose', '-p', other, '-f', '.stagecraft/dev/compose.yaml', 'up', '--detach'], {
      cwd: otherDir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(otherUp.status).toBe(0);

    expect(await startOnTakenPort(port)).toContain(
      `stagecraft dev: error: starting project ${project} failed: port 127.0.0.1:${port} of service web is taken by container ${other}-web-1 of compose project ${other}\n` +
        `  free it with: docker compose -p ${other} down\n`,
    );
    expect(leftovers(project)).toEqual(nothingLeft);
    expect(leftovers(other).containers).toEqual(['web running']);
  });

  test("a port held by a stagecraft session's container: the command that stops that session — sessionport", async () => {
    const { port, other, otherDir } = await holderStack('held');
    expect((await runCli(otherDir, ['--detach', '-p', other])).code).toBe(0);

    const stderr = await startOnTakenPort(port);
    const devDir = path.join(otherDir, '.stagecraft/dev');
    expect(stderr).toContain(
      `stagecraft dev: error: starting project ${project} failed: port 127.0.0.1:${port} of service web is taken by container ${other}-web-1 of project ${other}, a stagecraft session\n` +
        `  free it with: stagecraft dev down --dev-dir ${devDir} --project-name ${other}\n`,
    );
    expect(leftovers(project)).toEqual(nothingLeft);
    // The command it gives works: run from anywhere, it stops the holder.
    expect((await runCli(path.dirname(otherDir), ['down', '--dev-dir', devDir, '--project-name', other])).code).toBe(0);
    expect(leftovers(other)).toEqual(nothingLeft);
  });
});
