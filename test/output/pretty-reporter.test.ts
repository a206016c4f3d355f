import type { DevOptions, DevSessionOutput, PlannedCommand } from '../../machines/dev-session.types.js';
import type { ServiceState, ServiceStatus } from '../../machines/service.types.js';
import { messageOf, type PrettyReporterOptions } from '../../src/output/pretty-reporter.js';
import type { SessionEvent } from '../../src/output/reporter.js';
import type { DevFiles } from '../../src/dev-files/read-dev-files.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { prettyReporter, sessionOutput } from './reporter-rig.js';

const next = 'fix what compose reported and run stagecraft dev again (--keep-on-failure keeps what was created, for inspection)';

function reporter(options: Partial<Omit<PrettyReporterOptions, 'stdout' | 'stderr'>> = {}) {
  const { reporter: r, stdout, stderr } = prettyReporter(options);
  const report = (...events: SessionEvent[]) => {
    for (const event of events) r.report(event);
  };
  return { report, stdout, stderr };
}

const options: DevOptions = defaultDevOptions;
const files = {
  devDir: '.stagecraft/dev',
  composeFile: '.stagecraft/dev/compose.yaml',
  name: 'shop',
  services: [
    { name: 'api', traefik: false, profiled: false, image: undefined, healthcheck: true, restart: { kind: 'no' }, noReplicas: false, stopGraceSeconds: undefined },
    { name: 'traefik', traefik: true, profiled: false, image: 'traefik:v3', healthcheck: false, restart: { kind: 'always' }, noReplicas: false, stopGraceSeconds: undefined },
  ],
} satisfies DevFiles;
const plan = buildPlan(files, options);
const noTraefikOptions: DevOptions = { ...options, noTraefik: true };
const start: PlannedCommand = plan.start;

const output = sessionOutput;

const logText = '\u001b[2K\u001b[36mapi-1  |\u001b[0m listening on :8080\n\u001b[2Kdb-1   | ready\n';

/** Every event only --verbose shows. */
const verboseOnly: SessionEvent[] = [
  { type: 'planned', plan: buildPlan(files, noTraefikOptions), options: noTraefikOptions },
  { type: 'transition', from: undefined, event: undefined, to: 'validating' },
  { type: 'transition', from: 'validating', event: 'xstate.done.actor.validate', to: 'claiming' },
  { type: 'logsReattaching', since: '2026-12-01T15:24:10.375866389Z' },
  { type: 'waiting', services: [], timeoutSeconds: 120 },
  { type: 'command', command: start },
  { type: 'commandOutput', command: start, line: ' Container shop-api-1  Started' },
  { type: 'commandEnded', command: start, exitCode: 1 },
];

describe('PrettyReporter: container logs', () => {
  it('go to stdout with the erase-line escape stripped when stdout is not a terminal', () => {
    const r = reporter({ stdoutIsTerminal: false });
    r.report({ type: 'logs', text: logText });
    expect(r.stdout.text).toBe('\u001b[36mapi-1  |\u001b[0m listening on :8080\ndb-1   | ready\n');
    expect(r.stderr.text).toBe('');
  });

  it('go to stdout unchanged on a terminal', () => {
    const r = reporter({ stdoutIsTerminal: true });
    r.report({ type: 'logs', text: logText });
    expect(r.stdout.text).toBe(logText);
    expect(r.stderr.text).toBe('');
  });

  it('are not coloured or prefixed by stagecraft, even with colour on', () => {
    const r = reporter({ color: true });
    r.report({ type: 'logs', text: 'plain line\n' });
    expect(r.stdout.text).toBe('plain line\n');
  });
});

describe('PrettyReporter: messages', () => {
  it.each<[string, SessionEvent, string]>([
    ['starting', { type: 'starting', projectName: 'shop' }, 'starting project shop…'],
    [
      'reconciling a stale session',
      { type: 'reconciling', stale: { project: 'shop', pid: 4242, state: 'attached', plan } },
      'found a stale session of project shop (pid 4242 is gone, last state attached); tearing it down before starting',
    ],
    [
      'started in the foreground',
      { type: 'started', projectName: 'shop', mode: 'foreground' },
      'project shop is up; streaming its logs (Ctrl+C stops and removes it)',
    ],
    [
      'started detached',
      { type: 'started', projectName: 'shop', mode: 'detach' },
      'project shop is running in the background; stop it with: stagecraft dev down -p shop',
    ],
    [
      'stopping on a signal',
      { type: 'stopping', projectName: 'shop', cause: 'signal', signal: 'SIGTERM' },
      'got SIGTERM: stopping project shop (Ctrl+C again to force)',
    ],
    [
      'stopping on a request without a signal',
      { type: 'stopping', projectName: 'shop', cause: 'signal', signal: undefined },
      'got a stop request: stopping project shop (Ctrl+C again to force)',
    ],
    [
      'stopping after an error ended the session (the engine went away): no stop request was sent',
      { type: 'stopping', projectName: 'shop', cause: 'failed', signal: undefined },
      'an error ended the session of project shop (it is shown below); removing the stack',
    ],
    [
      'stopping after the stack ended',
      { type: 'stopping', projectName: 'shop', cause: 'stack-ended', signal: undefined },
      'every container of project shop has exited; removing the stack',
    ],
    [
      "stopping after the engine's event stream kept ending",
      { type: 'stopping', projectName: 'shop', cause: 'events-lost', signal: undefined },
      "lost the engine's event stream of project shop; removing the stack",
    ],
    [
      'waiting for services',
      { type: 'waiting', services: ['api', 'db'], timeoutSeconds: 120 },
      'waiting up to 120 s for api, db to be ready…',
    ],
    [
      'the events stream ended',
      { type: 'eventsLost', reason: 'it ended' },
      "the engine's event stream ended (it ended); reading the stack's state once",
    ],
    [
      'a health-check output',
      { type: 'healthOutput', service: 'db', output: 'pg_isready: no response (exit code 2)' },
      'last health check of db: pg_isready: no response (exit code 2)',
    ],
    [
      'forcing on a signal',
      { type: 'forcing', cause: 'signal' },
      'forcing the teardown: kill, then down --timeout 0 (bounded: it gives up after 20 s)',
    ],
    ['forcing at the deadline', { type: 'forcing', cause: 'deadline' }, 'the graceful teardown did not finish in time; forcing it'],
    ['rolling back', { type: 'rollingBack', keepOnFailure: false }, 'start failed; rolling back'],
    [
      'keeping on failure',
      { type: 'rollingBack', keepOnFailure: true },
      'start failed; keeping what was created for inspection (--keep-on-failure)',
    ],
    ['diagnostics', { type: 'diagnostics', services: ['api', 'db'] }, 'last log lines of api, db:'],
    ['an error', { type: 'error', failure: { kind: 'input', message: 'bad flag' } }, 'error: bad flag'],
    ['a notice', { type: 'notice', message: 'removed session file' }, 'removed session file'],
  ])('%s: one prefixed line on stderr, nothing on stdout', (_what, event, line) => {
    const r = reporter();
    r.report(event);
    expect(r.stderr.text).toBe(`stagecraft dev: ${line}\n`);
    expect(r.stdout.text).toBe('');
  });
});

/** api's status in `state`. */
const status = (state: ServiceState, more: Partial<ServiceStatus> = {}): ServiceStatus => ({
  service: 'api',
  state,
  ready: false,
  active: true,
  failed: false,
  exitCode: undefined,
  restarts: 0,
  container: 'ed2130fe8c0e',
  healthcheck: true,
  ...more,
});
const changed = (now: ServiceStatus, previous: ServiceStatus | undefined): SessionEvent => ({ type: 'service', status: now, previous });

describe('PrettyReporter: services as they change (SPEC §4)', () => {
  it.each<[string, SessionEvent, string]>([
    ['an exit', changed(status('exited', { exitCode: 111, active: false, failed: true }), status('running')), 'api exited with code 111'],
    ['an exit 0', changed(status('exited', { exitCode: 0, active: false, ready: true }), status('running')), 'api exited with code 0'],
    [
      'an exit before anything else was seen (before the log stream)',
      changed(status('exited', { exitCode: 3, active: false, failed: true }), undefined),
      'api exited with code 3',
    ],
    [
      'a restart',
      changed(status('restarting', { exitCode: 1 }), status('running')),
      'api exited with code 1; restarting (1)',
    ],
    [
      'the second restart',
      changed(status('restarting', { exitCode: 1, restarts: 1 }), status('running', { restarts: 1 })),
      'api exited with code 1; restarting (2)',
    ],
    [
      'stopped by someone (compose stop, restart, docker stop)',
      changed(status('stopped', { exitCode: 143, active: false }), status('stopping')),
      'api was stopped (exit code 143)',
    ],
    ['stopped, its exit code never read', changed(status('stopped', { active: false }), status('stopping')), 'api was stopped (exit code ?)'],
    [
      'started again after someone stopped it (compose restart, dev restart from another shell)',
      changed(status('running', { healthcheck: false, ready: true, restarts: 1, exitCode: 143 }), status('stopped', { active: false, exitCode: 143 })),
      'api was started again',
    ],
    ['turning unhealthy', changed(status('unhealthy', { failed: true }), status('starting')), 'api is unhealthy'],
    ['healthy again', changed(status('healthy', { ready: true }), status('unhealthy')), 'api is healthy'],
  ])('%s: one line on stderr', (_what, event, line) => {
    const r = reporter();
    r.report(event);
    expect(r.stderr.text).toBe(`stagecraft dev: ${line}\n`);
    expect(r.stdout.text).toBe('');
  });

  it('says nothing of the ordinary steps without --verbose', () => {
    const r = reporter();
    r.report(
      changed(status('pending'), undefined),
      changed(status('created'), status('pending')),
      changed(status('starting'), status('created')),
      changed(status('healthy', { ready: true }), status('starting')),
      changed(status('running', { healthcheck: false, ready: true }), status('created')),
      changed(status('stopping'), status('running')),
      changed(status('removed', { active: false }), status('exited', { active: false })),
    );
    expect(r.stderr.text).toBe('');
  });

  it('with --verbose shows each step but pending, dimmed', () => {
    const r = reporter({ verbose: true, color: true });
    r.report(
      changed(status('pending'), undefined),
      changed(status('created'), status('pending')),
      changed(status('healthy', { ready: true }), status('starting')),
    );
    expect(r.stderr.text).toBe(
      [
        '\u001b[2mstagecraft dev:\u001b[0m \u001b[2mapi: created\u001b[0m',
        '\u001b[2mstagecraft dev:\u001b[0m api is healthy',
        '',
      ].join('\n'),
    );
  });

  it('repeats nothing: the same state and restarts again is no news', () => {
    const r = reporter({ verbose: true });
    const exited = status('exited', { exitCode: 1, active: false, failed: true });
    r.report(changed(exited, exited), changed(status('running'), status('running')));
    expect(r.stderr.text).toBe('');
  });
});

describe('PrettyReporter: verbose', () => {
  it('without --verbose prints none of the verbose-only lines', () => {
    const r = reporter({ verbose: false });
    r.report(...verboseOnly);
    expect(r.stderr.text).toBe('');
    expect(r.stdout.text).toBe('');
  });

  it('with --verbose prints the dev dir, the compose file, transitions and commands, all on stderr', () => {
    const r = reporter({ verbose: true });
    r.report(...verboseOnly);
    expect(r.stderr.text).toBe(
      [
        'stagecraft dev: dev dir: .stagecraft/dev',
        'stagecraft dev: compose file: .stagecraft/dev/compose.yaml',
        'stagecraft dev: project: shop',
        'stagecraft dev: --no-traefik: leaving out traefik (never pulled nor started)',
        'stagecraft dev: state: validating',
        'stagecraft dev: state: validating → claiming',
        'stagecraft dev: log stream ended; following again since 2026-12-01T15:24:10.375866389Z',
        'stagecraft dev: $ docker compose -p shop -f .stagecraft/dev/compose.yaml up --detach --remove-orphans',
        '  │  Container shop-api-1  Started',
        'stagecraft dev: start command exited with 1',
        '',
      ].join('\n'),
    );
    expect(r.stdout.text).toBe('');
  });

  it('says when --no-traefik finds no Traefik service', () => {
    const r = reporter({ verbose: true });
    const noTraefikPlan = buildPlan({ ...files, services: [files.services[0]!] }, noTraefikOptions);
    r.report({ type: 'planned', plan: noTraefikPlan, options: noTraefikOptions });
    expect(r.stderr.text.split('\n').at(-2)).toBe(
      'stagecraft dev: --no-traefik: no Traefik service in compose.yaml, nothing left out',
    );
  });

  it('a re-attach with no line seen yet names no time', () => {
    const r = reporter({ verbose: true });
    r.report({ type: 'logsReattaching', since: undefined });
    expect(r.stderr.text).toBe('stagecraft dev: log stream ended; following again\n');
  });

  it('says nothing about Traefik without --no-traefik', () => {
    const r = reporter({ verbose: true });
    r.report({ type: 'planned', plan, options });
    expect(r.stderr.text).toBe(
      'stagecraft dev: dev dir: .stagecraft/dev\nstagecraft dev: compose file: .stagecraft/dev/compose.yaml\nstagecraft dev: project: shop\n',
    );
  });

  it('strips the erase-line escape from compose output and quiets a successful command', () => {
    const r = reporter({ verbose: true });
    r.report(
      { type: 'commandOutput', command: start, line: '\u001b[2K Container shop-api-1  Started' },
      { type: 'commandEnded', command: start, exitCode: 0 },
      { type: 'commandEnded', command: plan.teardown.down, exitCode: undefined },
    );
    expect(r.stderr.text).toBe(
      '  │  Container shop-api-1  Started\nstagecraft dev: teardown command exited with a signal\n',
    );
  });

  it('shell-quotes the commands it prints', () => {
    const r = reporter({ verbose: true });
    r.report({ type: 'command', command: { phase: 'explain', argv: ['docker', '--context', 'my box', 'compose', 'version'] } });
    expect(r.stderr.text).toBe("stagecraft dev: $ docker --context 'my box' compose version\n");
  });
});

describe('PrettyReporter: the end of a session', () => {
  it('detached: nothing more to say', () => {
    const r = reporter();
    r.report({ type: 'finished', output: output({ finalState: 'detached', mode: 'detach', leftBehind: plan.teardown.down.argv }) });
    expect(r.stderr.text).toBe('');
  });

  it('stopped by a signal', () => {
    const r = reporter();
    r.report({ type: 'finished', output: output({ exitCode: 130, signal: 'SIGINT' }) });
    expect(r.stderr.text).toBe('stagecraft dev: stopped project shop; nothing left running\n');
  });

  it('stopped after every service exited 0', () => {
    const r = reporter();
    r.report({ type: 'finished', output: output({}) });
    expect(r.stderr.text).toBe('stagecraft dev: project shop ended with every service exited 0; removed\n');
  });

  it('stopped with failed services: the error only', () => {
    const r = reporter();
    r.report({
      type: 'finished',
      output: output({
        exitCode: 2,
        failure: {
          kind: 'services-failed',
          services: [
            { service: 'api', state: 'exited', exitCode: 1 },
            { service: 'worker', state: 'exited', exitCode: 137 },
          ],
        },
      }),
    });
    expect(r.stderr.text).toBe(
      'stagecraft dev: error: service api exited with code 1, service worker exited with code 137; see its logs above, fix it and run stagecraft dev again\n',
    );
  });

  it('failed with the stack left behind: the error, the teardown error and how to remove it', () => {
    const r = reporter();
    r.report({
      type: 'finished',
      output: output({
        finalState: 'failed',
        exitCode: 2,
        failure: { kind: 'start-failed', message: 'starting project shop failed', stderrTail: '', services: ['api'] },
        teardownFailure: { kind: 'command-failed', message: 'teardown of project shop failed' },
        leftBehind: plan.teardown.down.argv,
      }),
    });
    expect(r.stderr.text).toBe(
      [
        'stagecraft dev: error: starting project shop failed',
        '  services at fault: api (their last log lines are above)',
        `  ${next}`,
        'stagecraft dev: error: teardown of project shop failed',
        'stagecraft dev: the stack of project shop may still be there; remove it with: stagecraft dev down -p shop',
        'stagecraft dev:   or by hand: docker compose -p shop stop && docker ps --all --quiet --filter label=com.docker.compose.project=shop | xargs -r docker rm --force --volumes && docker compose -p shop down --remove-orphans',
        '',
      ].join('\n'),
    );
  });

  it('failed with nothing left behind: the error only', () => {
    const r = reporter();
    r.report({
      type: 'finished',
      output: output({ finalState: 'failed', exitCode: 1, failure: { kind: 'input', message: 'no project name' } }),
    });
    expect(r.stderr.text).toBe('stagecraft dev: error: no project name\n');
  });

  it('abandoned: the exact command to run by hand', () => {
    const r = reporter();
    r.report({
      type: 'finished',
      output: output({ finalState: 'abandoned', exitCode: 2, signal: 'SIGINT', leftBehind: plan.forcedTeardown.teardown.down.argv }),
    });
    expect(r.stderr.text).toBe(
      [
        'stagecraft dev: gave up on the teardown; project shop may still be running',
        'stagecraft dev: remove it by hand: docker ps --all --quiet --filter label=com.docker.compose.project=shop | xargs -r docker rm --force --volumes && docker compose -p shop down --remove-orphans --timeout 0',
        '',
      ].join('\n'),
    );
    expect(r.stdout.text).toBe('');
  });
});

describe('PrettyReporter: colour', () => {
  const everything: SessionEvent[] = [
    ...verboseOnly,
    { type: 'starting', projectName: 'shop' },
    { type: 'forcing', cause: 'signal' },
    { type: 'rollingBack', keepOnFailure: false },
    { type: 'error', failure: { kind: 'internal', message: 'bug' } },
    { type: 'finished', output: output({ finalState: 'abandoned', exitCode: 2, leftBehind: ['x'] }) },
  ];

  it('with color=false no escape code reaches stderr', () => {
    const r = reporter({ color: false, verbose: true });
    r.report(...everything);
    expect(r.stderr.text.length).toBeGreaterThan(0);
    expect(r.stderr.text.includes('\u001b[')).toBe(false);
  });

  it('with color=true the prefix is dim, errors bold red and warnings yellow', () => {
    const r = reporter({ color: true });
    r.report(
      { type: 'starting', projectName: 'shop' },
      { type: 'error', failure: { kind: 'input', message: 'bad flag' } },
      { type: 'forcing', cause: 'deadline' },
    );
    expect(r.stderr.text).toBe(
      [
        '\u001b[2mstagecraft dev:\u001b[0m starting project shop…',
        '\u001b[2mstagecraft dev:\u001b[0m \u001b[1;31merror:\u001b[0m bad flag',
        '\u001b[2mstagecraft dev:\u001b[0m \u001b[33mthe graceful teardown did not finish in time; forcing it\u001b[0m',
        '',
      ].join('\n'),
    );
  });
});

describe('messageOf', () => {
  it('a start failure without services is its message and what to do next', () => {
    expect(messageOf({ kind: 'start-failed', message: 'up failed', stderrTail: 'x', services: [] })).toBe(`up failed\n  ${next}`);
  });

  it('a start failure names the services at fault, then what to do next', () => {
    expect(messageOf({ kind: 'start-failed', message: 'up failed', stderrTail: '', services: ['api', 'db'] })).toBe(
      `up failed\n  services at fault: api, db (their last log lines are above)\n  ${next}`,
    );
  });

  it('a start that --start-timeout ended says it took longer, and to raise the bound or check the engine; kept or not', () => {
    const timedOut = { kind: 'start-failed', message: 'starting project shop did not finish in 5 s (--start-timeout): the engine may be hung', stderrTail: '', services: [], timedOutSeconds: 5 } as const;
    const text = `${timedOut.message}\n  the start took longer than 5 s: raise --start-timeout if it needs longer, or check the engine (\`docker info\`); then run stagecraft dev again`;
    expect(messageOf(timedOut)).toBe(text);
    expect(messageOf(timedOut, true)).toBe(text);
  });

  it.each([
    'input',
    'compose-unavailable',
    'engine-unreachable',
    'locked',
    'command-failed',
    'internal',
  ] as const)('a %s failure is its message', (kind) => {
    expect(messageOf({ kind, message: `the ${kind} message` })).toBe(`the ${kind} message`);
  });
});

describe('dev restart', () => {
  it('a restarted service being stopped is the restart, not news; started again neither; then the last line', () => {
    const r = reporter({ progress: { kind: 'none' } });
    r.report(
      { type: 'restarting', projectName: 'shop', services: ['api'] },
      changed(status('stopped', { active: false, exitCode: 143 }), status('stopping')),
      changed(status('running', { healthcheck: false, ready: true, restarts: 1, exitCode: 143 }), status('stopped', { active: false, exitCode: 143 })),
      { type: 'restarted', projectName: 'shop', statuses: [status('running', { healthcheck: false, ready: true })] },
    );
    expect(r.stderr.text).toBe('stagecraft dev: restarting api of project shop…\nstagecraft dev: restarted api (running) of project shop\n');
  });

  it.each([
    ['survey', 'stopped before restarting anything'],
    ['restart', 'stopped while compose restarted api, web: some may be left stopped; see `stagecraft dev status`, and run `stagecraft dev restart api web` again'],
    ['wait', 'stopped waiting: the restart of api, web is done (nothing was stopped by this), but not every one is ready yet; see `stagecraft dev status`'],
  ] as const)('a stop signal during the %s step says what it leaves', (step, line) => {
    const r = reporter();
    r.report({ type: 'restartInterrupted', projectName: 'shop', step, services: ['api', 'web'] });
    expect(r.stderr.text).toBe(`stagecraft dev: ${line}\n`);
  });

  it('--quiet keeps only the last line of a restart that worked', () => {
    const r = reporter({ quiet: true });
    r.report(
      { type: 'restarting', projectName: 'shop', services: ['api'] },
      { type: 'waiting', services: ['api'], timeoutSeconds: 120 },
      { type: 'restarted', projectName: 'shop', statuses: [status('healthy', { ready: true })] },
    );
    expect(r.stderr.text).toBe('stagecraft dev: restarted api (healthy) of project shop\n');
  });
});
