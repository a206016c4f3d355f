// L4: the built CLI against a real Docker engine with the Compose v2 plugin.
// Runs when an engine answers; with STAGECRAFT_E2E=1 (CI) a missing engine is a failure.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  busybox,
  cliPath,
  containers,
  describeE2e,
  forceRemove,
  health,
  leftovers,
  nothingLeft,
  oneShot,
  projectName,
  removeDir,
  runCli,
  signalGroup,
  stackDir,
  stack,
  startCli,
  volumes,
  waitUntil,
} from './e2e-harness.js';


/** A long-running busybox service that prints `<name> ready` then ticks. */
function ticking(name: string, extra = ''): string {
  return `  ${name}:
    image: ${busybox}
    pull_policy: never
    init: true
    command: ["sh", "-c", "echo ${name} ready; while true; do echo ${name} tick; sleep 1; done"]
${extra}`;
}


describeE2e('stagecraft dev against a real engine', () => {
  let project: string;
  let dir: string | undefined;


  beforeEach(() => {
    project = projectName(expect.getState().currentTestName?.split(' ').at(-1) ?? 'x');
  });

  afterEach(() => {
    forceRemove(project, { volumes: true });
    if (dir !== undefined) removeDir(dir);
    dir = undefined;
  });

  test('foreground: logs reach stdout, SIGINT tears everything down, exit 130 — foreground', async () => {
    dir = stackDir(stack(ticking('app'), ticking('worker')));
    const run = startCli(dir, ['-p', project]);
    await waitUntil('both services logging on stdout', () => /app-1 +\| app ready/.test(run.stdout()) && /worker-1 +\| worker ready/.test(run.stdout()));
    expect(containers(project)).toEqual(['app running', 'worker running']);
    signalGroup(run, 'SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toMatch(/stagecraft dev: stopped project .*; nothing left running/);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('--detach leaves the stack running; dev down removes it and is idempotent — detach', async () => {
    dir = stackDir(stack(ticking('app'), ticking('worker')));
    const up = await runCli(dir, ['--detach', '-p', project]);
    expect(up.code).toBe(0);
    expect(up.stderr).toContain(`is running in the background; stop it with: stagecraft dev down --project-name ${project}`);
    expect(containers(project)).toEqual(['app running', 'worker running']);
    expect(leftovers(project).processes).toEqual([]);

    const down = await runCli(dir, ['down', '-p', project]);
    expect(down.code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
    const again = await runCli(dir, ['down', '-p', project]);
    expect(again.code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('--no-traefik runs neither the traefik service nor the labelled one, and never pulls their images — notraefik', async () => {
    // Images that exist nowhere: a pull (or a start) of either would fail the run.
    dir = stackDir(
      stack(
        '  traefik:\n    image: stagecraft-e2e/absent-traefik:v3\n',
        '  router:\n    image: stagecraft-e2e/absent-router:v3\n    labels:\n      dev.stagecraft.role: traefik\n',
        ticking('app'),
        ticking('api'),
        ticking('tools', '    profiles: [debug]\n'),
      ),
    );
    const up = await runCli(dir, ['--detach', '--no-traefik', '-p', project]);
    expect(up.code).toBe(0);
    expect(containers(project)).toEqual(['api running', 'app running']);
    expect((await runCli(dir, ['down', '-p', project])).code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('a start failure names the service and rolls back — startfail', async () => {
    dir = stackDir(stack(ticking('app'), oneShot('broken', 'true', '').replace(busybox, 'sce2e/missing:never')));
    const result = await runCli(dir, ['--detach', '-p', project]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`starting project ${project} failed`);
    expect(result.stderr).toContain('services at fault: broken');
    expect(result.stderr).toContain('start failed; rolling back');
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('--keep-on-failure keeps what was created and says how to remove it — keepfail', async () => {
    dir = stackDir(stack(ticking('app'), oneShot('crashy', 'echo boom; exit 1')));
    const result = await runCli(dir, ['--detach', '--wait', '--wait-timeout', '60', '--keep-on-failure', '-p', project]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('services at fault: crashy');
    expect(result.stdout).toMatch(/crashy-1 +\| boom/); // the diagnostics: its last log lines
    expect(result.stderr).toContain(`remove it with: stagecraft dev down --project-name ${project}`);
    expect(leftovers(project)).toEqual({
      containers: ['app running', 'crashy exited'],
      networks: [`${project}_default`],
      processes: [],
    });

    expect((await runCli(dir, ['down', '-p', project])).code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('a stack that ends by itself with every service exiting 0 ends the session with 0 — endsok', async () => {
    dir = stackDir(stack(oneShot('first', 'echo first done'), oneShot('second', 'sleep 1; echo second done')));
    const result = await runCli(dir, ['-p', project]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/second-1 +\| second done/);
    expect(result.stderr).toContain('ended with every service exited 0');
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('a stack that ends with a service exiting non-zero exits 2 naming it — endsbad', async () => {
    dir = stackDir(stack(oneShot('fine', 'echo fine'), oneShot('crashy', 'sleep 1; echo crashing; exit 3')));
    const result = await runCli(dir, ['-p', project]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('service crashy exited with code 3');
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('--wait reports the stack up only once it is healthy — waithealthy', async () => {
    const healthcheck = `    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 30
`;
    dir = stackDir(stack(oneShot('web', 'sleep 2; touch /tmp/ready; exec sleep 1000', healthcheck)));
    const up = await runCli(dir, ['--detach', '--wait', '--wait-timeout', '60', '-p', project]);
    expect(up.code).toBe(0);
    expect(health(project, 'web')).toBe('healthy');
    expect((await runCli(dir, ['down', '-p', project])).code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('--wait with a service that never gets healthy exits 2 and rolls back — waitunhealthy', async () => {
    const healthcheck = `    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 2
`;
    dir = stackDir(stack(oneShot('sick', 'exec sleep 1000', healthcheck)));
    const result = await runCli(dir, ['--detach', '--wait', '--wait-timeout', '20', '-p', project]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('services at fault: sick');
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('SIGINT while `up --wait` is still waiting: up is cancelled, the teardown waits for it, nothing left, 130 — midstart', async () => {
    // `slow` gets healthy only after 30 s, and `after` waits for that: `up` is busy for the whole test.
    const healthcheck = `    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 60
`;
    const dependsOn = `    depends_on:
      slow:
        condition: service_healthy
`;
    dir = stackDir(stack(oneShot('slow', 'sleep 30; touch /tmp/ready; exec sleep 1000', healthcheck), ticking('after', dependsOn)));
    const run = startCli(dir, ['--wait', '--wait-timeout', '60', '-p', project]);
    await waitUntil('`slow` running while `up` waits for it', () => containers(project).includes('slow running'));
    expect(run.stderr()).not.toContain('is up');
    signalGroup(run, 'SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toMatch(/stagecraft dev: stopped project .*; nothing left running/);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('a second SIGINT forces the teardown of a service that ignores SIGTERM — forced', async () => {
    // busybox `sleep` as PID 1 without init ignores SIGTERM: a graceful stop would take --grace.
    dir = stackDir(stack(`  stubborn:\n    image: ${busybox}\n    pull_policy: never\n    command: ["sh", "-c", "echo stubborn ready; exec sleep 1000"]\n`));
    const run = startCli(dir, ['--grace', '30', '-p', project]);
    await waitUntil('the service logging', () => /stubborn ready/.test(run.stdout()));
    signalGroup(run, 'SIGINT');
    await waitUntil('the graceful teardown to start', () => run.stderr().includes('stopping project'));
    const second = Date.now();
    signalGroup(run, 'SIGINT');
    expect(await run.exited).toBe(130);
    const forcedSeconds = (Date.now() - second) / 1000;
    expect(forcedSeconds).toBeLessThan(15); // well under the 30 s grace period
    expect(run.stderr()).toContain('forcing the teardown');
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test("--grace unset: a service's stop_grace_period holds (15 s for one that needs 12 s to stop), so it exits by itself — stopgrace", async () => {
    // On SIGTERM the service takes 12 s to stop, then writes `exited` to a bind-mounted file:
    // a teardown with compose's default --timeout 10 would SIGKILL it first (`stopping` left).
    const script = "trap 'echo stopping > /out/state; sleep 12; echo exited > /out/state; exit 0' TERM; echo slow ready; while true; do sleep 1; done";
    dir = stackDir(
      stack(`  slow:\n    image: ${busybox}\n    pull_policy: never\n    init: true\n    stop_grace_period: 15s\n    volumes: ["./out:/out"]\n    command: ["sh", "-c", ${JSON.stringify(script)}]\n`),
    );
    const state = path.join(dir, '.stagecraft/dev/out/state');
    const run = startCli(dir, ['-p', project]);
    await waitUntil('the service logging', () => /slow ready/.test(run.stdout()));
    const stop = Date.now();
    signalGroup(run, 'SIGINT');
    expect(await run.exited).toBe(130);
    const seconds = (Date.now() - stop) / 1000;
    expect(readFileSync(state, 'utf8')).toBe('exited\n'); // the trap ran to its end: not SIGKILLed
    expect(seconds).toBeGreaterThanOrEqual(11.5);
    expect(seconds).toBeLessThan(15 + 30); // the machine's deadline: the longest stop_grace_period + 30 s
    expect(run.stderr()).not.toContain('forcing the teardown');
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('data in a named volume survives dev down — volume', async () => {
    const service = oneShot(
      'db',
      'if [ -f /data/note ]; then echo found: $$(cat /data/note); else echo fresh volume; fi; echo kept-data > /data/note',
      '    volumes:\n      - dbdata:/data\n',
    );
    dir = stackDir(`${stack(service)}volumes:\n  dbdata: {}\n`);
    const first = await runCli(dir, ['-p', project]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/db-1 +\| fresh volume/);
    expect((await runCli(dir, ['down', '-p', project])).code).toBe(0);
    expect(volumes(project)).toEqual([`${project}_dbdata`]);

    const second = await runCli(dir, ['-p', project]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/db-1 +\| found: kept-data/);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('--compose-command docker-compose gives the same result as the default — composecommand', async () => {
    dir = stackDir(stack(ticking('app'), ticking('worker')));
    const viaPlugin = await runCli(dir, ['--detach', '-p', project]);
    expect(viaPlugin.code).toBe(0);
    const pluginContainers = containers(project);
    expect((await runCli(dir, ['down', '-p', project])).code).toBe(0);

    const viaStandalone = await runCli(dir, ['--detach', '-p', project, '--compose-command', 'docker-compose']);
    expect(viaStandalone.code).toBe(0);
    expect(containers(project)).toEqual(pluginContainers);
    expect((await runCli(dir, ['down', '-p', project, '--compose-command', 'docker-compose'])).code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('SIGKILL of the CLI without its guardian leaves a stale session that dev down cleans up — sigkill', async () => {
    dir = stackDir(stack(ticking('app')));
    const run = startCli(dir, ['-p', project, '--no-guardian']);
    await waitUntil('the service logging', () => /app ready/.test(run.stdout()));
    signalGroup(run, 'SIGKILL');
    expect(await run.exited).toBe(128 + 9);
    // Nothing could tear down: the stack and the session file are still there.
    expect(containers(project)).toEqual(['app running']);
    const session = JSON.parse(readFileSync(path.join(dir, '.stagecraft/dev/session.json'), 'utf8')) as { pid: number; state: string };
    expect(session).toMatchObject({ pid: run.child.pid, state: 'attached' });

    const down = await runCli(dir, ['down', '-p', project]);
    expect(down.code).toBe(0);
    expect(existsSync(path.join(dir, '.stagecraft/dev/session.json'))).toBe(false);
    // The orphaned `logs --follow` child ends once the project is gone.
    await waitUntil('the orphaned log follower to end', () => leftovers(project).processes.length === 0, 30_000);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('the next dev reports a stale session (left by a SIGKILL without a guardian) and reconciles before starting — stale', async () => {
    dir = stackDir(stack(ticking('app')));
    const first = startCli(dir, ['-p', project, '--no-guardian']);
    await waitUntil('the service logging', () => /app ready/.test(first.stdout()));
    signalGroup(first, 'SIGKILL');
    await first.exited;

    const second = await runCli(dir, ['--detach', '-p', project]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`found a stale session of project ${project} (pid ${first.child.pid} is gone, last state attached)`);
    expect(containers(project)).toEqual(['app running']);
    expect((await runCli(dir, ['down', '-p', project])).code).toBe(0);
    await waitUntil('the orphaned log follower to end', () => leftovers(project).processes.length === 0, 30_000);
    expect(leftovers(project)).toEqual(nothingLeft);
  });

  test('closing the terminal (SIGHUP) tears the stack down — hangup', async () => {
    dir = stackDir(stack(ticking('app')));
    const stderrFile = path.join(dir, 'stderr.log');
    // `script` gives the CLI a real pty; killing `script` closes the master side and
    // the kernel hangs up the CLI, which is the pty's session leader (exec).
    const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
    const command = `exec ${quote(process.execPath)} ${quote(cliPath)} dev -p ${project} 2>${quote(stderrFile)}`;
    const terminal = spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let screen = '';
    terminal.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
    await waitUntil('the service logging on the terminal', () => /app ready/.test(screen));
    process.kill(terminal.pid as number, 'SIGKILL');
    await waitUntil('the session to end', () => readFileSync(stderrFile, 'utf8').includes('nothing left running'), 60_000);
    await waitUntil('the CLI to exit', () => leftovers(project).processes.length === 0, 30_000);
    const stderr = readFileSync(stderrFile, 'utf8');
    expect(stderr).toContain('got SIGHUP: stopping project');
    expect(stderr).not.toContain('Assertion failed');
    expect(leftovers(project)).toEqual(nothingLeft);
  });
});
