// L3: the built CLI as a real process, the fake docker first on PATH. Each case asserts
// the exact exit code and the whole list of docker calls; the rig's afterEach fails the
// case if the CLI or any fake it started is still running.
import { composeFor } from './compose-argv.js';
import { composeFile, useCliRigs, type CliProcess, type CliRig } from './cli-harness.js';
import { shellSplit } from './shell-split.js';
import type { FakeBehaviour, FakeScenario } from '../fixtures/fake-docker.js';

const timeout = 20_000;
const rig = useCliRigs();

const minimal = composeFor('minimal');

/** One `ps --format json` line, as compose ≥ 2.21 prints it. */
function container(project: string, service: string, state: string, exitCode: number): string {
  return JSON.stringify({ Name: `${project}-${service}-1`, Service: service, State: state, Health: '', ExitCode: exitCode, Status: `${state} (${exitCode})` });
}

const following: FakeBehaviour = { stdout: ['app-1  | listening'], hang: true };

/** Starts a foreground session and waits until its `logs --follow` child runs. */
async function attached(r: CliRig, args: string[], scenario: FakeScenario, follow: readonly string[], env?: Record<string, string>): Promise<CliProcess> {
  const cli = r.spawn(args, { scenario: { 'logs --follow': following, ...scenario }, ...(env === undefined ? {} : { env }) });
  await r.waitForCall(cli, follow);
  return cli;
}

/** stagecraft's own lines: stderr, each behind the one prefix. */
function stagecraftLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '');
}

describe('stagecraft dev (foreground)', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s while attached runs version, up, logs --follow, down and exits %d',
    async (signal, code) => {
      const r = rig('minimal');
      const cli = await attached(r, [], {}, minimal.follow);
      cli.signal(signal);
      const result = await cli.exit();
      expect(result.code).toBe(code);
      expect(r.calls()).toEqual([minimal.version, minimal.up(), minimal.follow, minimal.down()]);
      // The signal reached only stagecraft (the children have their own process group);
      // stagecraft then ended the log follower with SIGTERM.
      const followPid = r.log().find((e) => JSON.stringify(e.argv) === JSON.stringify(minimal.follow))?.pid;
      expect(r.log().filter((e) => e.signal !== undefined)).toEqual([{ signal: 'SIGTERM', pid: followPid }]);
      expect(result.stderr).toContain(`stagecraft dev: got ${signal}: stopping project minimal`);
      expect(result.stderr).toContain('stagecraft dev: stopped project minimal; nothing left running');
    },
    timeout,
  );

  test(
    'container log lines reach stdout whole; stagecraft speaks on stderr behind its prefix',
    async () => {
      const r = rig('minimal');
      const cli = r.spawn([], {
        scenario: {
          'logs --follow': {
            stdout: ['app-1  | hello from app', '\u001b[2Kweb-1  | GET / 200'],
            chunks: [
              { text: 'app-1  | a line written in ', delayMs: 50 },
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
      const cli = await attached(r, [], { down: [{ hang: true }, {}] }, minimal.follow);
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.down());
      cli.signal('SIGINT');
      const result = await cli.exit();
      expect(result.code).toBe(130);
      expect(r.calls()).toEqual([minimal.version, minimal.up(), minimal.follow, minimal.down(), minimal.kill, minimal.forcedDown]);
      expect(result.stderr).toContain('stagecraft dev: forcing the teardown: kill, then down --timeout 0');
    },
    timeout,
  );

  test(
    'a third Ctrl+C with everything hanging abandons the teardown: exit 2 and the manual command',
    async () => {
      const r = rig('minimal');
      const cli = await attached(r, ['--verbose'], { down: { hang: true }, kill: { hang: true } }, minimal.follow);
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.down());
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.kill);
      cli.signal('SIGINT');
      const result = await cli.exit();
      expect(result.code).toBe(2);
      expect(r.calls()).toEqual([minimal.version, minimal.up(), minimal.follow, minimal.down(), minimal.kill]);
      // Nothing more is started after giving up, not even a child killed before it could log
      // (verbose announces every command before it is spawned).
      const p = `docker compose -p minimal -f ${composeFile}`;
      expect(stagecraftLines(result.stderr).filter((line) => line.startsWith('stagecraft dev: $ '))).toEqual([
        'stagecraft dev: $ docker compose version',
        `stagecraft dev: $ ${p} up --detach --remove-orphans`,
        `stagecraft dev: $ ${p} logs --follow`,
        `stagecraft dev: $ ${p} down --remove-orphans --timeout 10`,
        `stagecraft dev: $ ${p} kill`,
      ]);
      // Each hanging child was ended by stagecraft with SIGTERM.
      expect(r.log().filter((e) => e.signal !== undefined).map((e) => e.signal)).toEqual(['SIGTERM', 'SIGTERM', 'SIGTERM']);
      expect(result.stderr).toContain(
        `stagecraft dev: remove it by hand: docker compose -p minimal -f ${composeFile} down --remove-orphans --timeout 0\n`,
      );
    },
    timeout,
  );

  test(
    'a stack that ends by itself with every service exited 0: ps, down, exit 0',
    async () => {
      const r = rig('minimal');
      const result = await r.run([], {
        scenario: {
          'logs --follow': { stdout: ['app-1  | done'] },
          ps: { stdout: [container('minimal', 'app', 'exited', 0), container('minimal', 'web', 'exited', 0)] },
        },
      });
      expect(result.code).toBe(0);
      expect(r.calls()).toEqual([minimal.version, minimal.up(), minimal.follow, minimal.ps, minimal.down()]);
      expect(result.stdout).toBe('app-1  | done\n');
      expect(result.stderr).toContain('stagecraft dev: project minimal ended with every service exited 0; removed');
    },
    timeout,
  );

  test(
    'compose missed the last exit (`logs --follow` hangs on an ended stack): `ps` after its exit line ends it; exit 0',
    async () => {
      const r = rig('minimal');
      const result = await r.run(
        [],
        {
          scenario: {
            'logs --follow': { stdout: ['web-1  | done', 'web-1 exited with code 0'], hang: true },
            ps: { stdout: [container('minimal', 'app', 'exited', 0), container('minimal', 'web', 'exited', 0)] },
          },
        },
        20_000,
      );
      expect(result.code).toBe(0);
      // The check's `ps`, then the exit codes' own, then the teardown once the follower has ended.
      expect(r.calls()).toEqual([minimal.version, minimal.up(), minimal.follow, minimal.ps, minimal.ps, minimal.down()]);
      const followPid = r.log().find((e) => JSON.stringify(e.argv) === JSON.stringify(minimal.follow))?.pid;
      expect(r.log().filter((e) => e.pid === followPid && e.signal !== undefined)).toEqual([{ signal: 'SIGTERM', pid: followPid }]);
      expect(result.stderr).toContain('stagecraft dev: every container of project minimal has exited; removing the stack');
      expect(result.stderr).toContain('stagecraft dev: project minimal ended with every service exited 0; removed');
    },
    timeout,
  );

  test(
    'an ended stack whose logs stream for longer than the check waits: every line arrives, no early `ps`',
    async () => {
      const r = rig('minimal');
      // 30 lines 100 ms apart: 3 s of output, past the 2 s after which a quiet stream is checked.
      const lines = Array.from({ length: 30 }, (_, i) => `web-1  | line ${i}`);
      const result = await r.run(
        [],
        {
          scenario: {
            'logs --follow': { chunks: lines.map((line) => ({ text: `${line}\n`, delayMs: 100 })) },
            ps: { stdout: [container('minimal', 'app', 'exited', 0), container('minimal', 'web', 'exited', 0)] },
          },
        },
        20_000,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(lines.map((line) => `${line}\n`).join(''));
      expect(r.calls()).toEqual([minimal.version, minimal.up(), minimal.follow, minimal.ps, minimal.down()]);
    },
    timeout,
  );

  test(
    'a stack that ends by itself with a service exited 3: ps, down, exit 2 naming the service',
    async () => {
      const r = rig('minimal');
      const result = await r.run([], {
        scenario: {
          'logs --follow': {},
          ps: { stdout: [container('minimal', 'app', 'exited', 0), container('minimal', 'web', 'exited', 3)] },
        },
      });
      expect(result.code).toBe(2);
      expect(r.calls()).toEqual([minimal.version, minimal.up(), minimal.follow, minimal.ps, minimal.down()]);
      expect(result.stderr).toContain('stagecraft dev: error: service web exited with code 3');
      expect(result.stderr).not.toContain('service app exited');
    },
    timeout,
  );
});

describe('stagecraft dev --detach', () => {
  test(
    'starts the stack and exits 0: no logs, no down',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['--detach']);
      expect(result.code).toBe(0);
      expect(r.calls()).toEqual([minimal.version, minimal.up()]);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        'stagecraft dev: project minimal is running in the background; stop it with: stagecraft dev down',
      );
    },
    timeout,
  );
});

describe('a failed start', () => {
  const failingStart: FakeScenario = {
    up: { exitCode: 1, stderr: ['Error response from daemon: container minimal-web-1 exited (1)'] },
    ps: { stdout: [container('minimal', 'app', 'running', 0), container('minimal', 'web', 'exited', 1)] },
    'logs --tail': { stdout: ['web-1  | panic: cannot bind :8080'] },
  };

  test(
    'prints diagnostics (ps, then the failed service’s last lines), rolls back, exits 2 naming the service',
    async () => {
      const r = rig('minimal');
      const result = await r.run([], { scenario: failingStart });
      expect(result.code).toBe(2);
      expect(r.calls()).toEqual([minimal.version, minimal.up(), minimal.ps, minimal.tail('web'), minimal.down()]);
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
      expect(r.calls()).toEqual([minimal.version, minimal.up(), minimal.ps, minimal.tail('web')]);
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
    ['compose.yaml is missing', undefined, 'compose file not found at .stagecraft/dev/compose.yaml; generate the dev files first'],
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
      expect(r.calls()).toEqual([minimal.down()]);
      expect(result.stderr).toContain('stagecraft dev: removed project minimal');
    },
    timeout,
  );

  test(
    'is idempotent: twice in a row, both exit 0',
    async () => {
      const r = rig('minimal');
      expect((await r.run(['down'])).code).toBe(0);
      expect((await r.run(['down'])).code).toBe(0);
      expect(r.calls()).toEqual([minimal.down(), minimal.down()]);
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
  const flags = ['--no-traefik', '--wait', '--grace', '5', '-p', 'other', '--compose-command', "docker --context 'my box' compose"];

  test.each([
    ['traefik', ['app'], ['--scale', 'traefik=0']],
    ['traefik-labelled', ['app'], ['--scale', 'edge=0', '--scale', 'proxy=0']],
  ])(
    '%s stack: every command `dev plan` prints is what a run executes',
    async (stack, expectedServices, scale) => {
      const planRun = await rig(stack).run(['plan', ...flags]);
      expect(planRun.code).toBe(0);
      const plan = sections(planRun.stdout);
      const section = (title: string): string[][] => {
        const commands = plan.get(title);
        if (commands === undefined) throw new Error(`no "# ${title}" section in:\n${planRun.stdout}`);
        return commands;
      };
      const other = composeFor('other', ['--context', 'my box', 'compose']);
      expect([...plan.keys()]).toEqual([
        'preflight',
        'start',
        'attach (foreground)',
        'stack ended by itself: read exit codes',
        'teardown (Ctrl+C, or the stack ended)',
        'forced teardown (second Ctrl+C)',
        'failure diagnostics (failed services appended at run time)',
        'rollback after a failed start',
      ]);
      // The plan itself, spelled out once, so plan and run cannot be wrong together.
      expect(section('start')).toEqual([other.up('--wait', '--wait-timeout', '120', ...scale)]);
      expect(section('teardown (Ctrl+C, or the stack ended)')).toEqual([other.down(5)]);

      const preflightAndStart = [...section('preflight'), ...section('start')];

      // --detach: preflight, start.
      const detached = rig(stack);
      expect((await detached.run(['--detach', ...flags])).code).toBe(0);
      expect(detached.calls()).toEqual(preflightAndStart);
      const detachPlan = await rig(stack).run(['--detach', '--dry-run', ...flags]);
      expect(sections(detachPlan.stdout).get('start')).toEqual(section('start'));
      // `dev plan` is `dev --dry-run` (SPEC §2), --detach included.
      expect(await rig(stack).run(['plan', '--detach', ...flags])).toEqual(detachPlan);

      // Foreground + Ctrl+C: attach, teardown.
      const foreground = rig(stack);
      const cli = await attached(foreground, flags, {}, other.follow);
      cli.signal('SIGINT');
      expect((await cli.exit()).code).toBe(130);
      expect(foreground.calls()).toEqual([
        ...preflightAndStart,
        ...section('attach (foreground)'),
        ...section('teardown (Ctrl+C, or the stack ended)'),
      ]);

      // Second Ctrl+C: forced teardown.
      const forced = rig(stack);
      const cli2 = await attached(forced, flags, { down: [{ hang: true }, {}] }, other.follow);
      cli2.signal('SIGINT');
      await forced.waitForCall(cli2, other.down(5));
      cli2.signal('SIGINT');
      expect((await cli2.exit()).code).toBe(130);
      expect(forced.calls()).toEqual([
        ...preflightAndStart,
        ...section('attach (foreground)'),
        ...section('teardown (Ctrl+C, or the stack ended)'),
        ...section('forced teardown (second Ctrl+C)'),
      ]);

      // The stack ends by itself: read exit codes, teardown.
      const ended = rig(stack);
      const endedRun = await ended.run(flags, { scenario: { 'logs --follow': {} } });
      expect(endedRun.code).toBe(0);
      expect(ended.calls()).toEqual([
        ...preflightAndStart,
        ...section('attach (foreground)'),
        ...section('stack ended by itself: read exit codes'),
        ...section('teardown (Ctrl+C, or the stack ended)'),
      ]);

      // A failed start: diagnostics (the failed services appended), rollback.
      const failed = rig(stack);
      const failedRun = await failed.run(flags, {
        scenario: { up: { exitCode: 1 }, ps: { stdout: [container('other', 'app', 'exited', 1)] } },
      });
      expect(failedRun.code).toBe(2);
      const [ps, tail] = section('failure diagnostics (failed services appended at run time)');
      expect(failed.calls()).toEqual([
        ...preflightAndStart,
        ps,
        [...(tail ?? []), ...expectedServices],
        ...section('rollback after a failed start'),
      ]);
    },
    2 * timeout,
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
      expect(twice.stdout).toContain(`\ndocker compose -p second -f ${composeFile} down --remove-orphans --timeout 7\n`);
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
      expect(r.calls()).toEqual([remote.version, remote.up()]);
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
      expect(r.calls()).toEqual([envproj.version, envproj.up('--scale', 'traefik=0')]);
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
      expect(r.calls()).toEqual([minimal.version, minimal.up()]);
      expect(r.log().map((entry) => entry.env)).toEqual([env, env]);
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
      expect(r.calls()).toEqual([composeFor('flagproj').down(7)]);
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
        box.follow,
        { SECRET_TOKEN: secret },
      );
      cli.signal('SIGINT');
      const result = await cli.exit();
      expect(result.code).toBe(130);
      expect(r.calls()).toEqual([box.version, box.up(), box.follow, box.down()]);

      const lines = stagecraftLines(result.stderr);
      const p = `docker --context 'my box' compose -p minimal -f ${composeFile}`;
      expect(lines.filter((line) => line.startsWith('stagecraft dev: $ '))).toEqual([
        "stagecraft dev: $ docker --context 'my box' compose version",
        `stagecraft dev: $ ${p} up --detach --remove-orphans`,
        `stagecraft dev: $ ${p} logs --follow`,
        `stagecraft dev: $ ${p} down --remove-orphans --timeout 10`,
      ]);
      // `up`'s own output comes after the line announcing it.
      const upLine = lines.indexOf(`stagecraft dev: $ ${p} up --detach --remove-orphans`);
      const upOutput = lines.findIndex((line) => line.endsWith('Container minimal-web-1  Started'));
      expect(upOutput).toBeGreaterThan(upLine);
      expect(lines.filter((line) => line.startsWith('stagecraft dev: state: '))).toEqual([
        'stagecraft dev: state: validating',
        'stagecraft dev: state: validating → preflight',
        'stagecraft dev: state: preflight → starting',
        'stagecraft dev: state: starting → attached',
        'stagecraft dev: state: attached → stopping.graceful',
        'stagecraft dev: state: stopping.graceful → stopped',
      ]);
      expect(result.stdout + result.stderr).not.toContain(secret);
    },
    timeout,
  );
});
