// L3 for the day-two commands (SPEC §2): `dev logs` and `dev exec` as real processes with
// the fake docker first on PATH. Each case asserts the exit code, what the user reads and
// the whole list of docker calls; the rig's afterEach fails a case that leaves anything running.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliPath, CliProcess, composeFile, useCliRigs, type CliRig } from './cli-harness.js';
import { fakeBinDir, isAlive, waitFor } from '../fixtures/fake-docker.js';
import { guardiansIn } from '../fixtures/process-table.js';

const timeout = 20_000;
const rig = useCliRigs();
const p = ['compose', '-p', 'minimal', '-f', composeFile];
/** The project by its label alone: what runs once the dev files are gone. */
const byLabel = ['compose', '-p', 'minimal'];
const ps = [...byLabel, 'ps', '--all', '--format', 'json'];
const erase = '\u001b[2K';
const appLines = { stdout: [`${erase}app-1  | listening on :3000`, `${erase}app-1  | ready`] };

/** One `ps --format json` line of a running container. */
const running = (service: string) => JSON.stringify({ Name: `minimal-${service}-1`, Service: service, State: 'running', Health: '', ExitCode: 0 });

/** The rig's project without its dev files (deleted), as after `rm -rf .stagecraft/dev/compose.yaml`. */
function withoutDevFiles(r: CliRig): CliRig {
  rmSync(path.join(r.cwd, composeFile));
  return r;
}

/** `[pid, signal]` for each signal a fake got, in order. */
function signalsGot(r: CliRig): Array<[number, string]> {
  return r.log().flatMap((e) => (e.signal === undefined ? [] : [[e.pid, e.signal] as [number, string]]));
}

describe('stagecraft dev logs', () => {
  test(
    'named services with --tail and --since: that argv, its lines on stdout with their prefix, exit 0',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['logs', 'app', 'web', '--tail', '5', '--since', '10m'], { scenario: { logs: appLines } });
      expect(result).toEqual({ code: 0, stdout: 'app-1  | listening on :3000\napp-1  | ready\n', stderr: '' });
      expect(r.calls()).toEqual([[...p, 'logs', '--tail', '5', '--since', '10m', 'app', 'web']]);
    },
    timeout,
  );

  test(
    '--no-log-prefix: the lines alone, as a session prints them',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['logs', '--no-log-prefix'], { scenario: { logs: appLines } });
      expect(result).toEqual({ code: 0, stdout: 'listening on :3000\nready\n', stderr: '' });
      expect(r.calls()).toEqual([[...p, 'logs']]);
    },
    timeout,
  );

  test(
    '-f: followed until Ctrl+C, which ends it with exit 0 and stops compose (nothing to tear down)',
    async () => {
      const r = rig('minimal');
      const follow = [...p, 'logs', '--follow', 'app'];
      const cli = r.spawn(['logs', '-f', 'app'], { scenario: { 'logs --follow': { ...appLines, hang: true } } });
      await r.waitForCall(cli, follow);
      await r.waitForOutput(cli, 'stdout', 'app-1  | ready\n');
      cli.signal('SIGINT');
      expect(await cli.exit()).toEqual({ code: 0, stdout: 'app-1  | listening on :3000\napp-1  | ready\n', stderr: '' });
      expect(r.calls()).toEqual([follow]);
      // compose has its own process group: the terminal's SIGINT never reached it, stagecraft stopped it.
      expect(signalsGot(r)).toEqual([[r.pidOf(follow), 'SIGTERM']]);
    },
    timeout,
  );

  test(
    'SIGTERM ends a follow too, with 143',
    async () => {
      const r = rig('minimal');
      const follow = [...p, 'logs', '--follow'];
      const cli = r.spawn(['logs', '--follow'], { scenario: { 'logs --follow': { hang: true } } });
      await r.waitForCall(cli, follow);
      cli.signal('SIGTERM');
      expect((await cli.exit()).code).toBe(143);
      expect(r.calls()).toEqual([follow]);
    },
    timeout,
  );

  test(
    'SIGKILL of a following CLI: its guardian kills the `logs --follow` child, which would have outlived it; no other command runs',
    async () => {
      const r = rig('minimal');
      const follow = [...p, 'logs', '--follow'];
      const cli = r.spawn(['logs', '--follow'], { scenario: { 'logs --follow': { hang: true } } });
      await r.waitForCall(cli, follow);
      await waitFor(() => guardiansIn(r.cwd).length === 1, "the guardian's watcher to run", 5000);
      const [watcher] = guardiansIn(r.cwd);
      const follower = r.pidOf(follow);
      process.kill(cli.pid, 'SIGKILL');
      expect(await cli.ended()).toEqual({ code: null, signal: 'SIGKILL' });
      await waitFor(() => !isAlive(watcher ?? -1) && !isAlive(follower), 'the guardian to kill the follower and exit', 10_000);
      expect(r.calls()).toEqual([follow]);
      // SIGKILLed: the fake had no chance to mark a signal of its own.
      expect(signalsGot(r)).toEqual([]);
    },
    timeout,
  );

  test(
    'an unknown service: exit 1 listing the services, and no docker call',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['logs', 'app', 'nope']);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: 'stagecraft dev: error: no service "nope" in project minimal; its services: app, web\n',
      });
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );

  test.each([
    [['--tail', 'ten'], '--tail takes a number of lines or `all` (got "ten")'],
    [['--since', 'yesterday'], '--since takes a duration (`10m`, `1h30m`), a date and time (`2026-12-01T15:24:10Z`, `2026-12-01`) or a Unix time (got "yesterday")'],
  ])(
    '%j: exit 1, and no docker call',
    async (flags, message) => {
      const r = rig('minimal');
      const result = await r.run(['logs', ...flags]);
      expect(result).toEqual({ code: 1, stdout: '', stderr: `stagecraft dev: error: ${message}\n` });
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );

  test(
    '--dry-run prints the command and runs nothing',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['logs', '-f', '--tail', 'all', 'web', '--dry-run']);
      expect(result).toEqual({
        code: 0,
        stdout: '# logs\ndocker compose -p minimal -f .stagecraft/dev/compose.yaml logs --follow --tail all web\n',
        stderr: '',
      });
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );

  test(
    'dev files gone, --project-name given: the project by its label; the engine says which services it has',
    async () => {
      const r = withoutDevFiles(rig('minimal'));
      const scenario = { ps: { stdout: [running('app'), running('web')] }, logs: appLines };
      const result = await r.run(['logs', 'app', '-p', 'minimal'], { scenario });
      expect(result).toEqual({ code: 0, stdout: 'app-1  | listening on :3000\napp-1  | ready\n', stderr: '' });
      expect(r.calls()).toEqual([ps, [...byLabel, 'logs', 'app']]);
      const unknown = await r.run(['logs', 'db', '-p', 'minimal'], { scenario });
      expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'stagecraft dev: error: no service "db" in project minimal; its services: app, web\n' });
      expect(r.calls()).toEqual([ps, [...byLabel, 'logs', 'app'], ps]);
    },
    timeout,
  );

  test(
    'dev files gone: the project the session record names (its name only), every service without asking the engine',
    async () => {
      const r = withoutDevFiles(rig('minimal'));
      // A record's argv is never run: this one's plan would run `evil` if it were.
      const record = { version: 1, project: 'minimal', mode: 'detach', pid: 1, pidStartTicks: null, state: 'detached', plan: { attach: { argv: ['evil'] } } };
      writeFileSync(path.join(r.cwd, '.stagecraft/dev/session.json'), JSON.stringify(record));
      const result = await r.run(['logs'], { scenario: { logs: appLines } });
      expect(result.code).toBe(0);
      expect(r.calls()).toEqual([[...byLabel, 'logs']]);
    },
    timeout,
  );

  test(
    'dev files gone and nothing names a project: exit 1 saying how to begin',
    async () => {
      const r = withoutDevFiles(rig('minimal'));
      const result = await r.run(['logs']);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'stagecraft dev: error: compose file not found at .stagecraft/dev/compose.yaml; generate the dev files first: run `stagecraft init` to write a stagecraft.yml, then `stagecraft dev`\n',
      });
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );

  test(
    'compose fails: exit 2 with its error',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['logs'], { scenario: { logs: { exitCode: 18, stderr: ['something broke'] } } });
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `stagecraft dev: error: \`docker compose -p minimal -f .stagecraft/dev/compose.yaml logs\` exited with code 18; check the stack with \`docker compose -p minimal ps --all --format json\`\n  something broke\n`,
      });
    },
    timeout,
  );
});

/** `node cli.js dev <args>` in the rig on a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are a TTY. */
function spawnOnTerminal(r: CliRig, args: readonly string[], scenario: object): CliProcess {
  const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, cliPath, 'dev', ...args].map(quote).join(' ');
  const child = spawn('/usr/bin/script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    cwd: r.cwd,
    env: {
      PATH: `${fakeBinDir}${path.delimiter}${path.join(r.root, 'node-bin')}`,
      HOME: r.root,
      NO_COLOR: '1',
      SHELL: '/bin/sh',
      FAKE_DOCKER_LOG: r.logFile,
      FAKE_DOCKER_SCENARIO: JSON.stringify(scenario),
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new CliProcess(child);
}

describe('stagecraft dev exec', () => {
  test(
    "stdin not a terminal: -T; the command's output on stdout and its exit code as stagecraft's",
    async () => {
      const r = rig('minimal');
      const result = await r.run(['exec', 'app', '--', 'sh', '-c', 'echo hi; exit 7'], { scenario: { exec: { stdout: ['hi'], exitCode: 7 } } });
      expect(result).toEqual({ code: 7, stdout: 'hi\n', stderr: '' });
      expect(r.calls()).toEqual([[...p, 'exec', '-T', 'app', 'sh', '-c', 'echo hi; exit 7']]);
    },
    timeout,
  );

  test(
    'stdin a terminal: no -T, so compose gives the command a TTY',
    async () => {
      const r = rig('minimal');
      const cli = spawnOnTerminal(r, ['exec', 'web', '--', 'ls', '-la'], { exec: { exitCode: 3 } });
      try {
        expect((await cli.exit()).code).toBe(3);
        expect(r.calls()).toEqual([[...p, 'exec', 'web', 'ls', '-la']]);
      } finally {
        if (cli.isRunning) process.kill(-cli.pid, 'SIGKILL');
      }
    },
    timeout,
  );

  test(
    "Ctrl+C is the command's: it reaches the command (stagecraft's process group), no session stops, its code is returned",
    async () => {
      const r = rig('minimal');
      const exec = [...p, 'exec', '-T', 'app', 'top'];
      const cli = r.spawn(['exec', 'app', '--', 'top'], { scenario: { exec: { hang: true } } });
      await r.waitForCall(cli, exec);
      cli.signal('SIGINT'); // the whole foreground process group, as a terminal sends it
      expect(await cli.exit()).toEqual({ code: 130, stdout: '', stderr: '' });
      expect(r.calls()).toEqual([exec]);
      expect(signalsGot(r)).toEqual([[r.pidOf(exec), 'SIGINT']]);
    },
    timeout,
  );

  test(
    "SIGTERM to stagecraft's pid alone is passed on to the command",
    async () => {
      const r = rig('minimal');
      const exec = [...p, 'exec', '-T', 'app', 'top'];
      const cli = r.spawn(['exec', 'app', '--', 'top'], { scenario: { exec: { hang: true } } });
      await r.waitForCall(cli, exec);
      process.kill(cli.pid, 'SIGTERM');
      expect((await cli.exit()).code).toBe(143);
      await waitFor(() => r.log().some((e) => e.signal === 'SIGTERM'), 'the command to get SIGTERM');
      expect(signalsGot(r)).toEqual([[r.pidOf(exec), 'SIGTERM']]);
    },
    timeout,
  );

  test.each([
    [['exec', 'nope', '--', 'sh'], 'no service "nope" in project minimal; its services: app, web'],
    [['exec', 'app'], 'name the command to run in app: stagecraft dev exec app -- <command…> (e.g. -- sh)'],
  ])(
    '%j: exit 1, and no docker call',
    async (args, message) => {
      const r = rig('minimal');
      expect(await r.run(args)).toEqual({ code: 1, stdout: '', stderr: `stagecraft dev: error: ${message}\n` });
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );

  test(
    'no service named: a usage error (exit 1)',
    async () => {
      const r = rig('minimal');
      expect(await r.run(['exec'])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'stagecraft dev: error: name the service and the command: stagecraft dev exec <service> -- <command…>; see stagecraft dev --help\n',
      });
    },
    timeout,
  );

  test(
    '--dry-run prints the command it would run from here, and runs nothing',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['exec', 'app', '--dry-run', '--', 'sh', '-c', 'echo "$HOME"']);
      expect(result).toEqual({
        code: 0,
        stdout: `# exec (stdin is not a terminal: -T)\ndocker compose -p minimal -f .stagecraft/dev/compose.yaml exec -T app sh -c 'echo "$HOME"'\n`,
        stderr: '',
      });
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );

  test(
    'no docker on PATH: exit 2 saying so',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['exec', 'app', '--', 'true'], { path: 'node-only' });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^stagecraft dev: error: docker compose not available; install Docker with the Compose plugin or pass --compose-command\n/);
    },
    timeout,
  );
});
