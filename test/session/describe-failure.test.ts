import type { DevPlan, PlannedCommand } from '../../machines/dev-session.types.js';
import type { ComposeFailure, ComposeFailureKind } from '../../src/compose/compose-runner.js';
import { describeFailure } from '../../src/session/describe-failure.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan } from '../fixtures/shop-session.js';

const plan: DevPlan = shopPlan({ ...defaultDevOptions, composeCommand: 'docker --context "my box" compose' });

const C = "docker --context 'my box' compose";
const P = `${C} -p shop -f .stagecraft/dev/compose.yaml`;
/** The teardown's `down` reads no compose file: the project's label is enough. */
const D = `${C} -p shop down --remove-orphans`;
/** `ps` goes by the project's label too: no `-f`. */
const PS = `${C} -p shop ps --all --format json`;
/** By hand: stop, then each container with its anonymous volumes (the engine's `rm --volumes`), then `down`. */
const E = "docker --context 'my box'";
const retry = `run \`stagecraft dev down\` to retry, or by hand: ${C} -p shop stop && ${E} ps --all --quiet --filter label=com.docker.compose.project=shop | xargs -r ${E} rm --force --volumes && ${D}`;

function failure(
  command: PlannedCommand,
  kind: ComposeFailureKind,
  more: Partial<Pick<ComposeFailure, 'exitCode' | 'signal' | 'stderrTail'>> = {},
): ComposeFailure {
  return { type: 'compose-failure', kind, command, exitCode: 1, signal: undefined, stderrTail: '', ...more };
}

describe('describeFailure', () => {
  it('passes anything that is not a compose failure on untouched', () => {
    const bug = new Error('bug');
    expect(describeFailure(bug, plan)).toBe(bug);
    const other = { kind: 'input', message: 'x' };
    expect(describeFailure(other, plan)).toBe(other);
    expect(describeFailure(undefined, plan)).toBeUndefined();
  });

  it('docker missing: compose unavailable, naming the compose command', () => {
    expect(
      describeFailure(failure(plan.start, 'docker-missing', { exitCode: undefined, stderrTail: 'docker: ENOENT' }), plan),
    ).toStrictEqual({
      kind: 'compose-unavailable',
      message: `${C} not available; install Docker with the Compose plugin or pass --compose-command\n  docker: ENOENT`,
    });
  });

  it('compose missing: compose unavailable, with what docker said', () => {
    const stderrTail = "docker: 'compose' is not a docker command.\nSee 'docker --help'\n";
    expect(describeFailure(failure(plan.events, 'compose-missing', { stderrTail }), plan)).toStrictEqual({
      kind: 'compose-unavailable',
      message: `${C} not available; install Docker with the Compose plugin or pass --compose-command\n  docker: 'compose' is not a docker command.\n  See 'docker --help'`,
    });
  });

  it('daemon down: engine unreachable, naming the command and the next step', () => {
    const stderrTail = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
    expect(describeFailure(failure(plan.start, 'daemon-down', { stderrTail }), plan)).toStrictEqual({
      kind: 'engine-unreachable',
      message: `the container engine is not reachable (\`${P} up --detach --remove-orphans\` failed); start Docker, or point DOCKER_HOST or DOCKER_CONTEXT at a running engine\n  ${stderrTail}`,
    });
  });

  it('compose refusing compose.yaml: an input error (exit 1) relaying what compose said, once, and the next step', () => {
    const stderrTail = 'validating /p/.stagecraft/dev/compose.yaml: services.web Additional property foo is not allowed\n';
    expect(describeFailure(failure(plan.start, 'compose-rejected', { exitCode: 15, stderrTail }), plan)).toStrictEqual({
      kind: 'input',
      message:
        `${C} refused .stagecraft/dev/compose.yaml:\n  validating /p/.stagecraft/dev/compose.yaml: services.web Additional property foo is not allowed\n` +
        '  fix the file (or its stagecraft.yml, then `stagecraft dev generate`) and run again',
    });
  });

  it('a failed start keeps compose stderr for the diagnostics', () => {
    const stderrTail = [
      ' Network shop_default  Created',
      ' api Pulling',
      'Error response from daemon: pull access denied for shop/api',
    ].join('\n');
    expect(describeFailure(failure(plan.start, 'exit-non-zero', { exitCode: 18, stderrTail }), plan)).toStrictEqual({
      kind: 'start-failed',
      message: `starting project shop failed: \`${P} up --detach --remove-orphans\` exited with code 18\n   api Pulling\n  Error response from daemon: pull access denied for shop/api`,
      stderrTail,
      services: [],
    });
  });

  it('a canceled start says so, and has no tail when compose said nothing', () => {
    expect(describeFailure(failure(plan.start, 'canceled', { exitCode: undefined, signal: 'SIGTERM' }), plan)).toStrictEqual({
      kind: 'start-failed',
      message: `starting project shop failed: \`${P} up --detach --remove-orphans\` was canceled`,
      stderrTail: '',
      services: [],
    });
  });

  it('a failed teardown names the command to retry by hand', () => {
    expect(describeFailure(failure(plan.teardown.down, 'exit-non-zero', { exitCode: 1 }), plan)).toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`${D}\` exited with code 1; ${retry}`,
    });
  });

  it("a failed listing of the teardown names the engine's command, and the same retry", () => {
    expect(describeFailure(failure(plan.teardown.containers, 'exit-non-zero', { exitCode: 125 }), plan)).toStrictEqual({
      kind: 'command-failed',
      message:
        "teardown of project shop failed: `docker --context 'my box' ps --all --no-trunc --filter label=com.docker.compose.project=shop " +
        `--format '{{.Names}}\\t{{.Mounts}}'\` exited with code 125; ${retry}`,
    });
  });

  it('a failed `volume rm` names the volumes it was given', () => {
    const volumeRm = { ...plan.teardown.removeVolumes, argv: [...plan.teardown.removeVolumes.argv, 'a'.repeat(64)] };
    expect(describeFailure(failure(volumeRm, 'exit-non-zero', { exitCode: 1 }), plan)).toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`docker --context 'my box' volume rm --force ${'a'.repeat(64)}\` exited with code 1; ${retry}`,
    });
  });

  it('a forced teardown killed by a signal says which', () => {
    const down = plan.forcedTeardown.teardown.down;
    expect(describeFailure(failure(down, 'exit-non-zero', { exitCode: undefined, signal: 'SIGKILL' }), plan)).toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`${D} --timeout 0\` was ended by SIGKILL; ${retry}`,
    });
  });

  it('a failed explain (`version`) points at the compose installation', () => {
    expect(
      describeFailure(failure(plan.explain, 'exit-non-zero', { exitCode: undefined, signal: undefined }), plan),
    ).toStrictEqual({
      kind: 'command-failed',
      message: `\`${C} version\` was ended by a signal; check the compose installation or pass --compose-command`,
    });
  });

  it.each([
    ['events', plan.events, `${P} events --json`],
    ['attach', plan.attach, `${P} logs --follow --timestamps`],
    ['exitCodes', plan.exitCodes, PS],
    ['diagnostics', plan.diagnostics, `${P} logs --tail 50`],
    ['health', { ...plan.health, argv: [...plan.health.argv, 'ed2130fe8c0e'] }, `${C.replace(' compose', '')} inspect --format '{{json .State.Health}}' ed2130fe8c0e`],
  ])('a failed %s command points at ps', (_phase, command, printed) => {
    expect(describeFailure(failure(command, 'exit-non-zero', { exitCode: 2 }), plan)).toStrictEqual({
      kind: 'command-failed',
      message: `\`${printed}\` exited with code 2; check the stack with \`${PS}\``,
    });
  });

  it.each(['docker-missing', 'compose-missing'] as const)(
    '%s on the events stream (no serial preflight: it may be the first command) is compose unavailable',
    (kind) => {
      expect(describeFailure(failure(plan.events, kind, { exitCode: undefined }), plan)).toStrictEqual({
        kind: 'compose-unavailable',
        message: `${C} not available; install Docker with the Compose plugin or pass --compose-command`,
      });
    },
  );

  it('daemon down on the events stream: engine unreachable, naming it', () => {
    expect(describeFailure(failure(plan.events, 'daemon-down', { exitCode: 1 }), plan)).toStrictEqual({
      kind: 'engine-unreachable',
      message: `the container engine is not reachable (\`${P} events --json\` failed); start Docker, or point DOCKER_HOST or DOCKER_CONTEXT at a running engine`,
    });
  });

  it('a failed reconcile (the stale plan\'s teardown) names the retry', () => {
    expect(describeFailure(failure(plan.teardown.down, 'canceled', { exitCode: undefined }), plan)).toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`${D}\` was canceled; ${retry}`,
    });
  });

  it('shows the last 5 error lines, dropping progress lines', () => {
    const stderrTail = [
      'e1',
      ' Container shop-api-1  Starting',
      'e2',
      'e3',
      '',
      'e4',
      ' Container shop-api-1  Error',
      'e5',
      'e6',
    ].join('\n');
    expect(describeFailure(failure(plan.teardown.down, 'exit-non-zero', { stderrTail }), plan)).toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`${D}\` exited with code 1; ${retry}\n  e2\n  e3\n  e4\n  e5\n  e6`,
    });
  });

  it('falls back to the progress lines when compose printed nothing else', () => {
    const stderrTail = ' Container shop-api-1  Stopping\n Container shop-api-1  Error\n';
    expect(describeFailure(failure(plan.attach, 'exit-non-zero', { stderrTail }), plan)).toStrictEqual({
      kind: 'command-failed',
      message: `\`${P} logs --follow --timestamps\` exited with code 1; check the stack with \`${PS}\`\n   Container shop-api-1  Stopping\n   Container shop-api-1  Error`,
    });
  });
});
