// L3: the built CLI as a real process, the fake docker first on PATH. Each case asserts
// the exact exit code and the whole list of docker calls; the rig's afterEach fails the
// case if the CLI or any fake it started is still running. The fake's `events` prints
// compose 2.26's `events --json` lines; stagecraft decides from them when the stack is
// ready and when it has ended.
import { composeFor, inSteps, together, type Step } from './compose-argv.js';
import { composeFile, useCliRigs, type CliProcess, type CliRig } from './cli-harness.js';
import { shellSplit } from './shell-split.js';
import {
  composeEventLine,
  containerId,
  isAlive,
  stampedLogLine,
  waitFor,
  type ComposeAction,
  type FakeBehaviour,
  type FakeScenario,
} from '../fixtures/fake-docker.js';

const timeout = 20_000;
const rig = useCliRigs();

const minimal = composeFor('minimal');

/** One `ps --format json` line, as compose ≥ 2.21 prints it. */
function container(project: string, service: string, state: string, exitCode: number): string {
  return JSON.stringify({ Name: `${project}-${service}-1`, Service: service, State: state, Health: '', ExitCode: exitCode, Status: `${state} (${exitCode})` });
}

/** An engine time, `s` seconds into the minute the log lines below were written. */
const at = (s: number): string => `2026-12-01T15:24:${String(s).padStart(2, '0')}.375866389Z`;

/** The engine time of the stack's events: before any of its log lines. */
const startedAt = '2026-12-01T15:22:54.625714253Z';

/** An `events --json` line of project minimal. */
const event = (service: string, action: ComposeAction, exitCode?: number): string =>
  composeEventLine('minimal', service, action, { time: startedAt, ...(exitCode === undefined ? {} : { exitCode }) });

/** Event lines as the fake's raw writes (each a whole line), printed once `after` was called. */
function eventChunks(after: FakeBehaviour['after'], lines: readonly string[]): NonNullable<FakeBehaviour['chunks']> {
  return lines.map((line, i) => ({ text: `${line}\n`, ...(i === 0 && after !== undefined ? { after } : {}) }));
}

/** Both services of minimal started once `up` ran; compose's events stream then stays open. */
const bothStarted: FakeBehaviour = { after: 'up', stdout: [event('app', 'start'), event('web', 'start')], untilDown: true };

/** Both services start, then die with these codes once `logs --follow` and `ps` ran; a printed marker follows. */
const bothDie = (appCode: number, webCode: number): FakeBehaviour => ({
  ...bothStarted,
  chunks: eventChunks(['logs --follow', 'ps'], [event('app', 'die', appCode), event('web', 'die', webCode)]),
  logPrinted: true,
});

const following: FakeBehaviour = { stdout: [stampedLogLine('app', at(10), 'listening')], hang: true };

/** `calls` read against `steps` (see inSteps): the exact argvs, in order, groups unordered. */
function expectCalls(r: CliRig, steps: readonly Step[]): void {
  expect(inSteps(r.calls(), steps)).toEqual(steps);
}

/** What a foreground session runs before anything happens: events and up, then logs and one ps. */
const attachedSteps = (c: ReturnType<typeof composeFor> = minimal): Step[] => [together(c.events, c.up()), together(c.follow, c.ps)];

/**
 * Starts a foreground session and waits until it is attached: its events child and its
 * `logs --follow` child run, and its one `ps` has ended (a signal now reaches neither it nor `up`).
 */
async function attached(
  r: CliRig,
  args: string[],
  scenario: FakeScenario,
  c: ReturnType<typeof composeFor> = minimal,
  env?: Record<string, string>,
): Promise<CliProcess> {
  const cli = r.spawn(args, { scenario: { 'logs --follow': following, ...scenario }, ...(env === undefined ? {} : { env }) });
  await r.waitForCall(cli, c.events);
  await r.waitForCall(cli, c.follow);
  await r.waitForCallEnded(cli, c.ps);
  return cli;
}

/** The fakes that got a signal, as `pid: signal`, sorted (children stopped together end in any order). */
function signalled(r: CliRig): string[] {
  return r
    .log()
    .filter((e) => e.signal !== undefined)
    .map((e) => `${e.pid}: ${e.signal}`)
    .sort();
}

/** The same for the given calls, each as `pid: signal`. */
function sigterms(r: CliRig, ...argvs: (readonly string[])[]): string[] {
  return argvs.map((argv) => `${r.pidOf(argv)}: SIGTERM`).sort();
}

/** stagecraft's own lines: stderr, each behind the one prefix. */
function stagecraftLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '');
}

/** A progress line (SPEC §5): `stagecraft dev: +1.2s web: running`. */
const progressLine = /^stagecraft dev: \+\d+\.\ds /;

/** stagecraft's lines but progress lines. */
function messageLines(stderr: string): string[] {
  return stagecraftLines(stderr).filter((line) => !progressLine.test(line));
}

/** The progress lines, their times (real time since the start) as `+T`. */
function progressLines(stderr: string): string[] {
  return stagecraftLines(stderr).map((line) => line.replace(progressLine, 'stagecraft dev: +T '));
}

describe('stagecraft dev (foreground)', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s while attached runs events, up, logs --follow, ps, then down and exits %d',
    async (signal, code) => {
      const r = rig('minimal');
      const cli = await attached(r, [], {});
      cli.signal(signal);
      const result = await cli.exit();
      expect(result.code).toBe(code);
      expectCalls(r, [...attachedSteps(), ...minimal.teardown()]);
      // The signal reached only stagecraft (the children have their own process group);
      // stagecraft then ended its events and log followers with SIGTERM.
      expect(signalled(r)).toEqual(sigterms(r, minimal.events, minimal.follow));
      expect(result.stderr).toContain(`stagecraft dev: got ${signal}: stopping project minimal (Ctrl+C again to force)\n`);
      expect(result.stderr).toContain('stagecraft dev: stopped project minimal; nothing left running\n');
    },
    timeout,
  );

  test(
    'container log lines reach stdout whole and without compose\'s timestamps; stagecraft speaks on stderr behind its prefix',
    async () => {
      const r = rig('minimal');
      const cli = r.spawn([], {
        scenario: {
          'logs --follow': {
            stdout: [stampedLogLine('app', at(1), 'hello from app'), `\u001b[2K${stampedLogLine('web', at(2), 'GET / 200')}`],
            chunks: [
              { text: `app-1  | ${at(3)} a line written in `, delayMs: 50 },
              { text: 'three parts', delayMs: 100 },
              { text: ' arrives whole\n', delayMs: 100 },
            ],
            hang: true,
          },
        },
      });
      await r.waitForOutput(cli, 'stdout', 'arrives whole\n');
      cli.signal('SIGINT');
      const result = await cli.exit();
      expect(result.code).toBe(130);
      // Compose's erase-line escape is dropped when stdout is not a terminal.
      expect(result.stdout).toBe(
        'app-1  | hello from app\nweb-1  | GET / 200\napp-1  | a line written in three parts arrives whole\n',
      );
      expect(cli.stdoutChunks.filter((chunk) => !chunk.endsWith('\n'))).toEqual([]);
      const lines = stagecraftLines(result.stderr);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.filter((line) => !line.startsWith('stagecraft dev: '))).toEqual([]);
      expect(result.stderr).not.toContain('hello from app');
    },
    timeout,
  );

  test(
    'a second Ctrl+C while down hangs forces it: kill, then down --timeout 0; exit 130',
    async () => {
      const r = rig('minimal');
      const cli = await attached(r, [], { down: [{ hang: true }, {}] });
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.down());
      cli.signal('SIGINT');
      const result = await cli.exit();
      expect(result.code).toBe(130);
      expectCalls(r, [...attachedSteps(), minimal.survey, minimal.down(), ...minimal.forcedTeardown]);
      expect(result.stderr).toContain(
        'stagecraft dev: forcing the teardown: kill, then down --timeout 0 (bounded: it gives up after 20 s)\n',
      );
    },
    timeout,
  );

  test(
    'a third Ctrl+C does not cut the forced teardown short; with everything hanging, its 20 s bound abandons it: exit 2 and the manual command',
    async () => {
      const r = rig('minimal');
      const cli = await attached(r, ['--verbose'], { down: { hang: true }, kill: { hang: true } });
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.down());
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.kill);
      const forcedAt = Date.now();
      cli.signal('SIGINT');
      cli.signal('SIGTERM');
      const result = await cli.exit(35_000);
      expect(result.code).toBe(2);
      // Abandoned by the forced teardown's own bound, not by the signals.
      expect(Date.now() - forcedAt).toBeGreaterThanOrEqual(19_000);
      expect(result.stderr.split('stagecraft dev: still forcing the teardown; it is not cut short, and gives up by itself after 20 s\n')).toHaveLength(3);
      expect(stagecraftLines(result.stderr).filter((line) => line.startsWith('stagecraft dev: state: ')).slice(-3)).toEqual([
        'stagecraft dev: state: attached → stopping.graceful',
        'stagecraft dev: state: stopping.graceful → stopping.forced',
        'stagecraft dev: state: stopping.forced → abandoned',
      ]);
      expectCalls(r, [...attachedSteps(), minimal.survey, minimal.down(), minimal.kill]);
      // Nothing more is started after giving up, not even a child killed before it could log
      // (verbose announces every command before it is spawned, in the order it is spawned).
      const p = `docker compose -p minimal -f ${composeFile}`;
      expect(stagecraftLines(result.stderr).filter((line) => line.startsWith('stagecraft dev: $ '))).toEqual([
        `stagecraft dev: $ ${p} events --json`,
        `stagecraft dev: $ ${p} up --detach --remove-orphans`,
        `stagecraft dev: $ ${p} logs --follow --timestamps`,
        'stagecraft dev: $ docker compose -p minimal ps --all --format json',
        `stagecraft dev: $ docker ps --all --no-trunc --filter label=com.docker.compose.project=minimal --format '{{.Names}}\\t{{.Mounts}}'`,
        "stagecraft dev: $ docker network ls --filter label=com.docker.compose.project=minimal --format '{{.Name}}'",
        'stagecraft dev: $ docker compose -p minimal down --remove-orphans',
        'stagecraft dev: $ docker compose -p minimal kill',
      ]);
      // Each hanging child was ended by stagecraft with SIGTERM.
      expect(signalled(r)).toEqual(sigterms(r, minimal.events, minimal.follow, minimal.down(), minimal.kill));
      expect(result.stderr).toContain(
        'stagecraft dev: remove it by hand: docker ps --all --quiet --filter label=com.docker.compose.project=minimal | xargs -r docker rm --force --volumes && docker compose -p minimal down --remove-orphans --timeout 0\n',
      );
    },
    timeout + 20_000,
  );

  test(
    'a stack whose services all exit 0 (die events) ends by itself: down, exit 0',
    async () => {
      const r = rig('minimal');
      const result = await r.run([], {
        scenario: {
          events: bothDie(0, 0),
          // compose ends `logs --follow` once no container runs.
          'logs --follow': { stdout: [stampedLogLine('app', at(5), 'done')], afterPrinted: true },
        },
      });
      expect(result.code).toBe(0);
      expectCalls(r, [...attachedSteps(), ...minimal.teardown()]);
      // No `ps` decides it: the exit codes come from the die events. The log stream ended by
      // itself; the events stream was stopped.
      expect(signalled(r)).toEqual(sigterms(r, minimal.events));
      expect(result.stdout).toBe('app-1  | done\n');
      expect(result.stderr).toContain('stagecraft dev: app exited with code 0\nstagecraft dev: web exited with code 0\n');
      expect(result.stderr).toContain('stagecraft dev: every container of project minimal has exited; removing the stack\n');
      expect(result.stderr).toContain('stagecraft dev: project minimal ended with every service exited 0; removed\n');
    },
    timeout,
  );

  test(
    'a stack whose service exits 3 ends by itself: down, exit 2 naming the service',
    async () => {
      const r = rig('minimal');
      const result = await r.run([], {
        scenario: {
          events: bothDie(0, 3),
          'logs --follow': { afterPrinted: true },
        },
      });
      expect(result.code).toBe(2);
      expectCalls(r, [...attachedSteps(), ...minimal.teardown()]);
      expect(result.stderr).toContain('stagecraft dev: web exited with code 3\n');
      expect(result.stderr).toContain(
        'stagecraft dev: error: service web exited with code 3; see its logs above, fix it and run stagecraft dev again\n',
      );
      expect(result.stderr).not.toContain('service app exited');
    },
    timeout,
  );

  test(
    'an ended stack\'s last log lines, arriving after its die events, are all shown before the teardown',
    async () => {
      const r = rig('minimal');
      const lines = Array.from({ length: 10 }, (_, i) => stampedLogLine('web', at(20 + i), `last words ${i}`));
      const result = await r.run([], {
        scenario: {
          events: bothDie(0, 0),
          // compose's log stream lags behind the engine's events: its last lines come after the dies.
          'logs --follow': { chunks: lines.map((line, i) => ({ text: `${line}\n`, delayMs: 50, ...(i === 0 ? { afterPrinted: true } : {}) })) },
        },
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(Array.from({ length: 10 }, (_, i) => `web-1  | last words ${i}\n`).join(''));
      expectCalls(r, [...attachedSteps(), ...minimal.teardown()]);
      expect(signalled(r)).toEqual(sigterms(r, minimal.events));
    },
    timeout,
  );

  test(
    'a service that exits before the log stream started is reported (from the events); Ctrl+C then exits 130',
    async () => {
      const r = rig('minimal');
      const cli = await attached(r, [], {
        // `up` returns only once the events of its containers were printed: web died before `logs --follow`.
        events: { ...bothStarted, stdout: [event('app', 'start'), event('web', 'start'), event('web', 'die', 3)], logPrinted: true },
        up: { afterPrinted: true },
      });
      await r.waitForOutput(cli, 'stderr', 'stagecraft dev: web exited with code 3\n');
      const log = r.log();
      const printedAt = log.findIndex((e) => e.printed === true);
      const followAt = log.findIndex((e) => JSON.stringify(e.argv) === JSON.stringify(minimal.follow));
      expect(printedAt).toBeGreaterThan(-1);
      expect(followAt).toBeGreaterThan(printedAt);
      cli.signal('SIGINT');
      const result = await cli.exit();
      // app still ran: the stack had not ended, the signal ended the session.
      expect(result.code).toBe(130);
      expectCalls(r, [...attachedSteps(), ...minimal.teardown()]);
      expect(result.stdout).toBe('app-1  | listening\n');
    },
    timeout,
  );

  test(
    'Ctrl+C while attached to a running stack: exit 130 and exactly events, up, logs, ps, down',
    async () => {
      const r = rig('minimal');
      const cli = await attached(r, [], { events: bothStarted });
      cli.signal('SIGINT');
      const result = await cli.exit();
      expect(result.code).toBe(130);
      expectCalls(r, [...attachedSteps(), ...minimal.teardown()]);
      expect(signalled(r)).toEqual(sigterms(r, minimal.events, minimal.follow));
      // Once attached, running services say nothing without --verbose; only exits, restarts and
      // health changes are news. A service seen running while the start went on (its event may
      // come before `up` returns or after: a race) is progress, said once.
      expect(messageLines(result.stderr)).toEqual([
        'stagecraft dev: starting project minimal…',
        'stagecraft dev: project minimal is up; streaming its logs (Ctrl+C stops and removes it)',
        'stagecraft dev: got SIGINT: stopping project minimal (Ctrl+C again to force)',
        'stagecraft dev: project minimal had no container, network or anonymous volume left to remove',
        'stagecraft dev: stopped project minimal; nothing left running',
      ]);
      const progress = progressLines(result.stderr).filter((line) => line.startsWith('stagecraft dev: +T '));
      expect(progress.filter((line) => !['stagecraft dev: +T app: running', 'stagecraft dev: +T web: running'].includes(line))).toEqual([]);
      expect(new Set(progress).size).toBe(progress.length);
      const lines = stagecraftLines(result.stderr);
      for (const line of lines.filter((l) => progressLine.test(l))) {
        expect(lines.indexOf(line)).toBeLessThan(lines.indexOf('stagecraft dev: project minimal is up; streaming its logs (Ctrl+C stops and removes it)'));
      }
    },
    timeout,
  );

  test(
    '`logs --follow` ending while services run is followed again --since where it got to; no line is shown twice',
    async () => {
      const r = rig('minimal');
      const cli = r.spawn([], {
        scenario: {
          // The containers started while `up` ran: the session knows its first event's time when it attaches.
          events: { ...bothStarted, logPrinted: true },
          up: { afterPrinted: true },
          'logs --follow': [
            // compose ended the stream (a container between restarts, say) with services still up.
            { stdout: [stampedLogLine('app', at(1), 'one'), stampedLogLine('web', at(2), 'two')] },
            // Followed again --since the first event's time (web-1 or a container not seen yet may
            // have lines from any time since): the engine sends the lines already shown again.
            {
              stdout: [stampedLogLine('app', at(1), 'one'), stampedLogLine('web', at(2), 'two'), stampedLogLine('app', at(3), 'three')],
              hang: true,
            },
          ],
        },
      });
      await r.waitForCall(cli, minimal.followSince(startedAt));
      await r.waitForOutput(cli, 'stdout', 'three\n');
      cli.signal('SIGINT');
      const result = await cli.exit();
      expect(result.code).toBe(130);
      expectCalls(r, [...attachedSteps(), minimal.followSince(startedAt), ...minimal.teardown()]);
      expect(result.stdout).toBe('app-1  | one\nweb-1  | two\napp-1  | three\n');
      expect(signalled(r)).toEqual(sigterms(r, minimal.events, minimal.followSince(startedAt)));
    },
    timeout,
  );

  test(
    'the events stream failing: the session says so, reads `ps` and follows the events again',
    async () => {
      const r = rig('minimal');
      const cli = await attached(r, [], {
        events: [
          { after: ['logs --follow', 'ps'], exitCode: 1, stderr: ['Error response from daemon: connection reset by peer'] },
          { untilDown: true },
        ],
        ps: [{}, { stdout: [container('minimal', 'app', 'running', 0), container('minimal', 'web', 'running', 0)] }],
      });
      await r.waitForOutput(
        cli,
        'stderr',
        `stagecraft dev: the engine's event stream ended (\`docker compose -p minimal -f ${composeFile} events --json\` exited with code 1;`,
      );
      // The resync: one `ps` read, then the stream is followed again; no second read.
      await waitForCalls(r, cli, 2, minimal.ps, true);
      await waitForCalls(r, cli, 2, minimal.events, false);
      cli.signal('SIGINT');
      const result = await cli.exit();
      expect(result.code).toBe(130);
      expectCalls(r, [...attachedSteps(), minimal.ps, minimal.events, ...minimal.teardown()]);
      expect(result.stderr).toContain('Error response from daemon: connection reset by peer); reading the stack\'s state once\n');
      expect(result.stderr).toContain('stagecraft dev: stopped project minimal; nothing left running\n');
    },
    timeout,
  );
});

/** Waits until `argv` has been called `n` times and, with `ended`, every one of those calls has ended. */
async function waitForCalls(r: CliRig, cli: CliProcess, n: number, argv: readonly string[], ended: boolean): Promise<void> {
  const wanted = JSON.stringify(argv);
  await waitFor(
    () => {
      const pids = r.log().filter((e) => JSON.stringify(e.argv) === wanted).map((e) => e.pid);
      if (cli.hasExited) throw new Error(`the CLI exited before ${n} calls of ${argv.join(' ')}\n${cli.stderr}`);
      return pids.length >= n && (!ended || pids.every((pid) => !isAlive(pid)));
    },
    `${n} calls of docker ${argv.join(' ')}`,
  );
}

/** A stack with a healthcheck service, a one-shot migration and a service that always restarts. */
const healthStack = `name: minimal
services:
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD", "pg_isready"]
      interval: 1s
  migrate:
    image: busybox:latest
    command: ["true"]
  web:
    image: busybox:latest
    restart: unless-stopped
`;

/** db started (waiting for healthy), migrate ran once and exited 0, web runs: printed once the wait's `ps` ran. */
const healthStarting = [event('db', 'start'), event('migrate', 'start'), event('web', 'start'), event('migrate', 'die', 0)];

/** `dev --detach --wait <args>` on the health stack, its events printing `lines` once the wait's `ps` ran. */
async function detachAndWait(args: readonly string[], lines: readonly string[], scenario: FakeScenario = {}) {
  const r = rig(undefined);
  r.writeComposeFile(healthStack);
  const result = await r.run(['--detach', '--wait', ...args], {
    scenario: { events: { chunks: eventChunks('ps', lines), untilDown: true }, ...scenario },
  });
  return { r, result };
}

describe('stagecraft dev --detach', () => {
  test(
    'starts the stack and exits 0: no events, no logs, no down',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['--detach']);
      expect(result.code).toBe(0);
      expect(r.calls()).toEqual([minimal.up()]);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        'stagecraft dev: project minimal is running in the background; stop it with: stagecraft dev down',
      );
    },
    timeout,
  );

  test(
    '--wait: a healthcheck service that turns healthy and a one-shot migration that exited 0 are ready; exit 0, the events child stopped',
    async () => {
      const { r, result } = await detachAndWait([], [...healthStarting, event('db', 'health_status: healthy')]);
      expect(result.code).toBe(0);
      expectCalls(r, [together(minimal.events, minimal.up()), minimal.ps]);
      // Ready: the events child was ended (no fake is left running: the rig checks).
      expect(r.log().filter((e) => e.signal !== undefined && e.pid === r.pidOf(minimal.events))).toEqual([
        { signal: 'SIGTERM', pid: r.pidOf(minimal.events) },
      ]);
      // Each service's progress while waiting, in the order the events came; an exit is news.
      expect(progressLines(result.stderr)).toEqual([
        'stagecraft dev: starting project minimal…',
        'stagecraft dev: waiting up to 120 s for db, migrate, web to be ready…',
        'stagecraft dev: +T db: waiting for healthy',
        'stagecraft dev: +T migrate: running',
        'stagecraft dev: +T web: running',
        'stagecraft dev: migrate exited with code 0',
        'stagecraft dev: +T db: healthy',
        'stagecraft dev: project minimal is running in the background; stop it with: stagecraft dev down',
      ]);
    },
    timeout,
  );

  test(
    '--wait: a service that turns unhealthy fails the start at once: its logs and health output, rollback, exit 2',
    async () => {
      const { r, result } = await detachAndWait([], [...healthStarting, event('db', 'health_status: unhealthy')], {
        'logs --tail': { stdout: ['db-1  | FATAL:  could not open configuration file'] },
        inspect: { stdout: [JSON.stringify({ Status: 'unhealthy', Log: [{ ExitCode: 1, Output: 'pg_isready: no response' }] })] },
      });
      expect(result.code).toBe(2);
      expectCalls(r, [together(minimal.events, minimal.up()), minimal.ps, minimal.tail('db'), minimal.inspect(containerId('db')), ...minimal.teardown()]);
      expect(result.stdout).toBe('db-1  | FATAL:  could not open configuration file\n');
      expect(result.stderr).toContain('stagecraft dev: db is unhealthy\nstagecraft dev: start failed; rolling back\n');
      expect(result.stderr).toContain('stagecraft dev: last health check of db: pg_isready: no response (exit code 1)\n');
      expect(result.stderr).toContain(
        'stagecraft dev: error: starting project minimal failed: db turned unhealthy before the stack was ready\n  services at fault: db',
      );
    },
    timeout,
  );

  test(
    '--wait-timeout 1 with a service never ready: rollback, exit 2 naming it and what it waits for',
    async () => {
      const { r, result } = await detachAndWait(['--wait-timeout', '1'], healthStarting);
      expect(result.code).toBe(2);
      expectCalls(r, [together(minimal.events, minimal.up()), minimal.ps, minimal.tail('db'), minimal.inspect(containerId('db')), ...minimal.teardown()]);
      expect(result.stderr).toContain('stagecraft dev: waiting up to 1 s for db, migrate, web to be ready…\n');
      expect(result.stderr).toContain(
        'stagecraft dev: error: project minimal was not ready after 1 s: db (waiting for healthy); raise --wait-timeout if it needs longer\n',
      );
    },
    timeout,
  );
});

describe('a failed start', () => {
  const failingStart: FakeScenario = {
    // After the events child logged its call: a failure then stops it, and the log shows it ran.
    up: { after: 'events', exitCode: 1, stderr: ['Error response from daemon: container minimal-web-1 exited (1)'] },
    ps: { stdout: [container('minimal', 'app', 'running', 0), container('minimal', 'web', 'exited', 1)] },
    'logs --tail': { stdout: ['web-1  | panic: cannot bind :8080'] },
  };

  test(
    'prints diagnostics (ps, then the failed service’s last lines), rolls back, exits 2 naming the service',
    async () => {
      const r = rig('minimal');
      const result = await r.run([], { scenario: failingStart });
      expect(result.code).toBe(2);
      expectCalls(r, [together(minimal.events, minimal.up()), minimal.ps, minimal.tail('web'), ...minimal.teardown()]);
      expect(result.stdout).toBe('web-1  | panic: cannot bind :8080\n');
      expect(result.stderr).toContain('stagecraft dev: start failed; rolling back');
      expect(result.stderr).toContain('Error response from daemon: container minimal-web-1 exited (1)');
      expect(result.stderr).toContain('services at fault: web');
    },
    timeout,
  );

  test(
    'with --keep-on-failure leaves the stack and says how to remove it; exit 2',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['--keep-on-failure'], { scenario: failingStart });
      expect(result.code).toBe(2);
      expectCalls(r, [together(minimal.events, minimal.up()), minimal.ps, minimal.tail('web')]);
      expect(result.stderr).toContain('services at fault: web');
      expect(result.stderr).toContain(
        'stagecraft dev: the stack of project minimal may still be there; remove it with: stagecraft dev down\n',
      );
    },
    timeout,
  );
});

describe('errors before anything runs', () => {
  test(
    'docker missing from PATH: exit 2 and the one message',
    async () => {
      const r = rig('minimal');
      const result = await r.run([], { path: 'node-only' });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'docker compose not available; install Docker with the Compose plugin or pass --compose-command',
      );
      expect(r.log()).toEqual([]);
    },
    timeout,
  );

  test.each([
    ['compose.yaml is missing', undefined, 'compose file not found at .stagecraft/dev/compose.yaml; generate the dev files first: run `stagecraft init` to write a stagecraft.yml, then `stagecraft dev`'],
    ['compose.yaml is not YAML', 'name: broken\nservices: [app\n', '.stagecraft/dev/compose.yaml is not valid YAML'],
    [
      'there is no name and no --project-name',
      'services:\n  app:\n    image: busybox\n',
      'no project name: .stagecraft/dev/compose.yaml has no top-level `name` and --project-name was not given',
    ],
  ])(
    '%s: exit 1, the file named, nothing run',
    async (_, composeText, message) => {
      const r = rig(undefined);
      if (composeText !== undefined) r.writeComposeFile(composeText);
      const result = await r.run([]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`stagecraft dev: error: ${message}`);
      expect(r.log()).toEqual([]);
    },
    timeout,
  );
});

describe('stagecraft dev down', () => {
  test(
    'runs exactly one down and exits 0',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['down']);
      expect(result.code).toBe(0);
      expectCalls(r, minimal.teardown());
      expect(result.stderr).toContain('stagecraft dev: project minimal had no container, network or anonymous volume left to remove\n');
    },
    timeout,
  );

  test(
    'removes what carries the project label and says what: containers, networks, then their anonymous volumes by name; named volumes stay',
    async () => {
      const r = rig('minimal');
      const anonymous = 'a'.repeat(64);
      const result = await r.run(['down'], {
        scenario: {
          // Listed before `down`, then nothing after it.
          'docker ps': [
            { stdout: [`minimal-web-1\t/srv/app,${anonymous},minimal_data`, 'minimal-web-run-0123456789ab\t'] },
            { stdout: [] },
          ],
          'network ls': [{ stdout: ['minimal_default'] }, { stdout: [] }],
        },
      });
      expect(result.code).toBe(0);
      expectCalls(r, [minimal.survey, minimal.down(), minimal.volumeRm(anonymous), minimal.survey]);
      expect(result.stderr).toBe(
        'stagecraft dev: removed project minimal: containers minimal-web-1, minimal-web-run-0123456789ab; network minimal_default; anonymous volume aaaaaaaaaaaa\n',
      );
    },
    timeout,
  );

  test(
    'a container still listed after `down` (created meanwhile): exit 2 naming it, never "removed"',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['down'], { scenario: { 'docker ps': { stdout: ['minimal-late-1\t'] } } });
      expect(result.code).toBe(2);
      expectCalls(r, [minimal.survey, minimal.down(), minimal.survey]);
      expect(result.stderr).toBe(
        'stagecraft dev: error: teardown of project minimal left containers minimal-late-1 behind (`docker compose -p minimal down --remove-orphans` succeeded, ' +
          'but the engine still lists them: created while it ran?); run `stagecraft dev down` to retry\n',
      );
    },
    timeout,
  );

  test(
    'is idempotent: twice in a row, both exit 0',
    async () => {
      const r = rig('minimal');
      expect((await r.run(['down'])).code).toBe(0);
      expect((await r.run(['down'])).code).toBe(0);
      expectCalls(r, [...minimal.teardown(), ...minimal.teardown()]);
    },
    timeout,
  );
});

describe('plan == execution', () => {
  /** The plan's commands per `# section`, each split back into the argv the fake records. */
  function sections(stdout: string): Map<string, string[][]> {
    const map = new Map<string, string[][]>();
    let current: string[][] = [];
    for (const line of stdout.split('\n').filter((l) => l !== '')) {
      if (line.startsWith('# ')) map.set(line.slice(2), (current = []));
      else {
        const [program, ...argv] = shellSplit(line);
        expect(program).toBe('docker');
        current.push(argv);
      }
    }
    return map;
  }

  // The compose command needs quoting when printed: the plan must still read back as the argv run.
  const flags = ['--no-traefik', '--grace', '5', '-p', 'other', '--compose-command', "docker --context 'my box' compose"];
  const other = composeFor('other', ['--context', 'my box', 'compose']);
  /** app of project other started once `up` ran (`up` names it alone: Traefik is left out). */
  const appStarted: FakeBehaviour = { after: 'up', stdout: [composeEventLine('other', 'app', 'start')], untilDown: true };

  test.each([
    // --no-traefik names the services to start: neither Traefik's nor a profiled one (tools).
    ['traefik', ['app'], ['app']],
    ['traefik-labelled', ['app'], ['app']],
  ])(
    '%s stack: every command `dev plan` prints is what a run executes',
    async (stack, expectedServices, selected) => {
      const planRun = await rig(stack).run(['plan', ...flags]);
      expect(planRun.code).toBe(0);
      const plan = sections(planRun.stdout);
      const section = (title: string, printed: Map<string, string[][]> = plan): string[][] => {
        const commands = printed.get(title);
        if (commands === undefined) throw new Error(`no "# ${title}" section in:\n${planRun.stdout}`);
        return commands;
      };
      const only = (commands: string[][]): string[] => {
        expect(commands).toHaveLength(1);
        return commands[0] ?? [];
      };
      const events = 'events (followed from before start)';
      const states = 'container states, once after start (for what the events missed)';
      const attach = 'attach (foreground; re-attached with --since <last line time> when compose ends it early)';
      const volumes = 'volume rm: the anonymous volumes found, appended at run time; not run when none';
      const teardown = `teardown (Ctrl+C, or the stack ended; ${volumes})`;
      const forcedTeardown = `forced teardown (second Ctrl+C; ${volumes})`;
      const diagnostics = 'failure diagnostics (failed services, then their containers, appended at run time)';
      const rollback = `rollback after a failed start (${volumes})`;
      expect([...plan.keys()]).toEqual([events, 'start', states, attach, teardown, forcedTeardown, diagnostics, rollback]);
      // The plan itself, spelled out once, so plan and run cannot be wrong together.
      expect(section(events)).toEqual([other.events]);
      expect(section('start')).toEqual([other.up(...selected)]);
      expect(section(states)).toEqual([other.ps]);
      expect(section(attach)).toEqual([other.follow]);
      expect(section(teardown)).toEqual([other.containers, other.networks, other.down(5), other.volumeRm()]);
      expect(section(forcedTeardown)).toEqual([other.kill, other.containers, other.networks, other.forcedDown, other.volumeRm()]);
      expect(section(diagnostics)).toEqual([other.tail(), ['--context', 'my box', 'inspect', '--format', '{{json .State.Health}}']]);
      expect(section(rollback)).toEqual(section(teardown));
      // A teardown's section as it runs: both listings together, `down`, the listings again
      // (`volume rm` only runs with the anonymous volumes found: none here).
      const asRun = (commands: readonly (readonly string[])[]): Step[] => {
        const [containers = [], networks = [], down = []] = commands.slice(-4);
        return [...commands.slice(0, -4), together(containers, networks), down, together(containers, networks)];
      };

      // --detach: start only.
      const detached = rig(stack);
      expect((await detached.run(['--detach', ...flags])).code).toBe(0);
      expect(detached.calls()).toEqual(section('start'));
      const detachPlan = await rig(stack).run(['--detach', '--dry-run', ...flags]);
      expect([...sections(detachPlan.stdout).keys()]).toEqual(['start', diagnostics, rollback]);
      expect(section('start', sections(detachPlan.stdout))).toEqual(section('start'));
      // `dev plan` is `dev --dry-run` (SPEC §2), --detach included.
      expect(await rig(stack).run(['plan', '--detach', ...flags])).toEqual(detachPlan);

      // --detach --wait: the events from before the start until ready, the one `ps`.
      const waitPlan = sections((await rig(stack).run(['plan', '--detach', '--wait', ...flags])).stdout);
      const waitEvents = 'events (followed from before start until ready)';
      expect([...waitPlan.keys()]).toEqual([waitEvents, 'start', states, diagnostics, rollback]);
      const waited = rig(stack);
      expect((await waited.run(['--detach', '--wait', ...flags], { scenario: { events: { ...appStarted, after: 'ps' } } })).code).toBe(0);
      expectCalls(waited, [together(only(section(waitEvents, waitPlan)), only(section('start', waitPlan))), only(section(states, waitPlan))]);

      // Foreground + Ctrl+C: events and start, attach and the one `ps`, teardown.
      const started: Step[] = [together(only(section(events)), only(section('start'))), together(only(section(attach)), only(section(states)))];
      const foreground = rig(stack);
      const cli = await attached(foreground, flags, { events: appStarted }, other);
      cli.signal('SIGINT');
      expect((await cli.exit()).code).toBe(130);
      expectCalls(foreground, [...started, ...asRun(section(teardown))]);

      // Second Ctrl+C: forced teardown.
      const forced = rig(stack);
      const cli2 = await attached(forced, flags, { events: appStarted, down: [{ hang: true }, {}] }, other);
      cli2.signal('SIGINT');
      await forced.waitForCall(cli2, other.down(5));
      cli2.signal('SIGINT');
      expect((await cli2.exit()).code).toBe(130);
      // The graceful `down` hangs and is cancelled: its listings after never run.
      expectCalls(forced, [...started, ...asRun(section(teardown)).slice(0, 2), ...asRun(section(forcedTeardown))]);

      // The stack ends by itself (its one service exited 0) and its log stream does not end:
      // the logs are followed once more (no line seen: the same argv), that stream ends, teardown.
      const ended = rig(stack);
      const endedRun = await ended.run(flags, {
        scenario: {
          events: { ...appStarted, chunks: [{ text: `${composeEventLine('other', 'app', 'die', { exitCode: 0 })}\n`, after: ['logs --follow', 'ps'] }] },
          'logs --follow': [{ hang: true }, {}],
        },
      });
      expect(endedRun.code).toBe(0);
      expectCalls(ended, [...started, only(section(attach)), ...asRun(section(teardown))]);

      // A failed start: the events stopped, diagnostics (the failed services appended), rollback.
      const failed = rig(stack);
      const failedRun = await failed.run(flags, {
        scenario: { up: { after: 'events', exitCode: 1 }, ps: { stdout: [container('other', 'app', 'exited', 1)] } },
      });
      expect({ code: failedRun.code, stderr: failedRun.stderr }).toMatchObject({ code: 2 });
      const [tail] = section(diagnostics);
      expectCalls(failed, [
        together(only(section(events)), only(section('start'))),
        only(section(states)),
        [...(tail ?? []), ...expectedServices],
        ...asRun(section(rollback)),
      ]);
    },
    3 * timeout,
  );

  test(
    '--dry-run prints the plan and runs nothing',
    async () => {
      const r = rig('minimal');
      const dryRun = await r.run(['--dry-run']);
      const plan = await r.run(['plan']);
      expect(dryRun.code).toBe(0);
      expect(plan.code).toBe(0);
      expect(dryRun.stdout).toBe(plan.stdout);
      expect(dryRun.stdout).toContain(`# start\ndocker compose -p minimal -f ${composeFile} up --detach --remove-orphans\n`);
      expect(r.log()).toEqual([]);
      // A flag given twice takes its last value (yargs would otherwise make a list of it).
      const twice = await r.run(['plan', '--grace', '3', '--grace', '7', '-p', 'first', '-p', 'second']);
      expect(twice.code).toBe(0);
      expect(twice.stdout).toContain('\ndocker compose -p second down --remove-orphans --timeout 7\n');
    },
    timeout,
  );
});

describe('flags and environment', () => {
  test(
    '--compose-command "docker --context remote compose" is split into argv',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['--detach', '--compose-command', 'docker --context remote compose']);
      expect(result.code).toBe(0);
      const remote = composeFor('minimal', ['--context', 'remote', 'compose']);
      expect(r.calls()).toEqual([remote.up()]);
    },
    timeout,
  );

  test(
    'STAGECRAFT_* variables set the flags',
    async () => {
      const r = rig('traefik');
      const result = await r.run([], {
        env: { STAGECRAFT_PROJECT_NAME: 'envproj', STAGECRAFT_NO_TRAEFIK: 'true', STAGECRAFT_DETACH: 'true' },
      });
      expect(result.code).toBe(0);
      const envproj = composeFor('envproj');
      expect(r.calls()).toEqual([envproj.up('app')]);
    },
    timeout,
  );

  test(
    'the environment reaches compose unchanged; a STAGECRAFT_* variable that is no flag (CI’s STAGECRAFT_E2E) is not an error',
    async () => {
      const r = rig('minimal');
      const env = { DOCKER_HOST: 'tcp://build-box:2375', DOCKER_CONTEXT: 'remote', STAGECRAFT_E2E: '1' };
      const result = await r.run(['--detach'], {
        env: { ...env, FAKE_DOCKER_RECORD_ENV: Object.keys(env).join(',') },
      });
      expect(result.code).toBe(0);
      expect(r.calls()).toEqual([minimal.up()]);
      expect(r.log().map((entry) => entry.env)).toEqual([env]);
    },
    timeout,
  );

  test(
    'a flag beats its variable; other variables still apply',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['down', '-p', 'flagproj'], {
        env: { STAGECRAFT_PROJECT_NAME: 'envproj', STAGECRAFT_GRACE: '7' },
      });
      expect(result.code).toBe(0);
      expectCalls(r, composeFor('flagproj').teardown(7));
    },
    timeout,
  );

  test(
    '--verbose prints each command shell-quoted before it runs and each transition, never an env value',
    async () => {
      const r = rig('minimal');
      const box = composeFor('minimal', ['--context', 'my box', 'compose']);
      const secret = 'hunter2-xyz';
      const cli = await attached(
        r,
        ['--verbose', '--compose-command', "docker --context 'my box' compose"],
        { up: { stderr: [' Container minimal-web-1  Started'] } },
        box,
        { SECRET_TOKEN: secret },
      );
      cli.signal('SIGINT');
      const result = await cli.exit();
      expect(result.code).toBe(130);
      expectCalls(r, [...attachedSteps(box), ...box.teardown()]);

      const lines = stagecraftLines(result.stderr);
      const p = `docker --context 'my box' compose -p minimal -f ${composeFile}`;
      // The teardown's listings go to the same engine, through the same context.
      const boxSurvey = [
        `stagecraft dev: $ docker --context 'my box' ps --all --no-trunc --filter label=com.docker.compose.project=minimal --format '{{.Names}}\\t{{.Mounts}}'`,
        "stagecraft dev: $ docker --context 'my box' network ls --filter label=com.docker.compose.project=minimal --format '{{.Name}}'",
      ];
      expect(lines.filter((line) => line.startsWith('stagecraft dev: $ '))).toEqual([
        `stagecraft dev: $ ${p} events --json`,
        `stagecraft dev: $ ${p} up --detach --remove-orphans`,
        `stagecraft dev: $ ${p} logs --follow --timestamps`,
        "stagecraft dev: $ docker --context 'my box' compose -p minimal ps --all --format json",
        ...boxSurvey,
        "stagecraft dev: $ docker --context 'my box' compose -p minimal down --remove-orphans",
        ...boxSurvey,
      ]);
      // `up`'s own output comes after the line announcing it.
      const upLine = lines.indexOf(`stagecraft dev: $ ${p} up --detach --remove-orphans`);
      const upOutput = lines.findIndex((line) => line.endsWith('Container minimal-web-1  Started'));
      expect(upOutput).toBeGreaterThan(upLine);
      expect(lines.filter((line) => line.startsWith('stagecraft dev: state: '))).toEqual([
        'stagecraft dev: state: validating',
        'stagecraft dev: state: validating → claiming',
        'stagecraft dev: state: claiming → starting',
        'stagecraft dev: state: starting → attached',
        'stagecraft dev: state: attached → stopping.graceful',
        'stagecraft dev: state: stopping.graceful → stopped',
      ]);
      expect(result.stdout + result.stderr).not.toContain(secret);
    },
    timeout,
  );
});
