// L3 for `stagecraft dev restart` (SPEC §2, issue 15 item 2): the real CLI with the fake docker
// first on PATH. Each case asserts the exit code, what the user reads and every docker call; the
// rig's afterEach fails a case that leaves anything running. The events stream and `restart`
// start together, so their order in the log is not asserted: the rest is.
import { composeEventLine, type ComposeAction, type FakeBehaviour } from '../fixtures/fake-docker.js';
import { composeFile, useCliRigs } from './cli-harness.js';

const timeout = 20_000;
const rig = useCliRigs();
const p = ['compose', '-p', 'minimal', '-f', composeFile];
const ps = ['compose', '-p', 'minimal', 'ps', '--all', '--format', 'json'];
const events = [...p, 'events', '--json'];

/** One `ps --format json` line. */
const container = (service: string, state: string, health = '', exitCode = 0): string =>
  JSON.stringify({ Name: `minimal-${service}-1`, Service: service, State: state, Health: health, ExitCode: exitCode });
const bothRunning: FakeBehaviour = { stdout: [container('app', 'running'), container('web', 'running')] };

const event = (service: string, action: ComposeAction, exitCode?: number): string =>
  composeEventLine('minimal', service, action, exitCode === undefined ? {} : { exitCode });
/** compose's restart of `service` as the engine reports it: kill, die 143, start. */
const restarted = (service: string): string[] => [event(service, 'kill'), event(service, 'die', 143), event(service, 'start')];
/** The events stream printing `lines` once `restart` was called, then open until stopped. */
const eventsAfterRestart = (lines: readonly string[]): FakeBehaviour => ({
  chunks: lines.map((line, i) => ({ text: `${line}\n`, ...(i === 0 ? { after: 'restart' as const } : {}) })),
  untilDown: true,
});

/** A result with its progress lines' times (real time since the restart began) as `+T`. */
function timed(result: { code: number; stdout: string; stderr: string }) {
  return { ...result, stderr: result.stderr.replace(/^stagecraft dev: \+\d+\.\ds /gm, 'stagecraft dev: +T ') };
}

/** The calls with the two concurrent ones (events, restart) in a fixed order. */
function inOrder(calls: string[][]): string[][] {
  const [first, ...rest] = calls;
  const key = (c: string[]): number => (c.includes('events') ? 0 : c.includes('restart') ? 1 : 2);
  const concurrent = rest.filter((c) => key(c) < 2).sort((a, b) => key(a) - key(b));
  return [first ?? [], ...concurrent, ...rest.filter((c) => key(c) === 2)];
}

describe('stagecraft dev restart', () => {
  test(
    'one service: ps, then the events and `restart app`, a ps once it returned; ready again → exit 0',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['restart', 'app'], { scenario: { ps: bothRunning, events: eventsAfterRestart(restarted('app')) } });
      // The start's progress lines: being stopped is the restart, not news.
      expect(timed(result)).toEqual({
        code: 0,
        stdout: '',
        stderr: [
          'stagecraft dev: restarting app of project minimal…',
          'stagecraft dev: +T app: stopping',
          'stagecraft dev: +T app: stopped',
          'stagecraft dev: +T app: running',
          'stagecraft dev: restarted app (running) of project minimal',
          '',
        ].join('\n'),
      });
      expect(inOrder(r.calls())).toEqual([ps, events, [...p, 'restart', 'app'], ps]);
    },
    timeout,
  );

  test(
    'no service named: compose restarts them all, and stagecraft waits for each one that has a container',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['restart'], {
        scenario: { ps: bothRunning, events: eventsAfterRestart([...restarted('web'), ...restarted('app')]) },
      });
      expect(result.code).toBe(0);
      expect(timed(result).stderr).toBe(
        [
          'stagecraft dev: restarting app, web of project minimal…',
          ...['web', 'app'].flatMap((s) => [`stagecraft dev: +T ${s}: stopping`, `stagecraft dev: +T ${s}: stopped`, `stagecraft dev: +T ${s}: running`]),
          'stagecraft dev: restarted app (running), web (running) of project minimal',
          '',
        ].join('\n'),
      );
      expect(inOrder(r.calls())).toEqual([ps, events, [...p, 'restart'], ps]);
    },
    timeout,
  );

  test(
    '--grace 3: compose gives each container 3 s to stop (`restart --timeout 3`)',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['restart', 'web', '--grace', '3'], { scenario: { ps: bothRunning, events: eventsAfterRestart(restarted('web')) } });
      expect(result.code).toBe(0);
      expect(inOrder(r.calls())).toEqual([ps, events, [...p, 'restart', '--timeout', '3', 'web'], ps]);
    },
    timeout,
  );

  test(
    'the project is not running: refused with exit 1 before anything is restarted',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['restart'], { scenario: { ps: { stdout: [container('app', 'exited', '', 0)] } } });
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: 'stagecraft dev: error: project minimal is not running (no container of it runs); start it with `stagecraft dev`\n',
      });
      expect(r.calls()).toEqual([ps]);
    },
    timeout,
  );

  test(
    'a named service without a container: refused with exit 1, saying why it may have none',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['restart', 'web'], { scenario: { ps: { stdout: [container('app', 'running')] } } });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'stagecraft dev: error: web of project minimal has no container to restart (behind an inactive profile, or scaled to 0?); `stagecraft dev` starts what the project runs\n',
      );
      expect(r.calls()).toEqual([ps]);
    },
    timeout,
  );

  test(
    'a service compose.yaml does not have: exit 1 listing the services, nothing run',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['restart', 'nope']);
      expect(result).toEqual({ code: 1, stdout: '', stderr: 'stagecraft dev: error: no service "nope" in project minimal; its services: app, web\n' });
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );

  test(
    'a restarted service that exits non-zero: its last log lines, then exit 2 naming it',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['restart', 'app'], {
        scenario: {
          ps: bothRunning,
          events: eventsAfterRestart([...restarted('app'), event('app', 'die', 3)]),
          'logs --tail': { stdout: ['app-1  | cannot open /data: permission denied'] },
        },
      });
      expect(timed(result)).toEqual({
        code: 2,
        stdout: 'app-1  | cannot open /data: permission denied\n',
        stderr: [
          'stagecraft dev: restarting app of project minimal…',
          'stagecraft dev: +T app: stopping',
          'stagecraft dev: +T app: stopped',
          'stagecraft dev: +T app: running',
          'stagecraft dev: app exited with code 3',
          'stagecraft dev: last log lines of app:',
          'stagecraft dev: error: restarting app of project minimal failed: app exited with code 3 after the restart; see the last log lines above, fix it and run `stagecraft dev restart app`',
          '',
        ].join('\n'),
      });
      expect(inOrder(r.calls())).toEqual([ps, events, [...p, 'restart', 'app'], ps, [...p, 'logs', '--tail', '50', 'app']]);
    },
    timeout,
  );

  test(
    'compose fails the restart: exit 2 with what compose said',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['restart', 'app'], {
        // It fails once the events stream runs, so both calls are in the log whatever the timing.
        scenario: { ps: bothRunning, restart: { after: 'events', exitCode: 1, stderr: ['Error response from daemon: Cannot restart container minimal-app-1: oops'] } },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        [
          'stagecraft dev: restarting app of project minimal…',
          `stagecraft dev: error: restarting services of project minimal failed: \`docker compose -p minimal -f ${composeFile} restart app\` exited with code 1; see \`stagecraft dev status\``,
          '  Error response from daemon: Cannot restart container minimal-app-1: oops',
          '',
        ].join('\n'),
      );
      expect(inOrder(r.calls())).toEqual([ps, events, [...p, 'restart', 'app']]);
    },
    timeout,
  );

  test(
    'Ctrl+C while it waits for a healthcheck: exit 130, the services keep running, nothing of stagecraft is left',
    async () => {
      const r = rig(undefined);
      r.writeComposeFile(
        'name: minimal\nservices:\n  app:\n    image: busybox:latest\n    healthcheck:\n      test: ["CMD", "true"]\n',
      );
      const cli = r.spawn(['restart', 'app'], {
        scenario: { ps: { stdout: [container('app', 'running', 'healthy')] }, events: eventsAfterRestart(restarted('app')) },
      });
      await r.waitForOutput(cli, 'stderr', 'waiting up to 120 s for app to be ready…');
      cli.signal('SIGINT');
      expect(timed(await cli.exit())).toEqual({
        code: 130,
        stdout: '',
        stderr: [
          'stagecraft dev: restarting app of project minimal…',
          'stagecraft dev: +T app: stopping',
          'stagecraft dev: +T app: stopped',
          'stagecraft dev: +T app: waiting for healthy',
          'stagecraft dev: waiting up to 120 s for app to be ready…',
          'stagecraft dev: stopped waiting: the restart of app is done (nothing was stopped by this), but not every one is ready yet; see `stagecraft dev status`',
          '',
        ].join('\n'),
      });
      expect(inOrder(r.calls())).toEqual([ps, events, [...p, 'restart', 'app'], ps]);
    },
    timeout,
  );

  test(
    '--dry-run: the restart command under its title; nothing runs',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['restart', 'web', '--dry-run']);
      expect(result).toEqual({
        code: 0,
        stdout: `# restart (then wait until the services restarted are ready, up to --wait-timeout)\ndocker compose -p minimal -f ${composeFile} restart web\n`,
        stderr: '',
      });
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );
});
