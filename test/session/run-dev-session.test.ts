// runDevSession in process: the real machine and actors, the real SessionLock over a temp
// dev dir, the shared fake ComposeRunner playing compose and the engine, and an
// EventEmitter as the process that sends signals. Exact argv, exit codes and records.
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DevOptions } from '../../machines/dev-session.types.js';
import type { SessionEvent } from '../../src/output/reporter.js';
import { sessionFilePath, type SessionRecord } from '../../src/session-file/session-file.js';
import { SessionLock } from '../../src/session-file/session-lock.js';
import { runDevSession } from '../../src/session/run-dev-session.js';
import { engineEventLine, FakeComposeRunner, type FollowCall } from '../fakes/fake-compose-runner.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { testProjectLock } from '../fixtures/test-engine.js';
import { answerTeardown, forcedTeardownArgvs, isDown, teardownArgvs } from '../fixtures/teardown-commands.js';

const P = 'docker compose -p shop -f .stagecraft/dev/compose.yaml';
/** `ps` goes by the project's label, as the teardown: no `-f`. */
const PS = 'docker compose -p shop ps --all --format json';
const psOf = (...containers: Array<[service: string, state: string, health?: string]>) =>
  containers
    .map(([service, state, health = '']) =>
      JSON.stringify({ Name: `shop-${service}-1`, Service: service, State: state, Health: health, ExitCode: 0, Status: '' }),
    )
    .join('\n');

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-run-session-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function start(yaml: string, overrides: Partial<DevOptions> = {}) {
  mkdirSync(path.join(cwd, '.stagecraft/dev'), { recursive: true });
  writeFileSync(path.join(cwd, '.stagecraft/dev/compose.yaml'), yaml);
  const options: DevOptions = { ...defaultDevOptions, ...overrides };
  const runner = new FakeComposeRunner();
  const reported: SessionEvent[] = [];
  const signals = new EventEmitter();
  const file = sessionFilePath(options.devDir, cwd);
  const lock = new SessionLock(file, options.mode, { lock: testProjectLock() });
  const session = runDevSession({ options, runner, reporter: { report: (e) => reported.push(e) }, lock, cwd, signals });
  /** The session file now, once the writes asked for so far are done; undefined when there is none. */
  const record = async (): Promise<Partial<SessionRecord> | undefined> => {
    await lock.flush();
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SessionRecord) : undefined;
  };
  const stateOf = async () => {
    const r = await record();
    return r === undefined ? undefined : { state: r.state, tags: r.tags };
  };
  return { runner, reported, signals, session, record, stateOf };
}

/** What the engine says of `service`'s container through `events`. */
const say = (events: FollowCall, service: string, ...actions: string[]) =>
  events.output(actions.map((action) => engineEventLine('shop', service, action)).join(''));

const twoOneShots = 'name: shop\nservices:\n  web: {image: busybox}\n  worker: {image: busybox}\n';
/** What the engine lists of `shop` before its teardown: its two containers and its network. */
const twoOneShotsListing = { containers: ['shop-web-1\t', 'shop-worker-1\t'], networks: ['shop_default'] };
const twoOneShotsRemoved = { type: 'removed', projectName: 'shop', removal: { containers: ['shop-web-1', 'shop-worker-1'], networks: ['shop_default'], volumes: [] } };
/** The teardown's commands as the fake runner logs them. */
const teardownLog = (argvs: readonly string[][]): string[] => argvs.map((argv) => `run ${argv.join(' ')}`);

describe('runDevSession: foreground', () => {
  it('a stack whose services all exit 0 ends the session by itself: exit 0, torn down, record released', async () => {
    const { runner, reported, session, stateOf } = start(twoOneShots);
    runner.answer('exitCodes', { stdout: psOf(['web', 'running'], ['worker', 'running']) });
    answerTeardown(runner, twoOneShotsListing);
    const events = await runner.waitForFollow('events');
    const up = await runner.waitForRun('start');
    expect(await stateOf()).toStrictEqual({ state: 'starting', tags: ['stackMayExist'] });
    // Containers come to life while `up` runs: the events stream started before it.
    say(events, 'web', 'create', 'start');
    say(events, 'worker', 'create', 'start');
    up.resolve();
    const logs = await runner.waitForFollow('attach');
    await runner.waitForRun('exitCodes');
    expect(await stateOf()).toStrictEqual({ state: 'attached', tags: ['stackMayExist'] });
    logs.output('\u001b[2Kweb-1  | 2026-12-01T15:24:10.375866389Z hello\n');
    say(events, 'web', 'die:0');
    say(events, 'worker', 'die:0');
    // compose ends `logs --follow` once every container has stopped: the last lines are out.
    logs.end();
    const output = await session;

    expect(output).toStrictEqual({
      finalState: 'stopped',
      exitCode: 0,
      projectName: 'shop',
      mode: 'foreground',
      failure: undefined,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: undefined,
    });
    expect(runner.log()).toStrictEqual([
      `follow ${P} events --json`,
      `run ${P} up --detach --remove-orphans`,
      `follow ${P} logs --follow --timestamps`,
      `run ${PS}`,
      `stop ${P} events --json`,
      'idle start',
      ...teardownLog(teardownArgvs('shop')),
    ]);
    expect(await stateOf()).toBeUndefined();
    expect(reported.filter((e) => e.type === 'removed')).toStrictEqual([twoOneShotsRemoved]);
    expect(reported.filter((e) => e.type === 'logs')).toStrictEqual([{ type: 'logs', text: '\u001b[2Kweb-1  | hello\n' }]);
    expect(reported.filter((e) => e.type === 'stopping')).toStrictEqual([
      { type: 'stopping', projectName: 'shop', cause: 'stack-ended', signal: undefined },
    ]);
  });

  it('a service that exits non-zero, before the logs are even followed, is reported; the ended stack exits 2 naming it', async () => {
    const { runner, reported, session } = start(twoOneShots);
    runner.answer('exitCodes', { stdout: psOf(['web', 'exited'], ['worker', 'exited']) });
    answerTeardown(runner, twoOneShotsListing);
    const events = await runner.waitForFollow('events');
    const up = await runner.waitForRun('start');
    say(events, 'web', 'create', 'start', 'die:111');
    say(events, 'worker', 'create', 'start', 'die:0');
    const exits = reported.flatMap((e) => (e.type === 'service' && e.status.state === 'exited' ? [[e.status.service, e.status.exitCode]] : []));
    expect(exits).toStrictEqual([
      ['web', 111],
      ['worker', 0],
    ]);
    up.resolve();
    // compose's `logs --follow` prints what the exited containers wrote, and ends.
    (await runner.waitForFollow('attach')).end();
    const output = await session;
    expect(output.exitCode).toBe(2);
    expect(output.failure).toStrictEqual({ kind: 'services-failed', services: [{ service: 'web', state: 'exited', exitCode: 111 }] });
    expect(runner.log().slice(-6)).toStrictEqual(['idle start', ...teardownLog(teardownArgvs('shop'))]);
    expect(reported.filter((e) => e.type === 'removed')).toStrictEqual([twoOneShotsRemoved]);
  });

  it('SIGINT on the process: STOP, graceful teardown, exit 130; the record says stopping.graceful meanwhile', async () => {
    const { runner, reported, signals, session, stateOf } = start(twoOneShots);
    runner.answer('start', {});
    runner.answer('exitCodes', { stdout: psOf(['web', 'running'], ['worker', 'running']) });
    // `down` waits for the test.
    answerTeardown(runner, twoOneShotsListing).answer(isDown);
    const events = await runner.waitForFollow('events');
    say(events, 'web', 'create', 'start');
    say(events, 'worker', 'create', 'start');
    await runner.waitForFollow('attach');
    signals.emit('SIGINT');
    const down = await runner.waitForRun(isDown);
    expect(await stateOf()).toStrictEqual({ state: 'stopping.graceful', tags: ['stackMayExist', 'tearingDown'] });
    down.resolve();
    const output = await session;
    expect(output).toMatchObject({ finalState: 'stopped', exitCode: 130, signal: 'SIGINT', failure: undefined, leftBehind: undefined });
    expect(runner.argvs()).toStrictEqual([
      ...['events --json', 'up --detach --remove-orphans', 'logs --follow --timestamps'].map((tail) => `${P} ${tail}`.split(' ')),
      PS.split(' '),
      ...teardownArgvs('shop'),
    ]);
    expect(reported.filter((e) => e.type === 'removed')).toStrictEqual([twoOneShotsRemoved]);
    expect(reported.filter((e) => e.type === 'stopping')).toStrictEqual([
      { type: 'stopping', projectName: 'shop', cause: 'signal', signal: 'SIGINT' },
    ]);
    expect(await stateOf()).toBeUndefined();
    // A late signal once the session is over is ignored, not fatal.
    expect(() => signals.emit('SIGTERM')).not.toThrow();
  });

  it('a second SIGINT forces: kill, then down --timeout 0; exit 130', async () => {
    const { runner, reported, signals, session, stateOf } = start(twoOneShots);
    runner.answer('start', {});
    runner.answer('exitCodes', { stdout: '' });
    // The graceful `down` hangs; the forced teardown's commands succeed.
    answerTeardown(runner, twoOneShotsListing).answer(isDown);
    await runner.waitForFollow('attach');
    signals.emit('SIGINT');
    const down = await runner.waitForRun(isDown);
    runner.answer('forcedTeardown', {});
    signals.emit('SIGINT');
    expect(down.signal.aborted).toBe(true);
    const output = await session;
    expect(output).toMatchObject({ finalState: 'stopped', exitCode: 130, signal: 'SIGINT' });
    expect(runner.log().slice(-10)).toStrictEqual([
      ...teardownLog(teardownArgvs('shop').slice(0, 3)),
      'idle 1000',
      ...teardownLog(forcedTeardownArgvs('shop')),
    ]);
    // Said once, for the forced teardown, with what it found (its listings answered empty).
    expect(reported.filter((e) => e.type === 'removed')).toStrictEqual([
      { type: 'removed', projectName: 'shop', removal: { containers: [], networks: [], volumes: [] } },
    ]);
    expect(await stateOf()).toBeUndefined();
  });

  it('an `up` that finds no docker fails at once: exit 2, no rollback, nothing left, record released', async () => {
    const { runner, session, stateOf } = start(twoOneShots);
    runner.answer('start', { fail: 'docker-missing', stderrTail: 'docker: ENOENT' });
    const output = await session;
    expect(output).toMatchObject({
      finalState: 'failed',
      exitCode: 2,
      failure: { kind: 'compose-unavailable' },
      leftBehind: undefined,
    });
    expect(runner.log()).toStrictEqual([
      `follow ${P} events --json`,
      `run ${P} up --detach --remove-orphans`,
      `stop ${P} events --json`,
    ]);
    expect(await stateOf()).toBeUndefined();
  });
});

describe('runDevSession: --detach --wait', () => {
  const yaml = [
    'name: shop',
    'services:',
    '  db:',
    '    image: postgres:16',
    '    healthcheck: {test: [CMD, pg_isready]}',
    '  migrate: {image: shop/migrate}',
    '',
  ].join('\n');

  it('ready when the healthcheck service is healthy and the one-shot exited 0: exit 0, events stopped, record left', async () => {
    const { runner, reported, session, record } = start(yaml, { mode: 'detach', wait: true });
    runner.answer('start', {});
    runner.answer('exitCodes', { stdout: psOf(['db', 'running', 'starting'], ['migrate', 'running']) });
    const events = await runner.waitForFollow('events');
    await runner.waitForRun('exitCodes');
    expect((await record())?.state).toBe('waiting');
    expect(reported.filter((e) => e.type === 'waiting')).toStrictEqual([
      { type: 'waiting', services: ['db', 'migrate'], timeoutSeconds: 120 },
    ]);
    say(events, 'migrate', 'die:0');
    say(events, 'db', 'health_status: healthy');
    const output = await session;
    expect(output).toStrictEqual({
      finalState: 'detached',
      exitCode: 0,
      projectName: 'shop',
      mode: 'detach',
      failure: undefined,
      teardownFailure: undefined,
      signal: undefined,
      leftBehind: ['docker', 'compose', '-p', 'shop', 'down', '--remove-orphans'],
    });
    expect(events.stopped).toBe(true);
    expect(runner.log()).toStrictEqual([
      `follow ${P} events --json`,
      `run ${P} up --detach --remove-orphans`,
      `run ${PS}`,
      `stop ${P} events --json`,
    ]);
    expect(await record()).toMatchObject({ mode: 'detach', state: 'detached', tags: [], pid: process.pid, project: 'shop' });
  });

  it('a service turning unhealthy fails the wait at once, naming it with its health-check output; rolled back, exit 2', async () => {
    const { runner, reported, session, record } = start(yaml, { mode: 'detach', wait: true });
    runner.answer('start', {});
    runner.answer('exitCodes', { stdout: '' });
    runner.answer('health', {
      stdout: JSON.stringify({ Status: 'unhealthy', Log: [{ ExitCode: 2, Output: 'no response\n' }] }),
    });
    answerTeardown(runner, { containers: ['shop-db-1\t', 'shop-migrate-1\t'], networks: ['shop_default'] });
    const events = await runner.waitForFollow('events');
    await runner.waitForRun('exitCodes');
    events.output(engineEventLine('shop', 'db', 'create', 'c-db') + engineEventLine('shop', 'db', 'start', 'c-db'));
    events.output(engineEventLine('shop', 'db', 'health_status: unhealthy', 'c-db'));
    (await runner.waitForFollow('diagnostics')).end();
    const output = await session;
    expect(output).toMatchObject({
      finalState: 'failed',
      exitCode: 2,
      failure: {
        kind: 'start-failed',
        message: 'starting project shop failed: db turned unhealthy before the stack was ready',
        services: ['db'],
      },
      leftBehind: undefined,
    });
    expect(runner.log()).toStrictEqual([
      `follow ${P} events --json`,
      `run ${P} up --detach --remove-orphans`,
      `run ${PS}`,
      `stop ${P} events --json`,
      `follow ${P} logs --tail 50 db`,
      "run docker inspect --format {{json .State.Health}} c-db",
      'idle start',
      ...teardownLog(teardownArgvs('shop')),
    ]);
    expect(reported.filter((e) => e.type === 'removed')).toStrictEqual([
      { type: 'removed', projectName: 'shop', removal: { containers: ['shop-db-1', 'shop-migrate-1'], networks: ['shop_default'], volumes: [] } },
    ]);
    expect(reported.filter((e) => e.type === 'healthOutput')).toStrictEqual([
      { type: 'healthOutput', service: 'db', output: 'no response (exit code 2)' },
    ]);
    expect(await record()).toBeUndefined();
  });
});
