// The reporter on recorded event sequences of whole sessions (SPEC §5): plain lines off a
// terminal, exact frames of the live region on one, GitHub Actions groups and annotation,
// --quiet. The clock is the test's; the terminal is a fake stream of fixed width.
import type { DevSessionOutput, SessionFailure } from '../../machines/dev-session.types.js';
import type { ServiceState, ServiceStatus } from '../../machines/service.types.js';
import type { ComposeProgress } from '../../src/compose/compose-progress-reader.js';
import { LiveRegion } from '../../src/output/live-region.js';
import { colorOf } from '../../src/output/log-prefix.js';
import type { PrettyReporterOptions } from '../../src/output/pretty-reporter.js';
import type { SessionEvent } from '../../src/output/reporter.js';
import { composeService } from '../fixtures/compose-service.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan } from '../fixtures/shop-session.js';
import { MemoryStream, prettyReporter, sessionOutput } from './reporter-rig.js';


const options = { ...defaultDevOptions, mode: 'detach' as const, wait: true };
const plan = shopPlan(options, [composeService('api'), composeService('db', { healthcheck: true })]);

function status(service: string, state: ServiceState, more: Partial<ServiceStatus> = {}): ServiceStatus {
  return { service, state, ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: `c-${service}`, healthcheck: service === 'db', ...more };
}

const changed = (service: string, state: ServiceState, more: Partial<ServiceStatus> = {}): SessionEvent => ({
  type: 'service',
  status: status(service, state, more),
  previous: undefined,
});

const progress = (p: ComposeProgress): SessionEvent => ({ type: 'progress', progress: p });
const step = (index: number, total: number, text: string) => ({ index, total, text });

const finished = (overrides: Partial<DevSessionOutput>): SessionEvent => ({
  type: 'finished',
  output: sessionOutput({ finalState: 'detached', mode: 'detach', leftBehind: plan.exitCodes.argv, ...overrides }),
});

/** A detached `--wait` start of `shop`: api built in two steps, db healthy after 9 s; [ms, event]. */
const startedSession: ReadonlyArray<readonly [number, SessionEvent]> = [
  [0, { type: 'planned', plan, options }],
  [100, { type: 'starting', projectName: 'shop' }],
  [400, progress({ service: 'api', activity: 'building', step: step(1, 2, 'FROM node:20') })],
  [1200, progress({ service: 'api', activity: 'building', step: step(2, 2, 'RUN npm ci') })],
  [3000, progress({ service: 'api', activity: 'built' })],
  [3100, changed('api', 'created')],
  [3100, progress({ service: 'db', activity: 'starting' })],
  // The engine's event behind compose's word: old news, no line.
  [3100, changed('db', 'created')],
  // compose's word after the engine's has no news: db stays waiting for healthy.
  [3200, changed('db', 'starting')],
  [3200, progress({ service: 'db', activity: 'started' })],
  [3200, changed('api', 'running', { ready: true })],
  [3250, { type: 'waiting', services: ['db'], timeoutSeconds: 120 }],
  [9000, changed('db', 'healthy', { ready: true })],
  [9010, { type: 'started', projectName: 'shop', mode: 'detach' }],
  [9020, finished({})],
];

const startFailed: SessionFailure = {
  kind: 'start-failed',
  message: 'starting project shop failed: the build of api failed at step 2/2 RUN npm ci (exit code 1)\n  api:\n    npm ERR! 404',
  stderrTail: '',
  services: ['api'],
};

/** The same start, its build failing: diagnostics, then the rollback's teardown. */
const failedSession: ReadonlyArray<readonly [number, SessionEvent]> = [
  [0, { type: 'planned', plan, options }],
  [100, { type: 'starting', projectName: 'shop' }],
  [1200, progress({ service: 'api', activity: 'building', step: step(2, 2, 'RUN npm ci') })],
  [2500, progress({ service: 'api', activity: 'build-failed', step: step(2, 2, 'RUN npm ci') })],
  [2600, { type: 'rollingBack', keepOnFailure: false }],
  [2700, { type: 'diagnostics', services: ['api'] }],
  [2800, { type: 'rollbackTeardown', projectName: 'shop' }],
  [3000, finished({ finalState: 'failed', exitCode: 2, failure: startFailed, leftBehind: undefined })],
];

function run(events: ReadonlyArray<readonly [number, SessionEvent]>, more: Partial<PrettyReporterOptions> = {}) {
  let now = 0;
  const { reporter, stdout, stderr } = prettyReporter({ now: () => now, ...more });
  for (const [at, event] of events) {
    now = at;
    reporter.report(event);
  }
  return { stdout, stderr };
}

describe('plain progress (off a terminal): one line per change, time since the start', () => {
  it('a two-step build and a slow healthcheck, in order', () => {
    const { stderr, stdout } = run(startedSession);
    expect(stderr.text.split('\n')).toStrictEqual([
      'stagecraft dev: starting project shop…',
      'stagecraft dev: +0.4s api: building step 1/2 FROM node:20',
      'stagecraft dev: +1.2s api: building step 2/2 RUN npm ci',
      'stagecraft dev: +3.0s api: built',
      'stagecraft dev: +3.1s api: created',
      'stagecraft dev: +3.1s db: starting',
      'stagecraft dev: +3.2s db: waiting for healthy',
      'stagecraft dev: +3.2s api: running',
      'stagecraft dev: waiting up to 120 s for db to be ready…',
      'stagecraft dev: +9.0s db: healthy',
      'stagecraft dev: project shop is running in the background; stop it with: stagecraft dev down -p shop',
      '',
    ]);
    expect(stderr.text).not.toContain('\u001b');
    expect(stdout.text).toBe('');
  });

  it('a service change after the start (attached) is no progress: only exits and the like are news', () => {
    const { stderr } = run([
      [0, { type: 'starting', projectName: 'shop' }],
      [10, { type: 'started', projectName: 'shop', mode: 'foreground' }],
      [20, changed('api', 'running')],
      [30, { type: 'service', status: status('api', 'exited', { exitCode: 3, failed: true, active: false }), previous: status('api', 'running') }],
    ]);
    expect(stderr.text).toBe(
      'stagecraft dev: starting project shop…\nstagecraft dev: project shop is up; streaming its logs (Ctrl+C stops and removes it)\nstagecraft dev: api exited with code 3\n',
    );
  });

  it('the teardown shows what compose removes', () => {
    const { stderr } = run([
      [0, { type: 'stopping', projectName: 'shop', cause: 'signal', signal: 'SIGINT' }],
      [500, progress({ service: 'api', activity: 'stopping' })],
      [1500, progress({ service: 'api', activity: 'stopped' })],
      [1600, progress({ service: 'api', activity: 'removed' })],
    ]);
    expect(stderr.text.split('\n')).toStrictEqual([
      'stagecraft dev: got SIGINT: stopping project shop (Ctrl+C again to force)',
      'stagecraft dev: +0.5s api: stopping',
      'stagecraft dev: +1.5s api: stopped',
      'stagecraft dev: +1.6s api: removed',
      '',
    ]);
  });

  it('--verbose keeps compose\'s own output beside the progress', () => {
    const { stderr } = run(
      [
        [100, { type: 'starting', projectName: 'shop' }],
        [400, { type: 'commandOutput', command: plan.start, line: '#5 [api 2/2] RUN npm ci' }],
        [400, progress({ service: 'api', activity: 'building', step: step(2, 2, 'RUN npm ci') })],
        [900, { type: 'commandOutput', command: plan.start, line: '#5 0.412 added 312 packages' }],
      ],
      { verbose: true },
    );
    expect(stderr.text.split('\n')).toStrictEqual([
      'stagecraft dev: starting project shop…',
      '  │ #5 [api 2/2] RUN npm ci',
      'stagecraft dev: +0.4s api: building step 2/2 RUN npm ci',
      '  │ #5 0.412 added 312 packages',
      '',
    ]);
  });
});

describe('--quiet: only errors and the final line', () => {
  it('a detached start: its last line', () => {
    const { stderr } = run(startedSession, { quiet: true });
    expect(stderr.text).toBe('stagecraft dev: project shop is running in the background; stop it with: stagecraft dev down -p shop\n');
  });

  it('a failed start: the diagnostics and the error', () => {
    const { stderr } = run(failedSession, { quiet: true });
    expect(stderr.text.split('\n')).toStrictEqual([
      'stagecraft dev: last log lines of api:',
      'stagecraft dev: error: starting project shop failed: the build of api failed at step 2/2 RUN npm ci (exit code 1)',
      '  api:',
      '    npm ERR! 404',
      '  services at fault: api (their last log lines are above)',
      '  fix what compose reported and run stagecraft dev again (--keep-on-failure keeps what was created, for inspection)',
      '',
    ]);
  });

  it('container logs still reach stdout', () => {
    const { stdout } = run([[0, { type: 'logs', text: 'api-1  | up\n' }]], { quiet: true });
    expect(stdout.text).toBe('api-1  | up\n');
  });
});

describe('GitHub Actions: phases folded, a failed start as one annotation', () => {
  it('a start and its wait, each in a group', () => {
    const { stderr } = run(startedSession, { githubActions: true });
    expect(stderr.text.split('\n').filter((line) => line.startsWith('::') || !line.includes(': +'))).toStrictEqual([
      '::group::start project shop',
      'stagecraft dev: starting project shop…',
      '::endgroup::',
      '::group::wait for db (up to 120 s)',
      'stagecraft dev: waiting up to 120 s for db to be ready…',
      '::endgroup::',
      'stagecraft dev: project shop is running in the background; stop it with: stagecraft dev down -p shop',
      '',
    ]);
  });

  it('a failed build: start, diagnostics and teardown groups, then one ::error naming the service and the cause', () => {
    const { stderr } = run(failedSession, { githubActions: true });
    expect(stderr.text.split('\n')).toStrictEqual([
      '::group::start project shop',
      'stagecraft dev: starting project shop…',
      'stagecraft dev: +1.2s api: building step 2/2 RUN npm ci',
      'stagecraft dev: +2.5s api: build failed at step 2/2 RUN npm ci',
      '::endgroup::',
      '::group::diagnostics: why the start failed',
      'stagecraft dev: start failed; rolling back',
      'stagecraft dev: last log lines of api:',
      '::endgroup::',
      '::group::teardown of project shop (rollback)',
      '::endgroup::',
      '::error title=stagecraft dev%3A api failed to start::starting project shop failed: the build of api failed at step 2/2 RUN npm ci (exit code 1)%0A  api:%0A    npm ERR! 404%0A  services at fault: api (their last log lines are above)%0A  fix what compose reported and run stagecraft dev again (--keep-on-failure keeps what was created, for inspection)',
      '',
    ]);
  });

  it('an ended stack with a failed service: its annotation names the service and its exit code', () => {
    const { stderr } = run([
      [0, finished({ finalState: 'stopped', exitCode: 2, mode: 'foreground', leftBehind: undefined, failure: { kind: 'services-failed', services: [{ service: 'api', state: 'exited', exitCode: 3 }] } })],
    ], { githubActions: true });
    expect(stderr.text).toBe(
      '::error title=stagecraft dev%3A api exited with code 3::service api exited with code 3; see its logs above, fix it and run stagecraft dev again\n',
    );
  });
});

describe('the live region (a terminal): exact frames', () => {
  /** A terminal 60 columns wide; the spinner's timer is the test's to turn. */
  function terminal() {
    let now = 0;
    const stderr = new MemoryStream();
    const ticks: Array<() => void> = [];
    const stopped: number[] = [];
    const region = new LiveRegion({
      stream: stderr,
      columns: () => 60,
      now: () => now,
      every: (ms, tick) => {
        expect(ms).toBe(80);
        ticks.push(tick);
        const index = ticks.length - 1;
        return () => stopped.push(index);
      },
    });
    const { reporter, stdout } = prettyReporter({ stderr, color: true, stdoutIsTerminal: true, progress: { kind: 'live', region }, now: () => now });
    const at = (ms: number, event: SessionEvent): void => {
      now = ms;
      stderr.writes.length = 0;
      reporter.report(event);
    };
    const tick = (ms: number): void => {
      now = ms;
      stderr.writes.length = 0;
      ticks.at(-1)?.();
    };
    return { at, tick, stderr, stdout, ticks, stopped };
  }

  const dim = (text: string): string => `\u001b[2m${text}\u001b[0m`;
  const cyan = (text: string): string => `\u001b[36m${text}\u001b[0m`;
  const green = (text: string): string => `\u001b[32m${text}\u001b[0m`;
  const red = (text: string): string => `\u001b[31m${text}\u001b[0m`;
  const up = (n: number): string => `\u001b[${n}F\u001b[J`;
  const say = (line: string): string => `${dim('stagecraft dev:')} ${line}\n`;

  it('draws, redraws in place, prints above, and leaves a summary', () => {
    const t = terminal();
    t.at(0, { type: 'planned', plan, options });
    t.at(100, { type: 'starting', projectName: 'shop' });
    // The rows appear, then the line above them: the region is erased and drawn again below it.
    expect(t.stderr.writes).toStrictEqual([
      `${cyan('⠋')} api  pending  ${dim('0.0s')}\n${cyan('⠋')} db   pending  ${dim('0.0s')}\n`,
      up(2),
      say('starting project shop…'),
      `${cyan('⠋')} api  pending  ${dim('0.0s')}\n${cyan('⠋')} db   pending  ${dim('0.0s')}\n`,
    ]);
    expect(t.ticks).toHaveLength(1);

    t.at(1300, progress({ service: 'api', activity: 'building', step: step(2, 2, 'RUN npm ci --no-audit --no-fund --loglevel=error') }));
    // Cut to the width (60 columns, one spare), the elapsed time kept; the spinner's turn
    // is the time since the phase began, in 80 ms steps (1200 ms: the 16th frame, ⠴).
    expect(t.stderr.writes).toStrictEqual([
      `${up(2)}${cyan('⠴')} api  building step 2/2 RUN npm ci --no-audit --no-…  ${dim('1.2s')}\n${cyan('⠴')} db   pending  ${dim('1.2s')}\n`,
    ]);
    expect(`${cyan('⠴')} api  building step 2/2 RUN npm ci --no-audit --no-…  ${dim('1.2s')}`.replace(/\u001b\[[0-9;]*m/g, '')).toHaveLength(59);

    t.tick(1380);
    expect(t.stderr.writes).toStrictEqual([
      `${up(2)}${cyan('⠦')} api  building step 2/2 RUN npm ci --no-audit --no-…  ${dim('1.3s')}\n${cyan('⠦')} db   pending  ${dim('1.3s')}\n`,
    ]);

    t.at(5100, changed('api', 'running', { ready: true }));
    t.at(5200, changed('db', 'starting'));
    t.at(8100, { type: 'logs', text: 'db-1  | ready to accept connections\n' });
    // A log line goes above the region: erased on stderr, written on stdout, drawn again.
    expect(t.stderr.writes).toStrictEqual([
      up(2),
      `${green('✔')} api  running  ${dim('5.0s')}\n${cyan('⠋')} db   waiting for healthy  ${dim('8.0s')}\n`,
    ]);
    expect(t.stdout.text).toBe('db-1  | ready to accept connections\n');

    t.at(9100, changed('db', 'healthy', { ready: true }));
    expect(t.stopped).toStrictEqual([0]);
    t.at(9200, { type: 'started', projectName: 'shop', mode: 'detach' });
    // The last frame stays as the summary; the line goes below it.
    expect(t.stderr.writes).toStrictEqual([
      `${up(2)}${green('✔')} api  running  ${dim('5.0s')}\n${green('✔')} db   healthy  ${dim('9.0s')}\n`,
      say('project shop is running in the background; stop it with: stagecraft dev down -p shop'),
    ]);
  });

  it('a failed build: the summary marks it, the rows left pending are left off', () => {
    const t = terminal();
    t.at(0, { type: 'planned', plan, options });
    t.at(100, { type: 'starting', projectName: 'shop' });
    t.at(2600, progress({ service: 'api', activity: 'build-failed', step: step(2, 2, 'RUN npm ci') }));
    t.at(2700, { type: 'rollingBack', keepOnFailure: false });
    expect(t.stderr.writes).toStrictEqual([
      `${up(2)}${red('✖')} api  ${red('build failed at step 2/2 RUN npm ci')}  ${dim('2.5s')}\n${dim('○')} db   pending  ${dim('2.6s')}\n`,
      say('\u001b[33mstart failed; rolling back\u001b[0m'),
    ]);
  });
});

describe('container log prefixes', () => {
  const text = '\u001b[2K\u001b[36mapi-1  |\u001b[0m listening\n\u001b[2Kdb-1   | ready\nno prefix | here\n';

  it('on a terminal: each service its own colour, the same every run', () => {
    const { stdout } = run([[0, { type: 'logs', text }]], { stdoutIsTerminal: true, logPrefix: 'color' });
    expect(stdout.text).toBe('\u001b[2K\u001b[92mapi-1  |\u001b[0m listening\n\u001b[2K\u001b[35mdb-1   |\u001b[0m ready\nno prefix | here\n');
    expect(colorOf('api')).toBe('92');
    expect(colorOf('db')).toBe('35');
  });

  it('off a terminal: no colour', () => {
    const { stdout } = run([[0, { type: 'logs', text }]], { logPrefix: 'plain' });
    expect(stdout.text).toBe('api-1  | listening\ndb-1   | ready\nno prefix | here\n');
  });

  it('--no-log-prefix: no prefix', () => {
    const { stdout } = run([[0, { type: 'logs', text }]], { logPrefix: 'none' });
    expect(stdout.text).toBe('listening\nready\nno prefix | here\n');
  });
});
