// L3, SPEC §6 and issue 4: the session file as a lock, stale sessions, `dev down` and
// `dev status` around a live or dead session, signals in every phase, the start race,
// and bad input. The built CLI runs as a real process with the fake docker on PATH;
// each case asserts exact exit codes and whole argv lists, and the rig's afterEach
// fails the case if any process it started is still running.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { composeFor, inSteps, together, type Step } from './compose-argv.js';
import { composeFile, useCliRigs, type CliProcess, type CliRig } from './cli-harness.js';
import { isAlive, procState, waitFor, type FakeLogEntry, type FakeScenario } from '../fixtures/fake-docker.js';

const timeout = 30_000;
const rig = useCliRigs();

const minimal = composeFor('minimal');
const P = `docker compose -p minimal -f ${composeFile}`;
/** The teardown's compose commands work from the project's label: no `-f`. */
const byLabel = 'docker compose -p minimal';
/** The teardown's listings, as --verbose prints them. */
const surveyLines = [
  `stagecraft dev: $ docker ps --all --no-trunc --filter label=com.docker.compose.project=minimal --format '{{.Names}}\\t{{.Mounts}}'`,
  "stagecraft dev: $ docker network ls --filter label=com.docker.compose.project=minimal --format '{{.Name}}'",
];

/** The session file as the tests read it (independent of src/). */
interface SessionJson {
  readonly version: number;
  readonly project: string;
  readonly mode: string;
  readonly pid: number;
  readonly pidStartTicks: number | null;
  readonly startedAt: string;
  readonly state: string;
  readonly updatedAt: string;
  readonly plan: { readonly projectName: string; readonly teardown: { readonly down: { readonly argv: readonly string[] } } };
}

function sessionPath(r: CliRig): string {
  return path.join(r.cwd, '.stagecraft', 'dev', 'session.json');
}

function readSession(r: CliRig): SessionJson | undefined {
  try {
    return JSON.parse(readFileSync(sessionPath(r), 'utf8')) as SessionJson;
  } catch {
    return undefined; // absent, or caught between writes (never torn: it is renamed into place)
  }
}

/** Waits until session.json names `pid` in `state`. */
async function sessionIn(r: CliRig, pid: number, state: string): Promise<SessionJson> {
  await waitFor(
    () => readSession(r)?.pid === pid && readSession(r)?.state === state,
    `session.json to hold pid ${pid} in state ${state}`,
    5000,
    () => `session.json: ${JSON.stringify(readSession(r))}`,
  );
  return readSession(r) as SessionJson;
}

const same = (a: readonly string[] | undefined, b: readonly string[]): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The pid of the fake that recorded `argv` (the first such call). */
function pidOf(r: CliRig, argv: readonly string[]): number {
  const entry = r.log().find((e) => same(e.argv, argv));
  if (entry === undefined) throw new Error(`no call ${JSON.stringify(argv)} in ${JSON.stringify(r.log())}`);
  return entry.pid;
}

/** The calls a given CLI made (needs FAKE_DOCKER_RECORD_PPID). */
function callsBy(entries: readonly FakeLogEntry[], cli: CliProcess): string[][] {
  return entries.filter((e) => e.argv !== undefined && e.ppid === cli.pid).map((e) => [...(e.argv ?? [])]);
}

const recordPpid = { FAKE_DOCKER_RECORD_PPID: '1' };

/** `calls` read against `steps` (see inSteps): the exact argvs, in order, calls started together unordered. */
function expectSteps(calls: readonly (readonly string[])[], steps: readonly Step[]): void {
  expect(inSteps(calls, steps)).toEqual(steps);
}

/** What a foreground session runs until it is attached: events and up together, then logs and one ps together. */
const attachedSteps: Step[] = [together(minimal.events, minimal.up()), together(minimal.follow, minimal.ps)];

/**
 * A foreground session whose `logs --follow` runs until stopped; resolves once it is attached
 * and following, with its events child running and its one `ps` ended.
 */
async function attachedSession(r: CliRig, args: string[] = [], scenario: FakeScenario = {}): Promise<CliProcess> {
  const cli = r.spawn(args, { scenario: { 'logs --follow': { hang: true }, ...scenario }, env: recordPpid });
  const by = (argv: readonly string[]) => r.log().filter((e) => e.ppid === cli.pid && same(e.argv, argv));
  await waitFor(
    () => {
      if (cli.hasExited) throw new Error(`the CLI exited before following its logs\n${cli.stderr}`);
      const ps = by(minimal.ps);
      return by(minimal.follow).length > 0 && by(minimal.events).length > 0 && ps.length > 0 && ps.every((e) => !isAlive(e.pid));
    },
    `pid ${cli.pid} to run \`logs --follow\`, \`events\` and one \`ps\``,
    5000,
    () => `calls: ${JSON.stringify(r.calls())}\nstderr: ${cli.stderr}`,
  );
  await sessionIn(r, cli.pid, 'attached');
  return cli;
}


/**
 * Sends `signals` to the CLI's process group while the CLI is stopped (SIGSTOP), then
 * lets it run: they all arrive together, as they do at a busy process. POSIX signals
 * of one kind do not queue, so each kind pending arrives once.
 */
async function burstWhileBusy(cli: CliProcess, signals: readonly NodeJS.Signals[]): Promise<void> {
  process.kill(cli.pid, 'SIGSTOP');
  await waitFor(() => procState(cli.pid) === 'T', `the CLI (pid ${cli.pid}) to stop`);
  for (const signal of signals) cli.signal(signal);
  process.kill(cli.pid, 'SIGCONT');
}

describe('the session lock (SPEC §6)', () => {
  test(
    'a second `stagecraft dev` while the first lives: exit 4 naming the pid and `stagecraft dev down`; it runs nothing',
    async () => {
      const r = rig('minimal');
      const first = await attachedSession(r);
      const held = readSession(r) as SessionJson;
      expect(held).toMatchObject({ version: 1, project: 'minimal', mode: 'foreground', pid: first.pid, state: 'attached' });
      const before = r.calls().length;

      for (const args of [[], ['--detach']]) {
        const second = r.spawn(args, { env: recordPpid });
        const result = await second.exit();
        expect(result.code).toBe(4);
        expect(callsBy(r.log(), second)).toEqual([]);
        expect(result.stderr).toBe(
          `stagecraft dev: error: project minimal is held by a live session (pid ${first.pid}, foreground, attached, since ${held.startedAt}); ` +
            `watch it with: ${P} logs --follow --timestamps; stop it with: stagecraft dev down (or Ctrl+C in its terminal), or wait for it to end\n`,
        );
        expect(result.stdout).toBe('');
      }
      expect(r.calls().slice(before)).toEqual([]);
      // The losers left the holder's file as it was.
      expect(readSession(r)).toEqual(held);

      first.signal('SIGINT');
      expect((await first.exit()).code).toBe(130);
      expectSteps(r.calls(), [...attachedSteps, ...minimal.teardown()]);
      expect(existsSync(sessionPath(r))).toBe(false);
    },
    timeout,
  );

  test(
    'session.json follows every transition of a foreground session, and is gone once it stopped',
    async () => {
      const r = rig('minimal');
      const cli = r.spawn([], { scenario: { 'logs --follow': { hang: true }, down: { chunks: [{ text: '', delayMs: 300 }] } } });
      await r.waitForCall(cli, minimal.follow);
      const attached = await sessionIn(r, cli.pid, 'attached');
      expect(attached.plan.teardown.down.argv).toEqual(['docker', ...minimal.down()]);
      expect(Date.parse(attached.startedAt)).not.toBeNaN();
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.down());
      const stopping = await sessionIn(r, cli.pid, 'stopping.graceful');
      expect(stopping.startedAt).toBe(attached.startedAt);
      expect((await cli.exit()).code).toBe(130);
      expect(existsSync(sessionPath(r))).toBe(false);
    },
    timeout,
  );

  test(
    'the same project from another dev dir while the first lives: exit 4 naming that dev dir and the `dev down` that stops it',
    async () => {
      const r = rig('minimal');
      const first = await attachedSession(r);
      const held = readSession(r) as SessionJson;
      // A second dev dir (another checkout, or --dev-dir) with the same compose project.
      const other = path.join(r.cwd, 'other-dev');
      mkdirSync(other);
      writeFileSync(path.join(other, 'compose.yaml'), readFileSync(path.join(r.cwd, composeFile)));
      const second = r.spawn(['--dev-dir', 'other-dev'], { env: recordPpid });
      const result = await second.exit();
      expect(result.code).toBe(4);
      const devDirA = path.join(r.cwd, '.stagecraft', 'dev');
      expect(result.stderr).toBe(
        `stagecraft dev: error: project minimal is held by a live session from ${devDirA} (pid ${first.pid}, foreground, attached, since ${held.startedAt}); ` +
          `watch it with: ${P} logs --follow --timestamps; stop it with: stagecraft dev down --dev-dir ${devDirA} (or Ctrl+C in its terminal), or wait for it to end\n`,
      );
      expect(callsBy(r.log(), second)).toEqual([]);
      expect(existsSync(path.join(other, 'session.json'))).toBe(false);
      // `dev down --dry-run` there says the real one would be refused, and runs nothing.
      const dryRun = await r.run(['down', '--dry-run', '--dev-dir', 'other-dev']);
      expect(dryRun.code).toBe(0);
      expect(dryRun.stdout).toBe(`# nothing: it would exit 4, because ${result.stderr.slice('stagecraft dev: error: '.length)}`);

      // The command it names stops the first session, from anywhere.
      const down = await r.run(['down', '--dev-dir', devDirA]);
      expect(down.code).toBe(0);
      expect((await first.exit()).code).toBe(143);
      // Once the first is gone, the other dev dir may run the project.
      const again = await r.run(['--dev-dir', 'other-dev', '--detach']);
      expect(again.code).toBe(0);
      expect(existsSync(path.join(other, 'session.json'))).toBe(true);
    },
    timeout,
  );

  test(
    'a --detach session leaves session.json (state detached) naming how to stop it; `dev down` removes it',
    async () => {
      const r = rig('minimal');
      const cli = r.spawn(['--detach']);
      const result = await cli.exit();
      expect(result.code).toBe(0);
      expect(readSession(r)).toMatchObject({ project: 'minimal', mode: 'detach', pid: cli.pid, state: 'detached' });
      const down = await r.run(['down']);
      expect(down.code).toBe(0);
      expectSteps(r.calls(), [minimal.up(), ...minimal.teardown()]);
      expect(existsSync(sessionPath(r))).toBe(false);
    },
    timeout,
  );
});

describe('`dev down --dry-run`', () => {
  test(
    'prints the teardown it would run, in `dev plan` form; runs nothing, signals nothing, keeps the session file',
    async () => {
      const r = rig('minimal');
      expect((await r.run(['--detach'])).code).toBe(0);
      const before = readSession(r);
      const dryRun = await r.run(['down', '--dry-run']);
      expect(dryRun).toMatchObject({ code: 0, stderr: '' });
      expect(dryRun.stdout).toBe(
        [
          '# teardown (volume rm: the anonymous volumes found, appended at run time; not run when none)',
          "docker ps --all --no-trunc --filter label=com.docker.compose.project=minimal --format '{{.Names}}\\t{{.Mounts}}'",
          "docker network ls --filter label=com.docker.compose.project=minimal --format '{{.Name}}'",
          'docker compose -p minimal down --remove-orphans',
          'docker volume rm --force',
          '',
        ].join('\n'),
      );
      expect(r.calls()).toEqual([minimal.up()]);
      expect(readSession(r)).toEqual(before);
    },
    timeout,
  );

  test(
    'with a live session, says it would ask it to stop first, and leaves it running',
    async () => {
      const r = rig('minimal');
      const holder = await attachedSession(r);
      const dryRun = await r.run(['down', '--dry-run']);
      expect(dryRun.code).toBe(0);
      expect(dryRun.stdout.split('\n')[0]).toBe(`# first: ask the live session (pid ${holder.pid}, attached) to stop with SIGTERM, and wait for it`);
      expectSteps(r.calls(), attachedSteps);
      expect(isAlive(holder.pid)).toBe(true);
      holder.signal('SIGINT');
      expect((await holder.exit()).code).toBe(130);
    },
    timeout,
  );
});

describe('a session killed with SIGKILL', () => {
  /**
   * A foreground session killed mid-session; its orphaned `logs --follow` and `events` end once
   * `down` runs, as compose's do (`followPid` names both: each test waits for them to end).
   */
  async function killedSession(r: CliRig, args: string[] = []): Promise<{ cli: CliProcess; record: SessionJson; followPid: number[] }> {
    // No guardian: this is the stale-record path a session killed without one leaves (SIGKILL).
    const cli = await attachedSession(r, ['--no-guardian', ...args], { 'logs --follow': { untilDown: true } });
    const record = await sessionIn(r, cli.pid, 'attached');
    process.kill(cli.pid, 'SIGKILL');
    expect(await cli.ended()).toEqual({ code: null, signal: 'SIGKILL' });
    const orphans = [pidOf(r, minimal.follow), pidOf(r, minimal.events)];
    // Nothing could tear down: the file stays, naming a dead pid, and the followers are orphaned.
    expect(readSession(r)).toEqual(record);
    expect(isAlive(cli.pid)).toBe(false);
    expect(orphans.filter((pid) => !isAlive(pid))).toEqual([]);
    return { cli, record, followPid: orphans };
  }

  /** The orphaned followers have ended. */
  const ended = (pids: readonly number[]) => () => pids.every((pid) => !isAlive(pid));

  test(
    'leaves session.json with the dead pid; `dev down` runs `down`, removes it, exits 0',
    async () => {
      const r = rig('minimal');
      const { cli, followPid } = await killedSession(r);
      expect(readSession(r)).toMatchObject({ pid: cli.pid, mode: 'foreground', state: 'attached' });

      const down = await r.run(['down']);
      expect(down.code).toBe(0);
      expect(down.stderr).toBe('stagecraft dev: project minimal had no container, network or anonymous volume left to remove\n');
      expectSteps(r.calls(), [...attachedSteps, ...minimal.teardown()]);
      expect(existsSync(sessionPath(r))).toBe(false);
      await waitFor(ended(followPid), 'the orphaned followers to end after `down`');
      for (const pid of followPid) expect(r.log().filter((e) => e.pid === pid && e.argv === undefined)).toEqual([{ exited: 0, pid }]);

      // Idempotent: again, with no session file at all.
      expect((await r.run(['down'])).code).toBe(0);
      expectSteps(r.calls().slice(9), minimal.teardown());
    },
    timeout,
  );

  test(
    'the next `stagecraft dev --detach` reports the stale session and runs its teardown (its own --grace) before `up`',
    async () => {
      const r = rig('minimal');
      const { cli, followPid } = await killedSession(r, ['--grace', '3']);

      const next = r.spawn(['--detach']);
      const result = await next.exit();
      expect(result.code).toBe(0);
      expectSteps(r.calls(), [
        ...attachedSteps,
        ...minimal.teardown(3), // the stale session's plan: its --grace 3
        minimal.up(),
      ]);
      expect(result.stderr).toBe(
        [
          `stagecraft dev: found a stale session of project minimal (pid ${cli.pid} is gone, last state attached); tearing it down before starting`,
          'stagecraft dev: project minimal had no container, network or anonymous volume left to remove',
          'stagecraft dev: starting project minimal…',
          'stagecraft dev: project minimal is running in the background; stop it with: stagecraft dev down',
          '',
        ].join('\n'),
      );
      expect(readSession(r)).toMatchObject({ pid: next.pid, mode: 'detach', state: 'detached' });
      await waitFor(ended(followPid), 'the orphaned followers to end after `down`');
    },
    timeout,
  );

  test(
    'the next foreground `stagecraft dev --verbose` shows claiming → reconciling → starting',
    async () => {
      const r = rig('minimal');
      const { followPid } = await killedSession(r);
      const next = await attachedSession(r, ['--verbose']);
      next.signal('SIGINT');
      const result = await next.exit();
      expect(result.code).toBe(130);
      expectSteps(r.calls(), [...attachedSteps, ...minimal.teardown(), ...attachedSteps, ...minimal.teardown()]);
      expect(result.stderr.split('\n').filter((line) => line.startsWith('stagecraft dev: state: '))).toEqual([
        'stagecraft dev: state: validating',
        'stagecraft dev: state: validating → claiming',
        'stagecraft dev: state: claiming → reconciling',
        'stagecraft dev: state: reconciling → starting',
        'stagecraft dev: state: starting → attached',
        'stagecraft dev: state: attached → stopping.graceful',
        'stagecraft dev: state: stopping.graceful → stopped',
      ]);
      expect(existsSync(sessionPath(r))).toBe(false);
      await waitFor(ended(followPid), 'the orphaned followers to end after `down`');
    },
    timeout,
  );

  test(
    'a stale session whose teardown fails: exit 2, nothing started, the stale file kept for `dev down`',
    async () => {
      const r = rig('minimal');
      const { cli, record, followPid } = await killedSession(r);
      const next = await r.run(['--detach'], { scenario: { down: { exitCode: 1, stderr: ['Error response from daemon: boom'] } } });
      expect(next.code).toBe(2);
      expectSteps(r.calls(), [...attachedSteps, minimal.survey, minimal.down()]);
      expect(next.stderr).toContain(`found a stale session of project minimal (pid ${cli.pid} is gone, last state attached)`);
      expect(next.stderr).toContain(
        `stagecraft dev: error: teardown of project minimal failed: \`${byLabel} down --remove-orphans\` exited with code 1; run \`stagecraft dev down\` to retry`,
      );
      // The stale stack may still run: the failed session puts the stale record back as it was,
      // says how to remove it, and the next `dev` (or `dev down`) deals with it.
      expect(readSession(r)).toEqual(record);
      expect(next.stderr).toContain('the stack of project minimal may still be there; remove it with: stagecraft dev down');
      expect((await r.run(['down'])).code).toBe(0);
      expect(existsSync(sessionPath(r))).toBe(false);
      await waitFor(ended(followPid), 'the orphaned followers to end after `down`');
    },
    timeout,
  );

  test(
    '`dev down` whose teardown fails: exit 2, and the stale record is put back for the next try',
    async () => {
      const r = rig('minimal');
      const { record, followPid } = await killedSession(r);
      const failed = await r.run(['down'], { scenario: { down: { exitCode: 1, stderr: ['Error response from daemon: boom'] } } });
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain(`stagecraft dev: error: teardown of project minimal failed: \`${byLabel} down --remove-orphans\` exited with code 1`);
      expect(readSession(r)).toEqual(record);
      expect((await r.run(['down'])).code).toBe(0);
      expectSteps(r.calls(), [...attachedSteps, minimal.survey, minimal.down(), ...minimal.teardown()]);
      expect(existsSync(sessionPath(r))).toBe(false);
      await waitFor(ended(followPid), 'the orphaned followers to end after `down`');
    },
    timeout,
  );
});

describe('`dev down` while a foreground session lives', () => {
  test(
    'SIGTERMs the holder, which tears down itself (143); then runs its own `down`, never overlapping; exit 0',
    async () => {
      const r = rig('minimal');
      const holder = await attachedSession(r, [], { down: { chunks: [{ text: '', delayMs: 300 }], logExit: true } });
      const down = r.spawn(['down'], { scenario: { down: { logExit: true } }, env: recordPpid });
      const [held, result] = await Promise.all([holder.exit(), down.exit()]);

      expect(held.code).toBe(143);
      expect(held.stderr).toContain('stagecraft dev: got SIGTERM: stopping project minimal');
      expect(held.stderr).toContain('stagecraft dev: stopped project minimal; nothing left running');
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(
        `stagecraft dev: project minimal has a live session (pid ${holder.pid}, attached); asked it to stop, waiting\n` +
          'stagecraft dev: project minimal had no container, network or anonymous volume left to remove\n',
      );

      const log = r.log();
      expectSteps(callsBy(log, holder), [...attachedSteps, ...minimal.teardown()]);
      expectSteps(callsBy(log, down), minimal.teardown());
      expectSteps(r.calls(), [...attachedSteps, ...minimal.teardown(), ...minimal.teardown()]);
      // No overlap: the holder's `down` had finished before the second one started.
      const holderDown = log.find((e) => e.ppid === holder.pid && same(e.argv, minimal.down()));
      const holderDownEnd = log.findIndex((e) => e.pid === holderDown?.pid && e.exited !== undefined);
      const secondDownStart = log.findIndex((e) => e.ppid === down.pid && same(e.argv, minimal.down()));
      expect(holderDownEnd).toBeGreaterThan(-1);
      expect(secondDownStart).toBeGreaterThan(holderDownEnd);
      expect(log[holderDownEnd]).toEqual({ exited: 0, pid: holderDown?.pid });
      expect(existsSync(sessionPath(r))).toBe(false);
    },
    timeout,
  );
});

describe('`dev status --json`', () => {
  const container = (service: string, state: string, exitCode: number, health = '') =>
    JSON.stringify({ Name: `minimal-${service}-1`, Service: service, State: state, Health: health, ExitCode: exitCode, Status: `${state} (${exitCode})` });
  const ps: FakeScenario = { ps: { stdout: [container('web', 'running', 0, 'healthy'), container('app', 'exited', 2)] } };
  const scriptedServices = [
    { service: 'app', container: 'minimal-app-1', state: 'exited', health: null, exitCode: 2, status: 'exited (2)' },
    { service: 'web', container: 'minimal-web-1', state: 'running', health: 'healthy', exitCode: null, status: 'running (0)' },
  ];
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

  test(
    'no session file, the stack up: session null, each container; exit 0; only `ps` runs',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['status', '--json'], { scenario: ps });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(json({ project: 'minimal', composeFile, session: null, services: scriptedServices }));
      expect(result.stderr).toBe('');
      expect(r.calls()).toEqual([minimal.ps]);
    },
    timeout,
  );

  test(
    '`ps` output that is not JSON (not compose v2): exit 2 saying so, not an internal error',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['status', '--json'], { scenario: { ps: { stdout: ['NAME   IMAGE   STATUS'] } } });
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toBe(
        `stagecraft dev: error: could not read the output of \`${['docker', ...minimal.ps].join(' ')}\` as JSON; is the compose command compose v2?\n`,
      );
      expect(r.calls()).toEqual([minimal.ps]);
    },
    timeout,
  );

  test(
    'no session file, the stack down: every service absent; still exit 0',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['status', '--json']);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        json({
          project: 'minimal',
          composeFile,
          session: null,
          services: [
            { service: 'app', container: null, state: 'absent', health: null, exitCode: null, status: '' },
            { service: 'web', container: null, state: 'absent', health: null, exitCode: null, status: '' },
          ],
        }),
      );
      expect(r.calls()).toEqual([minimal.ps]);
    },
    timeout,
  );

  test(
    'a live foreground session: its state, mode, pid, alive, times from session.json',
    async () => {
      const r = rig('minimal');
      const holder = await attachedSession(r);
      const record = readSession(r) as SessionJson;
      const result = await r.run(['status', '--json'], { scenario: ps });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        json({
          project: 'minimal',
          composeFile,
          session: { state: 'attached', mode: 'foreground', pid: holder.pid, alive: true, startedAt: record.startedAt, updatedAt: record.updatedAt },
          services: scriptedServices,
        }),
      );
      holder.signal('SIGINT');
      expect((await holder.exit()).code).toBe(130);
      expectSteps(r.calls(), [...attachedSteps, minimal.ps, ...minimal.teardown()]);
    },
    timeout,
  );

  test(
    'after --detach the file names a process that is gone: alive false, state detached',
    async () => {
      const r = rig('minimal');
      const detached = r.spawn(['--detach']);
      expect((await detached.exit()).code).toBe(0);
      const record = readSession(r) as SessionJson;
      const result = await r.run(['status', '--json'], { scenario: ps });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        json({
          project: 'minimal',
          composeFile,
          session: { state: 'detached', mode: 'detach', pid: detached.pid, alive: false, startedAt: record.startedAt, updatedAt: record.updatedAt },
          services: scriptedServices,
        }),
      );
      expect(r.calls()).toEqual([minimal.up(), minimal.ps]);
    },
    timeout,
  );

  test(
    'without --json: the table on stdout',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['status'], { scenario: ps });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        [
          `project  minimal (${composeFile})`,
          'session  none',
          '',
          'SERVICE  CONTAINER      STATE    HEALTH   EXIT',
          'app      minimal-app-1  exited   -        2',
          'web      minimal-web-1  running  healthy  -',
          '',
        ].join('\n'),
      );
    },
    timeout,
  );

  test(
    'when `ps` fails: exit 2 with the command named; nothing on stdout',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['status', '--json'], { scenario: { ps: { exitCode: 1, stderr: ['Error response from daemon: boom'] } } });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`stagecraft dev: error: \`${byLabel} ps --all --format json\` exited with code 1`);
    },
    timeout,
  );
});

describe('signals in every phase', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s during starting (`up` hangs): `up` and `events` get SIGTERM, then `down`; exit %i',
    async (signal, code) => {
      const r = rig('minimal');
      const cli = r.spawn([], { scenario: { up: { hang: true } } });
      await r.waitForCall(cli, minimal.events);
      await r.waitForCall(cli, minimal.up());
      cli.signal(signal);
      const result = await cli.exit();
      expect(result.code).toBe(code);
      expectSteps(r.calls(), [together(minimal.events, minimal.up()), ...minimal.teardown()]);
      const upPid = pidOf(r, minimal.up());
      const eventsPid = pidOf(r, minimal.events);
      const signalled = r.log().filter((e) => e.signal !== undefined).sort((a, b) => a.pid - b.pid);
      expect(signalled).toEqual([{ signal: 'SIGTERM', pid: upPid }, { signal: 'SIGTERM', pid: eventsPid }].sort((a, b) => a.pid - b.pid));
      // `up` was ended before `down` started.
      const log = r.log();
      expect(log.findIndex((e) => e.pid === upPid && e.signal === 'SIGTERM')).toBeLessThan(
        log.findIndex((e) => same(e.argv, minimal.down())),
      );
      expect(result.stderr).toContain(`stagecraft dev: got ${signal}: stopping project minimal`);
      expect(existsSync(sessionPath(r))).toBe(false);
    },
    timeout,
  );

  test(
    'a burst of 5 SIGINTs while `down` hangs, arriving together: one forced teardown (one kill, one down --timeout 0); exit 130',
    async () => {
      const r = rig('minimal');
      const cli = await attachedSession(r, [], { down: [{ hang: true }, {}] });
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.down());
      await burstWhileBusy(cli, ['SIGINT', 'SIGINT', 'SIGINT', 'SIGINT', 'SIGINT']);
      const result = await cli.exit();
      expect(result.code).toBe(130);
      expectSteps(r.calls(), [...attachedSteps, minimal.survey, minimal.down(), ...minimal.forcedTeardown]);
      expect(result.stderr.split('\n').filter((line) => line.includes(': forcing the teardown'))).toHaveLength(1);
      // The kernel merges the five pending SIGINTs of the stopped CLI into one: one STOP, which forced it.
      expect(result.stderr).not.toContain('still forcing the teardown');
      expect(result.stderr).not.toContain('gave up');
      expect(result.stderr).toContain('stagecraft dev: stopped project minimal; nothing left running');
      expect(existsSync(sessionPath(r))).toBe(false);
    },
    timeout,
  );

  test(
    'a burst of SIGINT, SIGTERM and SIGHUP while `down` hangs: one forced teardown, run in full; as its `down` hangs too, its own bound abandons it: exit 2 with the manual command',
    async () => {
      // The first STOP of the burst forces the teardown; the others cannot cut it short: it
      // gets its bounded chance (kill, the listings, down --timeout 0), and only then gives up.
      const r = rig('minimal');
      const cli = await attachedSession(r, ['--verbose'], { down: { hang: true } });
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.down());
      await burstWhileBusy(cli, ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGINT', 'SIGINT']);
      const result = await cli.exit(35_000);
      expect(result.code).toBe(2);
      const commands = result.stderr.split('\n').filter((line) => line.startsWith('stagecraft dev: $ '));
      expect(commands).toEqual([
        `stagecraft dev: $ ${P} events --json`,
        `stagecraft dev: $ ${P} up --detach --remove-orphans`,
        `stagecraft dev: $ ${P} logs --follow --timestamps`,
        `stagecraft dev: $ ${byLabel} ps --all --format json`,
        ...surveyLines,
        `stagecraft dev: $ ${byLabel} down --remove-orphans`,
        `stagecraft dev: $ ${byLabel} kill`,
        ...surveyLines,
        `stagecraft dev: $ ${byLabel} down --remove-orphans --timeout 0`,
      ]);
      expectSteps(r.calls(), [...attachedSteps, minimal.survey, minimal.down(), minimal.kill, minimal.survey, minimal.forcedDown]);
      // Pending signals of one kind merge: three STOPs (SIGINT, SIGTERM, SIGHUP); the two after the first were told it goes on.
      expect(result.stderr.split('\n').filter((line) => line.includes('still forcing the teardown'))).toHaveLength(2);
      expect(result.stderr.split('\n').filter((line) => line.startsWith('stagecraft dev: state: ')).slice(-3)).toEqual([
        'stagecraft dev: state: attached → stopping.graceful',
        'stagecraft dev: state: stopping.graceful → stopping.forced',
        'stagecraft dev: state: stopping.forced → abandoned',
      ]);
      expect(result.stderr).toContain(
        `stagecraft dev: remove it by hand: docker ps --all --quiet --filter label=com.docker.compose.project=minimal | xargs -r docker rm --force --volumes && ${byLabel} down --remove-orphans --timeout 0\n`,
      );
      // The stack may still run: the file stays, as `abandoned`, for `dev down`.
      expect(readSession(r)).toMatchObject({ pid: cli.pid, state: 'abandoned' });
    },
    timeout + 25_000,
  );

  test(
    'a late Ctrl+C after the session gave up (while a stuck `kill` is being killed) does not kill the CLI: exit 2',
    async () => {
      const r = rig('minimal');
      const cli = await attachedSession(r, [], { down: { hang: true }, kill: { ignoreTerm: true } });
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.down());
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.kill);
      cli.signal('SIGINT');
      // The forced teardown keeps its bounded chance (20 s), then gives up on its stuck `kill`.
      await r.waitForOutput(cli, 'stderr', 'gave up on the teardown', 30_000);
      // The CLI is still waiting for the stuck `kill` (SIGKILL after its grace).
      expect(cli.isRunning).toBe(true);
      cli.signal('SIGINT');
      cli.signal('SIGTERM');
      const result = await cli.exit(15_000);
      expect(result.code).toBe(2);
      expectSteps(r.calls(), [...attachedSteps, minimal.survey, minimal.down(), minimal.kill]);
      const killPid = pidOf(r, minimal.kill);
      expect(r.log().filter((e) => e.pid === killPid && e.signal !== undefined)).toEqual([{ signal: 'SIGTERM', ignored: true, pid: killPid }]);
    },
    timeout + 25_000,
  );
});

describe('the start race', () => {
  test(
    'two `stagecraft dev --detach` launched at the same instant, 20 rounds: each round one exits 4 while the other holds the lock in `up`, which then exits 0',
    async () => {
      const rounds = 20;
      for (let round = 0; round < rounds; round++) {
        // A rig per round: the winner's `up` returns only once the rig's log has a `printed`
        // marker, which the test writes when the loser has exited or both have run `up`. So
        // the winner holds the lock for as long as the loser may look, however late it starts.
        const r = rig('minimal');
        const scenario: FakeScenario = { up: { afterPrinted: true } };
        const a = r.spawn(['--detach'], { scenario, env: recordPpid });
        const b = r.spawn(['--detach'], { scenario, env: recordPpid });
        const ups = (): number => r.log().filter((e) => same(e.argv, minimal.up())).length;
        await waitFor(() => a.hasExited || b.hasExited || ups() === 2, `round ${round}: one CLI to exit, or both to run up`, 20_000);
        r.markPrinted();
        const [ra, rb] = await Promise.all([a.exit(), b.exit()]);
        const context = `round ${round}: codes ${ra.code}, ${rb.code}\nA stderr:\n${ra.stderr}\nB stderr:\n${rb.stderr}`;
        if (JSON.stringify([ra.code, rb.code].sort()) !== '[0,4]') throw new Error(`not one start and one refusal: ${context}`);
        const [winner, loser, lost] = ra.code === 0 ? [a, b, rb] : [b, a, ra];
        const log = r.log();
        expect(callsBy(log, winner)).toEqual([minimal.up()]);
        expect(callsBy(log, loser)).toEqual([]);
        expect(ups()).toBe(1);
        expect(lost.stderr).toContain(`stagecraft dev: error: project minimal is held by a live session (pid ${winner.pid}, detach, `);
        expect(readSession(r)).toMatchObject({ pid: winner.pid, state: 'detached' });

        const down = await r.run(['down']);
        expect(down.code).toBe(0);
        expectSteps(r.calls().slice(-5), minimal.teardown());
        expect(existsSync(sessionPath(r))).toBe(false);
      }
    },
    240_000,
  );
});

describe('bad input: exit 1 (or SPEC §5), the problem named, nothing run, bounded', () => {
  const file = composeFile;
  const service = 'services:\n  app:\n    image: busybox\n';
  const named = `name: shop\n${service}`;
  const invalidName = (name: string, source: string) =>
    `project name ${JSON.stringify(name)} (from ${source}) is invalid: compose needs lower-case letters, digits, '_' and '-', starting with a letter or digit`;
  const fromName = `\`name\` in ${file}`;

  /** A compose file of about `bytes` bytes, with many valid services. */
  function hugeCompose(bytes: number): string {
    const parts = ['name: huge\nservices:\n'];
    let size = parts[0]!.length;
    for (let i = 0; size < bytes; i++) {
      const block = `  svc${i}:\n    image: busybox:latest\n    command: ["sh", "-c", "echo ${'x'.repeat(100)}"]\n`;
      parts.push(block);
      size += block.length;
    }
    return parts.join('');
  }

  /** Billion laughs: 10 levels of 10 aliases each, 10^10 strings if expanded. */
  function aliasBomb(): string {
    const lines = ['name: bomb', 'x-l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level <= 9; level++) {
      lines.push(`x-l${level}: &l${level} [${Array.from({ length: 10 }, () => `*l${level - 1}`).join(',')}]`);
    }
    lines.push('services:', '  app:', '    image: busybox', '    command: *l9');
    return `${lines.join('\n')}\n`;
  }

  type Setup = (r: CliRig) => void;
  const compose = (text: string): Setup => (r) => r.writeComposeFile(text);
  const devDir = (r: CliRig) => path.join(r.cwd, '.stagecraft', 'dev');

  const cases: ReadonlyArray<readonly [string, readonly string[], Setup, number, string]> = [
    ['malformed YAML (unclosed flow sequence)', [], compose('name: x\nservices: [app\n'), 1,
      `${file} is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1; fix the file or generate the dev files again`],
    ['malformed YAML (a duplicate key)', [], compose(`name: a\nname: b\n${service}`), 1,
      `${file} is not valid YAML: Map keys must be unique at line 2, column 1; fix the file or generate the dev files again`],
    ['YAML that is a sequence', [], compose('- app\n- web\n'), 1, `${file} must be a YAML mapping with a top-level \`services\` key; generate the dev files again`],
    ['YAML that is a scalar', [], compose('just a string\n'), 1, `${file} must be a YAML mapping with a top-level \`services\` key; generate the dev files again`],
    ['an empty compose.yaml', [], compose(''), 1, `${file} must be a YAML mapping with a top-level \`services\` key; generate the dev files again`],
    ['no `services`', [], compose('name: x\n'), 1, `${file} has no \`services\`; a dev stack needs at least one service`],
    ['`services:` with no value', [], compose('name: x\nservices:\n'), 1, `${file} has no \`services\`; a dev stack needs at least one service`],
    ['`services` a sequence', [], compose('name: x\nservices: [app, web]\n'), 1, `${file}: \`services\` must be a mapping of service names`],
    ['`services` a string', [], compose('name: x\nservices: app\n'), 1, `${file}: \`services\` must be a mapping of service names`],
    ['an empty service list', [], compose('name: x\nservices: {}\n'), 1, `${file}: \`services\` is empty; a dev stack needs at least one service`],
    ['a service that is not a mapping', [], compose('name: x\nservices:\n  app: 3\n'), 1, `${file}: service \`app\` must be a mapping`],
    ['`name` upper case', [], compose(`name: Shop\n${service}`), 1, invalidName('Shop', fromName)],
    ['`name` with a leading dash', [], compose(`name: -shop\n${service}`), 1, invalidName('-shop', fromName)],
    ['`name` with a space', [], compose(`name: "my shop"\n${service}`), 1, invalidName('my shop', fromName)],
    ['`name` empty', [], compose(`name: ""\n${service}`), 1, invalidName('', fromName)],
    ['`name` not a string', [], compose(`name: 42\n${service}`), 1, `${file}: top-level \`name\` must be a string`],
    ['no `name` and no --project-name', [], compose(service), 1,
      `no project name: ${file} has no top-level \`name\` and --project-name was not given; add \`name:\` to compose.yaml or pass --project-name`],
    ['-p upper case', ['-p', 'Shop'], compose(named), 1, invalidName('Shop', '--project-name')],
    ['--project-name with a leading dash', ['--project-name=-shop'], compose(named), 1, invalidName('-shop', '--project-name')],
    ['-p with a space', ['-p', 'my shop'], compose(named), 1, invalidName('my shop', '--project-name')],
    ['-p empty', ['-p', ''], compose(named), 1, invalidName('', '--project-name')],
    ['-p followed by a dash word (read as flags)', ['-p', '-lead'], compose(named), 1, 'Not enough arguments following: p; see stagecraft dev --help'],
    ['compose.yaml is a directory', [], (r) => mkdirSync(path.join(r.cwd, file)), 1, `compose file ${file} is not a regular file; generate the dev files first`],
    ['compose.yaml is a FIFO (a reader would block)', [], (r) => execFileSync('mkfifo', [path.join(r.cwd, file)]), 1,
      `compose file ${file} is not a regular file; generate the dev files first`],
    // Unreadable, honestly, as root (where mode 000 still reads): a dangling symlink (ENOENT) and a symlink loop (ELOOP).
    ['compose.yaml is a dangling symlink', [], (r) => symlinkSync('/nonexistent/stagecraft/compose.yaml', path.join(r.cwd, file)), 1,
      `compose file not found at ${file}; generate the dev files first: run \`stagecraft init\` to write a stagecraft.yml, then \`stagecraft dev\``],
    ['compose.yaml is a symlink loop', [], (r) => symlinkSync('compose.yaml', path.join(r.cwd, file)), 1,
      `cannot read ${file}: a symbolic link loop; fix the link or pass another --dev-dir`],
    ['compose.yaml missing', [], () => undefined, 1, `compose file not found at ${file}; generate the dev files first: run \`stagecraft init\` to write a stagecraft.yml, then \`stagecraft dev\``],
    ['the dev dir missing', ['--dev-dir', 'no/such/dir'], compose(named), 1, 'dev dir not found at no/such/dir; generate the dev files first: run `stagecraft init` to write a stagecraft.yml, then `stagecraft dev`'],
    ['the dev dir is a file', ['--dev-dir', 'a-file'], (r) => writeFileSync(path.join(r.cwd, 'a-file'), 'x'), 1,
      'dev dir a-file is not a directory; pass the directory that holds compose.yaml with --dev-dir'],
    ['an unknown flag', ['--bogus'], compose(named), 1, 'Unknown argument: bogus; see stagecraft dev --help'],
    ['an unknown short flag', ['-z'], compose(named), 1, 'Unknown argument: z; see stagecraft dev --help'],
    ['an unknown command', ['frobnicate'], compose(named), 1, 'Unknown argument: frobnicate; see stagecraft dev --help'],
    ['--dev-dir without a value', ['--dev-dir'], compose(named), 1, 'Not enough arguments following: dev-dir; see stagecraft dev --help'],
    ['--grace negative', ['--grace', '-1'], compose(named), 1,
      '--grace must be a whole number of seconds from 0 to 86400 (got -1); fix the flag or its STAGECRAFT_* variable'],
    ['--grace not a number', ['--grace', 'soon'], compose(named), 1,
      '--grace must be a whole number of seconds from 0 to 86400 (got something that is not a number); fix the flag or its STAGECRAFT_* variable'],
    ['--grace empty', ['--grace', ''], compose(named), 1,
      '--grace must be a whole number of seconds from 0 to 86400 (got something that is not a number); fix the flag or its STAGECRAFT_* variable'],
    ['--grace in hex', ['--grace', '0x10'], compose(named), 1,
      '--grace must be a whole number of seconds from 0 to 86400 (got something that is not a number); fix the flag or its STAGECRAFT_* variable'],
    ['--grace fractional', ['--grace', '1.5'], compose(named), 1,
      '--grace must be a whole number of seconds from 0 to 86400 (got 1.5); fix the flag or its STAGECRAFT_* variable'],
    ['--wait-timeout negative', ['--wait', '--wait-timeout', '-5'], compose(named), 1,
      '--wait-timeout must be a whole number of seconds from 1 to 86400 (got -5); fix the flag or its STAGECRAFT_* variable'],
    ['--wait-timeout not a number', ['--wait-timeout', 'x'], compose(named), 1,
      '--wait-timeout must be a whole number of seconds from 1 to 86400 (got something that is not a number); fix the flag or its STAGECRAFT_* variable'],
    ['--wait-timeout 0', ['--wait-timeout', '0'], compose(named), 1,
      '--wait-timeout must be a whole number of seconds from 1 to 86400 (got 0); fix the flag or its STAGECRAFT_* variable'],
    ['--compose-command ""', ['--compose-command', ''], compose(named), 1,
      '--compose-command is empty; pass the compose invocation, e.g. --compose-command "docker compose"'],
    ['--compose-command of spaces', ['--compose-command', '   '], compose(named), 1,
      '--compose-command is empty; pass the compose invocation, e.g. --compose-command "docker compose"'],
    ['--compose-command with an unterminated quote', ['--compose-command', 'docker "compose'], compose(named), 1,
      '--compose-command "docker \\"compose" has an unterminated " quote; fix the quoting'],
    ['`machine --format` without a value', ['machine', '--format'], compose(named), 1, 'Not enough arguments following: format; see stagecraft dev --help'],
    ['a STAGECRAFT_WAIT that is not a yes or no', ['--detach'], compose(named), 1,
      'STAGECRAFT_WAIT is neither true nor false; set it to 1/0, true/false, yes/no or on/off; see stagecraft dev --help'],
    ['--compose-command ending in a lone backslash', ['--compose-command', 'docker\\'], compose(named), 1,
      '--compose-command "docker\\\\" has a trailing \\ that escapes nothing; fix the quoting'],
    ['`status` with --dry-run', ['status', '--dry-run'], compose(named), 1,
      '`dev status` has no --dry-run (check STAGECRAFT_DRY_RUN too); `stagecraft dev --dry-run` and `stagecraft dev down --dry-run` print what they would run; see stagecraft dev --help'],
    ['`generate` with STAGECRAFT_DRY_RUN', ['generate'], compose(named), 1,
      '`dev generate` has no --dry-run (check STAGECRAFT_DRY_RUN too); `stagecraft dev --dry-run` and `stagecraft dev down --dry-run` print what they would run; see stagecraft dev --help'],
    ['a 10 MB compose file', [], compose(hugeCompose(10 * 1024 * 1024)), 1,
      `compose file ${file} is 10.0 MB, over the 4 MB stagecraft reads; check what generated it`],
    ['a billion-laughs alias bomb', [], compose(aliasBomb()), 1,
      `${file} cannot be loaded: Excessive alias count indicates a resource exhaustion attack; fix the file`],
    ['a bad STAGECRAFT_GRACE', ['--detach'], compose(named), 1,
      'STAGECRAFT_GRACE must be a whole number of seconds from 0 to 86400 (got "-3"); fix or unset it; see stagecraft dev --help'],
    ['`down` with malformed YAML and no session file', ['down'], compose('name: x\nservices: [app\n'), 1,
      `${file} is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1; fix the file or generate the dev files again`],
    ['`down` with --grace negative', ['down', '--grace', '-1'], compose(named), 1,
      '--grace must be a whole number of seconds from 0 to 86400 (got -1); fix the flag or its STAGECRAFT_* variable'],
    ['`down` with a dev dir that is a file', ['down', '--dev-dir', 'a-file'], (r) => writeFileSync(path.join(r.cwd, 'a-file'), 'x'), 1,
      'dev dir a-file is not a directory; pass the directory that holds compose.yaml with --dev-dir'],
    ['`status` with an invalid -p', ['status', '--json', '-p', 'Shop'], compose(named), 1, invalidName('Shop', '--project-name')],
    ['`status` with the dev dir missing', ['status', '--dev-dir', 'nope'], () => undefined, 1, 'dev dir not found at nope; generate the dev files first: run `stagecraft init` to write a stagecraft.yml, then `stagecraft dev`'],
  ];

  test('the table has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(new Set(cases.map(([name]) => name)).size).toBe(cases.length);
  });

  test.each(cases)(
    '%s',
    async (name, args, setup, code, message) => {
      const r = rig(undefined);
      setup(r);
      expect(existsSync(devDir(r))).toBe(true);
      const started = Date.now();
      // A small heap: a case that tried to expand its input would die of it (not exit 1).
      const env: Record<string, string> = { NODE_OPTIONS: '--max-old-space-size=64' };
      if (name === 'a bad STAGECRAFT_GRACE') env['STAGECRAFT_GRACE'] = '-3';
      if (name === '`generate` with STAGECRAFT_DRY_RUN') env['STAGECRAFT_DRY_RUN'] = '1';
      if (name === 'a STAGECRAFT_WAIT that is not a yes or no') env['STAGECRAFT_WAIT'] = 'maybe';
      const result = await r.run(args, { env }, 10_000);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(result.code).toBe(code);
      expect(result.stderr).toBe(`stagecraft dev: error: ${message}\n`);
      expect(result.stdout).toBe('');
      expect(r.log()).toEqual([]);
      expect(existsSync(path.join(devDir(r), 'session.json'))).toBe(false);
    },
    timeout,
  );
});
