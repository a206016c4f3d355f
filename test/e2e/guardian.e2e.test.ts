// L4 for the guardian (issue 14 item 6): a foreground session's stack is torn down within a
// bound after its CLI is SIGKILLed, or its whole process tree is (a CI cancel ends with that),
// and no child of the CLI outlives it; a `--detach` run is never torn down by anything, and a
// session refused the project starts no guardian and never touches the live one's stack.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from '../fixtures/fake-docker.js';
import { descendantsOf, guardiansIn } from '../fixtures/process-table.js';
import {
  containers,
  describeE2e,
  forceRemove,
  leftovers,
  nothingLeft,
  oneShot,
  processesOf,
  projectName,
  removeDir,
  runCli,
  signalGroup,
  stack,
  stackDir,
  startCli,
  waitUntil,
  type CliRun,
} from './e2e-harness.js';

/** The bound the guardian is held to, from the CLI's death to nothing of the project left. */
const guardianBoundMs = 30_000;

const sessionFile = (dir: string): string => path.join(dir, '.stagecraft/dev/session.json');

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

const nothingLeftNow = (project: string): boolean => JSON.stringify(leftovers(project)) === JSON.stringify(nothingLeft);

/** A foreground session of `project` in `dir`, up and logging, with its guardian's watcher (the one process holding its pipe). */
async function liveSession(dir: string, project: string): Promise<{ run: CliRun; watcher: number }> {
  const run = startCli(dir, ['-p', project]);
  await waitUntil('the service logging', () => /app ready/.test(run.stdout()));
  await waitUntil("the guardian's watcher to run", () => guardiansIn(dir).length === 1);
  return { run, watcher: guardiansIn(dir)[0] as number };
}

describeE2e('the guardian', () => {
  let project: string;
  let dir: string | undefined;

  beforeEach(() => {
    project = projectName(expect.getState().currentTestName?.split(' ').at(-1) ?? 'x');
  });

  afterEach(() => {
    if (dir !== undefined) {
      for (const pid of guardiansIn(dir)) killQuietly(pid);
      removeDir(dir);
    }
    forceRemove(project);
    dir = undefined;
  });

  const app = (): string => stack(oneShot('app', 'echo app ready; exec sleep 100000'));

  test('a foreground session SIGKILLed: its guardian ends the compose children and tears the stack down — gkill', async () => {
    dir = stackDir(app());
    const { run, watcher } = await liveSession(dir, project);
    // The CLI's compose children (`events`, `logs --follow`) are running, in groups of their own.
    expect(leftovers(project).processes.length).toBeGreaterThan(1);

    signalGroup(run, 'SIGKILL');
    expect(await run.exited).toBe(128 + 9);
    await waitUntil('the guardian to leave nothing of the project, and end', () => nothingLeftNow(project) && !isAlive(watcher), guardianBoundMs);
    expect(leftovers(project)).toEqual(nothingLeft);
    expect(existsSync(sessionFile(dir))).toBe(false);
  });

  test('the whole process tree of a foreground session SIGKILLed, as a CI cancel ends: the guardian is not in it and tears down — gtree', async () => {
    dir = stackDir(app());
    const { run, watcher } = await liveSession(dir, project);
    const cli = run.child.pid as number;
    const tree = descendantsOf(cli);
    // compose's children, each with its own plugin child; the watcher is nobody's child.
    expect(tree.length).toBeGreaterThanOrEqual(2);
    expect(tree).not.toContain(watcher);

    process.kill(-cli, 'SIGKILL');
    for (const pid of tree) killQuietly(pid);
    expect(await run.exited).toBe(128 + 9);
    await waitUntil('the guardian to leave nothing of the project, and end', () => nothingLeftNow(project) && !isAlive(watcher), guardianBoundMs);
    expect(leftovers(project)).toEqual(nothingLeft);
    expect(existsSync(sessionFile(dir))).toBe(false);
  });

  test('a foreground session SIGKILLed while `up` still waits: the guardian ends `up` first, then removes what it created — gup', async () => {
    // `app` waits for `db` to be healthy, which it will not be for minutes: `up` runs on.
    const db = oneShot('db', 'echo db ready; exec sleep 100000', '    healthcheck:\n      test: ["CMD", "false"]\n      interval: 60s\n');
    const app = oneShot('app', 'echo app ready; exec sleep 100000', '    depends_on:\n      db:\n        condition: service_healthy\n');
    dir = stackDir(stack(db, app));
    const run = startCli(dir, ['-p', project]);
    await waitUntil('db to run while `up` waits for its health', () => containers(project).includes('db running'));
    await waitUntil("the guardian's watcher to run", () => guardiansIn(dir as string).length === 1);
    const [watcher] = guardiansIn(dir);
    expect(leftovers(project).processes.some((p) => p.includes(' up '))).toBe(true);

    signalGroup(run, 'SIGKILL');
    expect(await run.exited).toBe(128 + 9);
    await waitUntil('the guardian to leave nothing of the project, and end', () => nothingLeftNow(project) && !isAlive(watcher as number), guardianBoundMs);
    expect(leftovers(project)).toEqual(nothingLeft);
    expect(existsSync(sessionFile(dir))).toBe(false);
  });

  test('a --detach run is never torn down: killed mid-wait, its guardian ends only its events stream; ended, it has none; its stack stays until dev down — gdetach', async () => {
    dir = stackDir(
      stack(oneShot('app', 'echo app ready; exec sleep 100000', '    healthcheck:\n      test: ["CMD", "test", "-e", "/tmp/ready"]\n      interval: 1s\n')),
    );
    // Killed while it waits for a health that never comes: its guardian (children only) ends
    // the `compose events` child, which would otherwise outlive it, and touches nothing else.
    const killed = startCli(dir, ['--detach', '--wait', '-p', project]);
    await waitUntil('the service to run', () => containers(project).includes('app running'));
    const watched = dir;
    await waitUntil("the run's guardian to watch", () => guardiansIn(watched).length === 1);
    const [watcher] = guardiansIn(watched);
    expect(processesOf(project).some((p) => p.endsWith(` -p ${project} -f .stagecraft/dev/compose.yaml events --json `))).toBe(true);
    signalGroup(killed, 'SIGKILL');
    expect(await killed.exited).toBe(128 + 9);
    await waitUntil('the guardian to end the events stream, and end', () => processesOf(project).length === 0 && !isAlive(watcher as number), guardianBoundMs);
    expect(containers(project)).toEqual(['app running']);
    expect((await runCli(dir, ['down', '-p', project])).code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);

    // Ended by itself: its stack is meant to outlive it.
    const up = await runCli(dir, ['--detach', '-p', project]);
    expect(up.code).toBe(0);
    expect(guardiansIn(dir)).toEqual([]);
    expect(containers(project)).toEqual(['app running']);
    expect(JSON.parse(readFileSync(sessionFile(dir), 'utf8'))).toMatchObject({ mode: 'detach', state: 'detached' });
    expect((await runCli(dir, ['down', '-p', project])).code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('a session refused the project (exit 4) starts no guardian and leaves the live session and its stack alone — gheld', async () => {
    dir = stackDir(app());
    const { run, watcher } = await liveSession(dir, project);
    const refused = await runCli(dir, ['-p', project]);
    expect(refused.code).toBe(4);
    expect(guardiansIn(dir)).toEqual([watcher]);
    expect(run.child.exitCode).toBeNull();
    expect(containers(project)).toEqual(['app running']);

    signalGroup(run, 'SIGINT');
    expect(await run.exited).toBe(130);
    await waitUntil('the watcher to end with its session', () => !isAlive(watcher));
    expect(leftovers(project)).toEqual(nothingLeft);
  });
});
