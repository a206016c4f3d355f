// L4 for `stagecraft dev restart` (SPEC §2, issue 15 item 2) on a real engine: one service of a
// detached stack restarted while the other keeps running (its container untouched), readiness
// by the healthcheck, a service that fails after its restart named with its last lines, the
// refusal once the project is down; and a restart under a foreground session, which sees it,
// follows the restarted service's logs again and goes on. After each test nothing is left.
import {
  busybox,
  containerOf,
  containers,
  describeE2e,
  health,
  leftovers,
  nothingLeft,
  runCli,
  signalGroup,
  stack,
  startCli,
  useProject,
  waitUntil,
} from './e2e-harness.js';

/** httpd with a healthcheck; prints `web up` at each start. */
const web = `  web:
    image: ${busybox}
    pull_policy: never
    init: true
    command: ["sh", "-c", "echo web up; mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 2s
      retries: 20
`;
/** A ticker without a healthcheck. */
const worker = `  worker:
    image: ${busybox}
    pull_policy: never
    init: true
    command: ["sh", "-c", "while true; do echo worker tick; sleep 1; done"]
`;
/** Runs the first time; its second start (the container's file system is kept) fails with 4. */
const flaky = `  flaky:
    image: ${busybox}
    pull_policy: never
    init: true
    command: ["sh", "-c", "if [ -f /started ]; then echo flaky cannot start twice; exit 4; fi; touch /started; exec sleep 3600"]
`;

/** The last line stagecraft printed. */
const lastLine = (stderr: string): string => stderr.trimEnd().split('\n').at(-1) ?? '';

describeE2e('stagecraft dev restart against a real engine', () => {
  const project = useProject('restart');

  test('one service restarted and healthy again while the other runs on untouched; all; a failing restart; refused once down', async () => {
    const cwd = project.dir(stack(web, worker, flaky));
    const p = project.flag;
    expect((await runCli(cwd, ['--detach', '--wait', ...p])).code).toBe(0);
    const webBefore = containerOf(project.name, 'web');
    const workerBefore = containerOf(project.name, 'worker');

    const one = await runCli(cwd, ['restart', 'web', ...p]);
    expect([one.code, one.stdout, lastLine(one.stderr)]).toEqual([0, '', `stagecraft dev: restarted web (healthy) of project ${project.name}`]);
    // The same container, started again, and healthy; the worker's was not touched.
    const webAfter = containerOf(project.name, 'web');
    expect(webAfter.id).toBe(webBefore.id);
    expect(webAfter.startedAt).not.toBe(webBefore.startedAt);
    expect(health(project.name, 'web')).toBe('healthy');
    expect(containerOf(project.name, 'worker')).toEqual(workerBefore);
    expect(containers(project.name)).toEqual(['flaky running', 'web running', 'worker running']);

    // flaky cannot start twice: the restart fails naming it, with its last lines.
    const failed = await runCli(cwd, ['restart', 'flaky', 'worker', ...p]);
    expect(failed.code).toBe(2);
    expect(failed.stdout).toMatch(/^flaky-1 +\| flaky cannot start twice$/m);
    expect(lastLine(failed.stderr)).toBe(
      `stagecraft dev: error: restarting flaky, worker of project ${project.name} failed: flaky exited with code 4 after the restart; see the last log lines above, fix it and run \`stagecraft dev restart flaky worker\``,
    );
    expect(containerOf(project.name, 'worker').startedAt).not.toBe(workerBefore.startedAt);

    expect((await runCli(cwd, ['down', ...p])).code).toBe(0);
    const refused = await runCli(cwd, ['restart', ...p]);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `stagecraft dev: error: project ${project.name} is not running (no container of it runs); start it with \`stagecraft dev\`\n`,
    });
    expect(leftovers(project.name)).toEqual(nothingLeft);
  });

  test('under a foreground session: it sees the restart, follows the restarted logs again and goes on; Ctrl+C then removes it all', async () => {
    const cwd = project.dir(stack(web, worker));
    const p = project.flag;
    const session = startCli(cwd, [...p]);
    await waitUntil('the session attached', () => session.stderr().includes('streaming its logs'), 90_000);
    await waitUntil("web's first line", () => /web-1 +\| web up$/m.test(session.stdout()), 30_000);

    const all = await runCli(cwd, ['restart', '--verbose', ...p]);
    // All of it on a failure (--verbose: its commands and transitions), and what the session saw meanwhile.
    expect({ code: all.code, stderr: all.stderr, session: session.stderr() }).toEqual({
      code: 0,
      stderr: expect.stringContaining(`\nstagecraft dev: restarted web (healthy), worker (running) of project ${project.name}\n`),
      session: expect.stringContaining('stagecraft dev: web was started again\n'),
    });
    // The session is still attached, and shows web's line of its second start.
    await waitUntil("web's line after the restart", () => (session.stdout().match(/web-1 +\| web up$/gm) ?? []).length === 2, 30_000);
    expect(session.child.exitCode).toBeNull();
    expect(containers(project.name)).toEqual(['web running', 'worker running']);

    signalGroup(session, 'SIGINT');
    expect(await session.exited).toBe(130);
    expect(session.stderr()).toContain(`stagecraft dev: stopped project ${project.name}; nothing left running\n`);
    expect(leftovers(project.name)).toEqual(nothingLeft);
  });
});
