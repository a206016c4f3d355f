// The execa adapter against the fake docker (test/fixtures/bin/docker): real child
// processes, real signals, real process groups. No execa mocking.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PlannedCommand } from '../../machines/dev-session.types.js';
import type { ComposeFailure, ComposeRunnerObserver } from '../../src/compose/compose-runner.js';
import { ExecaComposeRunner } from '../../src/compose/execa-compose-runner.js';
import {
  fakeBinDir,
  fakeMarkers,
  isAlive,
  killIfOurs,
  readFakeLog,
  recordedCalls,
  recordedPids,
  waitFor,
  type FakeScenario,
} from '../fixtures/fake-docker.js';

const timeout = 20_000;
const project = ['compose', '-p', 'proj', '-f', '.stagecraft/dev/compose.yaml'];
const version: PlannedCommand = { phase: 'explain', argv: ['docker', 'compose', 'version'] };
const up: PlannedCommand = { phase: 'start', argv: ['docker', ...project, 'up', '--detach', '--remove-orphans'] };
const follow: PlannedCommand = { phase: 'attach', argv: ['docker', ...project, 'logs', '--follow'] };

type Observed = ['started', PlannedCommand] | ['output', PlannedCommand, string] | ['ended', PlannedCommand, number | undefined, string | undefined];

interface Rig {
  readonly runner: ExecaComposeRunner;
  readonly logFile: string;
  readonly observed: Observed[];
}

let dirs: string[] = [];
let runners: ExecaComposeRunner[] = [];

/** The system's mkfifo, for rigs that let the runner make real pipes. */
const mkfifo = spawnSync('sh', ['-c', 'command -v mkfifo'], { encoding: 'utf8' }).stdout.trim();

interface RigOptions {
  path?: 'fake' | 'node-only';
  killGraceMs?: number;
  colorLogs?: boolean;
  recordEnv?: string[];
  /** Put mkfifo on the rig's PATH too, so followed children write into a real pipe (os-pipe.ts). */
  mkfifo?: boolean;
}

function rig(scenario: FakeScenario, options: RigOptions = {}): Rig {
  const root = mkdtempSync(path.join(tmpdir(), 'stagecraft-execa-'));
  dirs.push(root);
  // Only node in it: node's own folder may hold a real docker.
  const nodeBin = path.join(root, 'node-bin');
  mkdirSync(nodeBin);
  symlinkSync(process.execPath, path.join(nodeBin, 'node'));
  if (options.mkfifo) symlinkSync(mkfifo, path.join(nodeBin, 'mkfifo'));
  const logFile = path.join(root, 'docker-calls.jsonl');
  const observed: Observed[] = [];
  const observer: ComposeRunnerObserver = {
    commandStarted: (command) => observed.push(['started', command]),
    commandOutput: (command, line) => observed.push(['output', command, line]),
    commandEnded: (command, exitCode, failure) => observed.push(['ended', command, exitCode, failure?.kind]),
  };
  const runner = new ExecaComposeRunner({
    cwd: root,
    env: {
      PATH: options.path === 'node-only' ? nodeBin : `${fakeBinDir}${path.delimiter}${nodeBin}`,
      FAKE_DOCKER_LOG: logFile,
      FAKE_DOCKER_SCENARIO: JSON.stringify(scenario),
      FAKE_DOCKER_RECORD_ENV: (options.recordEnv ?? []).join(','),
      FAKE_DOCKER_RECORD_STDOUT: '1',
    },
    observer,
    colorLogs: options.colorLogs ?? false,
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
  });
  runners.push(runner);
  return { runner, logFile, observed };
}

afterEach(async () => {
  for (const runner of runners) runner.killAll();
  const logs = dirs.map((dir) => path.join(dir, 'docker-calls.jsonl'));
  const pids = logs.flatMap(recordedPids);
  await waitFor(() => pids.every((pid) => !isAlive(pid)), 'every fake to end', 2000).catch(() => undefined);
  const leftovers = pids.filter((pid) => fakeMarkers.some((marker) => killIfOurs(pid, marker)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
  runners = [];
  if (leftovers.length > 0) throw new Error(`left running after the test: pids ${leftovers.join(', ')}`);
});

/** The pid of the fake that recorded `command`, once it is running. */
async function pidOf(logFile: string, command: PlannedCommand, nth = 0): Promise<number> {
  const argv = JSON.stringify(command.argv.slice(1));
  const matching = () => readFakeLog(logFile).filter((e) => JSON.stringify(e.argv) === argv);
  await waitFor(() => matching().length > nth, `the fake to run ${command.argv.join(' ')}`);
  return (matching()[nth] as { pid: number }).pid;
}

/** Settles a promise into a value the test can assert on, without an unhandled rejection. */
function outcome<T>(promise: Promise<T>): Promise<{ resolved: T } | { rejected: unknown }> {
  return promise.then(
    (resolved) => ({ resolved }),
    (rejected: unknown) => ({ rejected }),
  );
}

describe('ExecaComposeRunner.run', () => {
  test(
    'a child killed by a stop signal nobody sent it (a Ctrl+C caught between fork and setsid) is run again, up to 3 times in all',
    async () => {
      const { runner, observed } = rig({});
      const root = mkdtempSync(path.join(tmpdir(), 'stagecraft-retry-'));
      dirs.push(root);
      // Dies of SIGINT on its first two runs (one marker file per run), answers on the third.
      // Shell builtins only: the rig's PATH holds node and the fake docker.
      const script = 'n=0; for f in "$1"/run*; do [ -e "$f" ] && n=$((n+1)); done; : > "$1/run$n"; [ "$n" -lt 2 ] && kill -INT $$; echo "answered on run $n"';
      const flaky: PlannedCommand = { phase: 'explain', argv: ['/bin/sh', '-c', script, 'sh', root] };
      expect(await runner.run(flaky, new AbortController().signal)).toEqual({ stdout: 'answered on run 2', stderrTail: '' });
      expect(observed.filter(([kind]) => kind === 'started')).toHaveLength(3);
      expect(readdirSync(root).sort()).toEqual(['run0', 'run1', 'run2']);

      // A fourth death is not retried: the failure says which signal.
      const always: PlannedCommand = { phase: 'explain', argv: ['/bin/sh', '-c', 'kill -TERM $$'] };
      const result = await outcome(runner.run(always, new AbortController().signal));
      expect(result).toMatchObject({ rejected: { type: 'compose-failure', signal: 'SIGTERM' } });
      expect(observed.filter(([kind, command]) => kind === 'started' && command === always)).toHaveLength(3);
    },
    timeout,
  );

  test(
    'with a line listener: each line of stdout and stderr as it comes, stdout\'s to the observer too; the same result',
    async () => {
      const { runner, observed } = rig({
        version: { stdout: ['#5 [api 2/3] RUN make', '#5 0.412 done'], stderr: [' Container shop-api-1  Starting'] },
      });
      const lines: Array<[string, string]> = [];
      const result = await runner.run(version, new AbortController().signal, (line, stream) => lines.push([stream, line]));
      expect(result).toEqual({ stdout: '#5 [api 2/3] RUN make\n#5 0.412 done', stderrTail: ' Container shop-api-1  Starting' });
      expect(lines.filter(([stream]) => stream === 'stdout')).toEqual([
        ['stdout', '#5 [api 2/3] RUN make'],
        ['stdout', '#5 0.412 done'],
      ]);
      expect(lines.filter(([stream]) => stream === 'stderr')).toEqual([['stderr', ' Container shop-api-1  Starting']]);
      expect(observed.filter(([kind]) => kind === 'output').map((entry) => entry[2]).sort()).toEqual(
        [' Container shop-api-1  Starting', '#5 0.412 done', '#5 [api 2/3] RUN make'],
      );
    },
    timeout,
  );

  test(
    'resolves with the captured stdout and the stderr tail; tells the observer',
    async () => {
      const { runner, logFile, observed } = rig({
        version: { stdout: ['Docker Compose version v2.99.0-fake'], stderr: ['a note on stderr'] },
      });
      const result = await runner.run(version, new AbortController().signal);
      expect(result).toEqual({ stdout: 'Docker Compose version v2.99.0-fake', stderrTail: 'a note on stderr' });
      expect(recordedCalls(logFile)).toEqual([['compose', 'version']]);
      expect(observed).toEqual([
        ['started', version],
        ['output', version, 'a note on stderr'],
        ['ended', version, 0, undefined],
      ]);
    },
    timeout,
  );

  test(
    'a non-zero exit rejects with an exit-non-zero ComposeFailure carrying the last 20 stderr lines',
    async () => {
      const stderr = Array.from({ length: 25 }, (_, i) => `Error response from daemon: line ${i + 1}`);
      const { runner, logFile } = rig({ up: { exitCode: 1, stderr } });
      const failure: ComposeFailure = {
        type: 'compose-failure',
        kind: 'exit-non-zero',
        command: up,
        exitCode: 1,
        signal: undefined,
        stderrTail: stderr.slice(-20).join('\n'),
      };
      await expect(runner.run(up, new AbortController().signal)).rejects.toEqual(failure);
      expect(recordedCalls(logFile)).toEqual([up.argv.slice(1)]);
    },
    timeout,
  );

  test.each([
    ['daemon-down', 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'],
    ['compose-missing', "docker: 'compose' is not a docker command."],
  ] as const)(
    'reads %s from what docker prints',
    async (kind, line) => {
      const { runner } = rig({ version: { exitCode: 1, stderr: [line] } });
      const failure: ComposeFailure = { type: 'compose-failure', kind, command: version, exitCode: 1, signal: undefined, stderrTail: line };
      await expect(runner.run(version, new AbortController().signal)).rejects.toEqual(failure);
    },
    timeout,
  );

  test(
    'docker not on PATH (ENOENT) rejects with docker-missing',
    async () => {
      const { runner, logFile } = rig({}, { path: 'node-only' });
      const failure: ComposeFailure = {
        type: 'compose-failure',
        kind: 'docker-missing',
        command: version,
        exitCode: undefined,
        signal: undefined,
        stderrTail: 'docker: ENOENT',
      };
      await expect(runner.run(version, new AbortController().signal)).rejects.toEqual(failure);
      expect(readFakeLog(logFile)).toEqual([]);
    },
    timeout,
  );

  test(
    'aborting the signal ends the child’s whole process group and rejects canceled',
    async () => {
      const { runner, logFile } = rig({ up: { hang: true, grandchild: true } });
      const abort = new AbortController();
      const result = outcome(runner.run(up, abort.signal));
      const fakePid = await pidOf(logFile, up);
      const grandchild = readFakeLog(logFile).find((e) => e.grandchild !== undefined)?.grandchild;
      if (grandchild === undefined) throw new Error('the fake recorded no grandchild');
      expect([isAlive(fakePid), isAlive(grandchild)]).toEqual([true, true]);

      abort.abort();
      expect(await result).toEqual({
        rejected: { type: 'compose-failure', kind: 'canceled', command: up, exitCode: 143, signal: undefined, stderrTail: '' },
      });
      await waitFor(() => !isAlive(fakePid) && !isAlive(grandchild), 'the fake and its grandchild to end', 3000);
      expect(readFakeLog(logFile).filter((e) => e.signal !== undefined)).toEqual([{ signal: 'SIGTERM', pid: fakePid }]);
    },
    timeout,
  );

  test(
    'a signal aborted before the call starts nothing and rejects canceled',
    async () => {
      const { runner, logFile, observed } = rig({});
      const abort = new AbortController();
      abort.abort();
      await expect(runner.run(up, abort.signal)).rejects.toEqual({
        type: 'compose-failure',
        kind: 'canceled',
        command: up,
        exitCode: undefined,
        signal: undefined,
        stderrTail: '',
      });
      expect(readFakeLog(logFile)).toEqual([]);
      expect(observed).toEqual([]);
    },
    timeout,
  );
});

describe('ExecaComposeRunner.follow', () => {
  test(
    'delivers whole lines only, even when the child writes partial lines with pauses',
    async () => {
      const { runner } = rig({
        'logs --follow': {
          chunks: [
            { text: 'web-1  | hel' },
            { text: 'lo\nweb-1  | wor', delayMs: 80 },
            { text: 'ld\nweb-1  | no newline at the end', delayMs: 80 },
          ],
        },
      });
      const texts: string[] = [];
      const followed = runner.follow(follow, (text) => texts.push(text));
      expect(await followed.done).toEqual({ stdout: '', stderrTail: '' });
      expect(texts.filter((text) => !text.endsWith('\n'))).toEqual([]);
      expect(texts.join('').split('\n')).toEqual([
        'web-1  | hello',
        'web-1  | world',
        'web-1  | no newline at the end',
        '',
      ]);
    },
    timeout,
  );

  test(
    'a last line cut where the child was stopped is dropped, not shown cut (a re-attach would take it as seen)',
    async () => {
      const { runner, logFile } = rig({ 'logs --follow': { chunks: [{ text: 'web-1  | whole\nweb-1  | cu' }], hang: true } });
      const texts: string[] = [];
      const followed = runner.follow(follow, (text) => texts.push(text));
      await pidOf(logFile, follow);
      await waitFor(() => texts.join('') === 'web-1  | whole\n', 'the whole line', 5000);
      followed.stop();
      await followed.done;
      expect(texts.join('')).toBe('web-1  | whole\n');
    },
    timeout,
  );

  test(
    'gives a followed child a real pipe when mkfifo is there, and delivers every line before done resolves',
    async () => {
      const lines = Array.from({ length: 3000 }, (_, i) => `web-1  | line ${i + 1}`);
      const { runner, logFile } = rig({ 'logs --follow': { stdout: lines } }, { mkfifo: true });
      const ours = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`stagecraft-${process.pid}-`) && name.endsWith('.fifo'));
      const texts: string[] = [];
      const followed = runner.follow(follow, (text) => texts.push(text));
      await followed.done;
      // Everything the child wrote is in before `done`: the child may exit before its pipe is read.
      expect(texts.join('').split('\n')).toEqual([...lines, '']);
      expect(texts.filter((text) => !text.endsWith('\n'))).toEqual([]);
      // Batched: far fewer deliveries than lines.
      expect(texts.length).toBeLessThan(lines.length / 10);
      expect(readFakeLog(logFile).find((e) => e.argv !== undefined)?.stdoutKind).toBe('fifo');
      // The FIFO was unlinked as soon as it was open.
      expect(ours()).toEqual([]);
    },
    timeout,
  );

  test(
    'falls back to an ordinary stdio pipe without mkfifo, and captured commands never get a FIFO',
    async () => {
      const { runner, logFile } = rig({ 'logs --follow': { stdout: ['web-1  | hello'] }, version: { stdout: ['v2'] } });
      const texts: string[] = [];
      await runner.follow(follow, (text) => texts.push(text)).done;
      expect(texts.join('')).toBe('web-1  | hello\n');
      const withMkfifo = rig({ version: { stdout: ['v2'] } }, { mkfifo: true });
      expect((await withMkfifo.runner.run(version, new AbortController().signal)).stdout).toBe('v2');
      expect([...readFakeLog(logFile), ...readFakeLog(withMkfifo.logFile)].filter((e) => e.argv !== undefined).map((e) => e.stdoutKind)).toEqual([
        'socket',
        'socket',
      ]);
    },
    timeout,
  );

  test(
    'stop() ends a followed child writing into a real pipe, and done resolves',
    async () => {
      const { runner, logFile } = rig({ 'logs --follow': { stdout: ['web-1  | up'], hang: true } }, { mkfifo: true });
      const texts: string[] = [];
      const followed = runner.follow(follow, (text) => texts.push(text));
      const pid = await pidOf(logFile, follow);
      await waitFor(() => texts.join('') === 'web-1  | up\n', 'the first line', 5000);
      followed.stop();
      expect(await followed.done).toEqual({ stdout: '', stderrTail: '' });
      expect(isAlive(pid)).toBe(false);
    },
    timeout,
  );

  test(
    'asks compose for colour only on followed output, when colorLogs is set',
    async () => {
      const { runner, logFile } = rig({}, { colorLogs: true, recordEnv: ['COMPOSE_ANSI'] });
      await runner.follow(follow, () => undefined).done;
      await runner.run(version, new AbortController().signal);
      expect(readFakeLog(logFile).map((e) => e.env)).toEqual([{ COMPOSE_ANSI: 'always' }, { COMPOSE_ANSI: null }]);
    },
    timeout,
  );

  test(
    'stop() on a child that ignores SIGTERM escalates to SIGKILL after killGraceMs',
    async () => {
      const killGraceMs = 300;
      const { runner, logFile, observed } = rig({ 'logs --follow': { ignoreTerm: true } }, { killGraceMs });
      const followed = runner.follow(follow, () => undefined);
      const pid = await pidOf(logFile, follow);
      const stoppedAt = Date.now();
      followed.stop();
      followed.stop(); // safe twice
      expect(await followed.done).toEqual({ stdout: '', stderrTail: '' });
      const elapsed = Date.now() - stoppedAt;
      // Timers may fire a millisecond early; the default grace is 5 s.
      expect(elapsed).toBeGreaterThanOrEqual(killGraceMs - 5);
      expect(elapsed).toBeLessThan(4000);
      expect(isAlive(pid)).toBe(false);
      expect(readFakeLog(logFile).filter((e) => e.signal !== undefined)).toEqual([{ signal: 'SIGTERM', ignored: true, pid }]);
      expect(observed.at(-1)).toEqual(['ended', follow, undefined, 'canceled']);
    },
    timeout,
  );
});

describe('ExecaComposeRunner.killAll', () => {
  test(
    'SIGKILLs every live child, followed or run',
    async () => {
      const { runner, logFile } = rig({ 'logs --follow': { ignoreTerm: true }, up: { hang: true } });
      const followed = runner.follow(follow, () => undefined);
      const ran = outcome(runner.run(up, new AbortController().signal));
      const pids = [await pidOf(logFile, follow), await pidOf(logFile, up)];
      expect(pids.map(isAlive)).toEqual([true, true]);

      runner.killAll();
      const [followedEnd, ranEnd] = await Promise.all([outcome(followed.done), ran]);
      expect(followedEnd).toEqual({ rejected: expect.objectContaining({ type: 'compose-failure', command: follow, signal: 'SIGKILL' }) });
      expect(ranEnd).toEqual({ rejected: expect.objectContaining({ type: 'compose-failure', command: up, signal: 'SIGKILL' }) });
      expect(pids.map(isAlive)).toEqual([false, false]);
      // SIGKILL cannot be caught: no marker.
      expect(readFakeLog(logFile).filter((e) => e.signal !== undefined)).toEqual([]);
    },
    timeout,
  );
});

describe('ExecaComposeRunner.idle', () => {
  test('resolves at once with no child', async () => {
    const { runner } = rig({});
    await expect(runner.idle()).resolves.toBeUndefined();
  });

  test(
    'resolves only once a cancelled child that ignores SIGTERM has exited (SIGKILLed after the grace)',
    async () => {
      const { runner, logFile } = rig({ up: { ignoreTerm: true } }, { killGraceMs: 300 });
      const abort = new AbortController();
      const ran = outcome(runner.run(up, abort.signal));
      const pid = await pidOf(logFile, up);
      abort.abort();
      let idle = false;
      const waited = runner.idle().then(() => {
        idle = true;
      });
      // The child got SIGTERM and ignored it: until the SIGKILL, the runner is not idle.
      await waitFor(() => readFakeLog(logFile).some((e) => e.pid === pid && e.ignored === true), 'the child to ignore SIGTERM', 10_000);
      expect(idle).toBe(false);
      expect(isAlive(pid)).toBe(true);
      await waited;
      expect(isAlive(pid)).toBe(false);
      expect(await ran).toEqual({ rejected: expect.objectContaining({ kind: 'canceled', signal: 'SIGKILL' }) });
      await expect(runner.idle()).resolves.toBeUndefined();
    },
    timeout,
  );

  test(
    'for some phases: resolves while a child of another phase still runs (a follower being stopped), not while one of them does',
    async () => {
      const { runner, logFile } = rig({ 'logs --follow': { ignoreTerm: true }, up: { ignoreTerm: true } }, { killGraceMs: 60_000 });
      const followed = runner.follow(follow, () => undefined);
      const followerPid = await pidOf(logFile, follow);
      followed.stop();
      await runner.idle({ phases: ['start'] });
      expect(isAlive(followerPid)).toBe(true);
      const abort = new AbortController();
      const ran = outcome(runner.run(up, abort.signal));
      const upPid = await pidOf(logFile, up);
      abort.abort();
      let idle = false;
      const waited = runner.idle({ phases: ['start'] }).then(() => {
        idle = true;
      });
      await waitFor(() => readFakeLog(logFile).some((e) => e.pid === upPid && e.ignored === true), 'up to ignore SIGTERM', 10_000);
      expect(idle).toBe(false);
      runner.killAll();
      await waited;
      expect(isAlive(upPid)).toBe(false);
      expect(await ran).toEqual({ rejected: expect.objectContaining({ kind: 'canceled', signal: 'SIGKILL' }) });
      await runner.idle();
      expect(isAlive(followerPid)).toBe(false);
    },
    timeout,
  );

  test(
    'with a bound, SIGKILLs what still runs after it (the runner’s own grace would be a minute)',
    async () => {
      const { runner, logFile } = rig({ up: { ignoreTerm: true } }, { killGraceMs: 60_000 });
      const abort = new AbortController();
      const ran = outcome(runner.run(up, abort.signal));
      const pid = await pidOf(logFile, up);
      abort.abort();
      await runner.idle({ killAfterMs: 200 });
      expect(isAlive(pid)).toBe(false);
      expect(await ran).toEqual({ rejected: expect.objectContaining({ kind: 'canceled', signal: 'SIGKILL' }) });
    },
    timeout,
  );
});
