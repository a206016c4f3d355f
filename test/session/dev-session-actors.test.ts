// The production actors against the shared fake ComposeRunner: which planned commands
// each one runs (exact argv), what it sends the machine, and how failures reach it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assign, createActor, sendTo, setup, toPromise, type AnyActorLogic, type PromiseActorLogic } from 'xstate';
import type { DevSessionEvent, DiagnoseInput } from '../../machines/dev-session.machine.js';
import type { DevOptions, DevPlan, LogCursor, SessionFailure } from '../../machines/dev-session.types.js';
import type { ServiceStatus } from '../../machines/service.types.js';
import type { SessionEvent } from '../../src/output/reporter.js';
import { buildPlan, planForProjectOf } from '../../src/plan/build-plan.js';
import type { SessionRecord } from '../../src/session-file/session-file.js';
import { SessionLock, type AcquireResult } from '../../src/session-file/session-lock.js';
import { createDevSessionActors, forcedKillAfterMs, type SessionClaim } from '../../src/session/dev-session-actors.js';
import { lockedFailure } from '../../src/session/session-claims.js';
import { composeFailure, FakeComposeRunner } from '../fakes/fake-compose-runner.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopRecord } from '../fixtures/shop-session.js';
import { testProjectLock } from '../fixtures/test-engine.js';
import {
  answerTeardown,
  containersArgv,
  downArgv,
  forcedTeardownArgvs,
  isDown,
  isKill,
  networksArgv,
  removeVolumesArgv,
  teardownArgvs,
} from '../fixtures/teardown-commands.js';

const options: DevOptions = defaultDevOptions;
const none = { traefik: false, profiled: false, noReplicas: false, stopGraceSeconds: undefined } as const;
const plan = buildPlan(
  {
    devDir: '.stagecraft/dev',
    composeFile: '.stagecraft/dev/compose.yaml',
    name: 'shop',
    services: [
      { ...none, name: 'api', image: 'shop/api', healthcheck: false, restart: { kind: 'on-failure' } },
      { ...none, name: 'db', image: 'postgres:16', healthcheck: true, restart: { kind: 'no' } },
    ],
  },
  options,
);
const P = ['docker', 'compose', '-p', 'shop', '-f', '.stagecraft/dev/compose.yaml'];
const p = P.join(' ');
/** `ps` goes by the project's label, as the teardown: no `-f`. */
const PS = ['docker', 'compose', '-p', 'shop', 'ps', '--all', '--format', 'json'];
const ps = PS.join(' ');
/** The teardown's commands as the fake runner logs them. */
const teardownLog = (argvs: readonly string[][]): string[] => argvs.map((argv) => `run ${argv.join(' ')}`);
/** What the engine lists of `shop` before a teardown. */
const shopListing = { containers: [`shop-api-1\t${'7e'.repeat(32)}`, 'shop-db-1\tshop_pgdata'], networks: ['shop_default'] };
const shopRemoval = { containers: ['shop-api-1', 'shop-db-1'], networks: ['shop_default'], volumes: ['7e'.repeat(32)] };
const retryDown = 'run `stagecraft dev down` to retry, or by hand: docker compose -p shop stop && docker ps --all --quiet --filter label=com.docker.compose.project=shop | xargs -r docker rm --force --volumes && docker compose -p shop down --remove-orphans';

/** A SessionClaim answering `acquire` with `result`, recording each call. */
function recordingLock(result: AcquireResult) {
  const calls: string[] = [];
  const claims: Array<{ plan: DevPlan; state: string; signal: AbortSignal | undefined }> = [];
  const lock: SessionClaim = {
    file: '/nowhere/session.json',
    acquire(claimed, state, signal) {
      claims.push({ plan: claimed, state, signal });
      calls.push(`acquire ${state}`);
      return Promise.resolve(result);
    },
    reconciled() {
      calls.push('reconciled');
    },
  };
  return { lock, claims, calls };
}

const acquired: AcquireResult = { kind: 'acquired', stale: undefined };

function setUp(cwd = '/nowhere', claim: AcquireResult | SessionClaim = acquired) {
  const runner = new FakeComposeRunner();
  const recording = 'kind' in claim ? recordingLock(claim) : { lock: claim, claims: [], calls: [] };
  const reported: SessionEvent[] = [];
  const actors = createDevSessionActors({ runner, reporter: { report: (event) => reported.push(event) }, lock: recording.lock, cwd });
  return { runner, reported, actors, lockCalls: recording.calls, claims: recording.claims };
}

function run<TOutput, TInput>(logic: PromiseActorLogic<TOutput, TInput>, input: TInput): Promise<TOutput> {
  const actor = createActor(logic, { input });
  actor.start();
  return toPromise(actor);
}

/**
 * Hosts a callback actor (`followEvents`, `followLogs`) in a parent that records what it
 * sends back; `tell` sends the child an event, `stop` stops both (the child's cleanup runs).
 */
function host<TInput>(logic: AnyActorLogic, input: TInput) {
  const parent = setup({
    types: { context: {} as { got: DevSessionEvent[] }, events: {} as DevSessionEvent | { type: 'TELL'; event: DevSessionEvent } },
    actors: { child: logic },
  }).createMachine({
    context: { got: [] },
    invoke: { id: 'child', src: 'child', input },
    on: {
      TELL: { actions: sendTo('child', ({ event }) => event.event) },
      '*': { actions: assign({ got: ({ context, event }) => [...context.got, event as DevSessionEvent] }) },
    },
  });
  const actor = createActor(parent);
  actor.start();
  return {
    got: () => actor.getSnapshot().context.got,
    tell: (event: DevSessionEvent) => actor.send({ type: 'TELL', event }),
    stop: () => actor.stop(),
  };
}

/** Lets pending promise callbacks (a follower's `done` handlers) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const psLine = (service: string, state: string, exitCode: number, health = '') =>
  JSON.stringify({ Name: `shop-${service}-1`, Service: service, State: state, Health: health, ExitCode: exitCode, Status: '' });

describe('validate', () => {
  it('rejects with an input failure when the dev files are missing', async () => {
    const { actors, runner } = setUp(path.join(os.tmpdir(), 'stagecraft-no-such-dir-for-validate'));
    await expect(run(actors.validate, options)).rejects.toStrictEqual({
      kind: 'input',
      message: 'dev dir not found at .stagecraft/dev; generate the dev files first: run `stagecraft init` to write a stagecraft.yml, then `stagecraft dev`',
    });
    expect(runner.calls).toStrictEqual([]);
  });

  it('resolves with the plan of the dev files on disk, running nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-validate-'));
    try {
      mkdirSync(path.join(dir, '.stagecraft/dev'), { recursive: true });
      writeFileSync(
        path.join(dir, '.stagecraft/dev/compose.yaml'),
        'name: shop\nservices:\n  api: {image: shop/api, restart: on-failure}\n  db:\n    image: postgres:16\n    healthcheck: {test: [CMD, pg_isready]}\n',
      );
      const { actors, runner } = setUp(dir);
      expect(await run(actors.validate, options)).toStrictEqual(plan);
      expect(runner.calls).toStrictEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('claim', () => {
  /** A session file as another (detached) session wrote it. */
  const sessionRecord = (overrides: Partial<SessionRecord> = {}): SessionRecord =>
    shopRecord({ mode: 'detach', state: 'detached', plan, ...overrides });

  it('claims the lock for this plan in state claiming, passing its abort signal; runs no compose command', async () => {
    const { actors, runner, claims } = setUp();
    expect(await run(actors.claim, plan)).toStrictEqual({ stale: undefined });
    expect(claims).toHaveLength(1);
    expect(claims[0]?.plan).toBe(plan);
    expect(claims[0]?.state).toBe('claiming');
    expect(claims[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(runner.calls).toStrictEqual([]);
  });

  it('rejects `locked` naming the live holder when the lock is held', async () => {
    const holder = sessionRecord({ pid: 5151, mode: 'foreground', state: 'attached' });
    const { actors, runner } = setUp('/nowhere', { kind: 'held', project: 'shop', holder, pid: 5151 });
    await expect(run(actors.claim, plan)).rejects.toStrictEqual({
      kind: 'locked',
      message:
        'project shop is held by a live session (pid 5151, foreground, attached, since 2026-01-02T03:04:05.000Z); ' +
        `watch it with: ${p} logs --follow --timestamps; stop it with: stagecraft dev down (or Ctrl+C in its terminal), or wait for it to end`,
    });
    expect(runner.calls).toStrictEqual([]);
  });

  it('rejects `locked` naming the other dev dir when a session there holds the project', async () => {
    const holder = sessionRecord({ pid: 5151, mode: 'foreground', state: 'attached' });
    const elsewhere = '/work/other/.stagecraft/dev/session.json';
    const held = { kind: 'held', project: 'shop', holder, pid: 5151, elsewhere } as const;
    const { actors } = setUp('/nowhere', held);
    await expect(run(actors.claim, plan)).rejects.toStrictEqual(lockedFailure(held));
    expect(lockedFailure(held).message).toContain(
      'held by a live session from /work/other/.stagecraft/dev (pid 5151,',
    );
  });

  it('rejects `locked` naming only the pid when the holder did not say more (stopped with Ctrl+Z)', async () => {
    const { actors } = setUp('/nowhere', { kind: 'held', project: 'shop', holder: undefined, pid: 7777 });
    await expect(run(actors.claim, plan)).rejects.toStrictEqual({
      kind: 'locked',
      message:
        'project shop is held by another live stagecraft session on this engine (pid 7777), which did not say more (stopped with Ctrl+Z?); ' +
        'resume or stop it (stagecraft dev down, or Ctrl+C in its terminal), or wait for it to end',
    });
  });

  it('resolves with the stale session the lock found: its teardown is this plan retargeted at its project, never its recorded argv', async () => {
    // A crafted record: its plan would run something else entirely. None of it is used.
    const rm = { phase: 'teardown', argv: ['rm', '-rf', '/'] } as const;
    const crafted = { ...plan, teardown: { containers: rm, networks: rm, down: rm, removeVolumes: rm } };
    const record = sessionRecord({ pid: 6262, project: 'old', state: 'stopping.graceful', plan: crafted });
    const { actors } = setUp('/nowhere', { kind: 'acquired', stale: record });
    const result = await run(actors.claim, plan);
    const teardown = result.stale?.plan.teardown;
    expect([teardown?.containers.argv, teardown?.networks.argv, teardown?.down.argv, teardown?.removeVolumes.argv]).toStrictEqual([
      containersArgv('old'),
      networksArgv('old'),
      downArgv('old'),
      removeVolumesArgv(),
    ]);
    expect(result).toStrictEqual({
      stale: { project: 'old', pid: 6262, state: 'stopping.graceful', plan: planForProjectOf(plan, 'old', 'x') },
    });
  });

  it('rejects with an input failure naming the session file when the stale record names a project compose would refuse', async () => {
    const record = sessionRecord({ pid: 6262, project: 'Bad Name; rm -rf', state: 'attached' });
    const { actors } = setUp('/nowhere', { kind: 'acquired', stale: record });
    await expect(run(actors.claim, plan)).rejects.toMatchObject({ kind: 'input' });
    await expect(run(actors.claim, plan)).rejects.toMatchObject({ message: expect.stringContaining('the session file /nowhere/session.json') });
  });

  it('with the real SessionLock writes session.json holding this process, in state claiming', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-actors-'));
    try {
      const file = path.join(dir, 'session.json');
      const { actors } = setUp(dir, new SessionLock(file, 'foreground', { lock: testProjectLock() }));
      expect(await run(actors.claim, plan)).toStrictEqual({ stale: undefined });
      const written = JSON.parse(readFileSync(file, 'utf8')) as SessionRecord;
      expect(written).toMatchObject({ version: 1, project: 'shop', mode: 'foreground', pid: process.pid, state: 'claiming', plan });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reconcile', () => {
  const stalePlan = buildPlan(
    { devDir: '.stagecraft/dev', composeFile: '.stagecraft/dev/compose.yaml', name: 'shop', services: [] },
    { ...options, graceSeconds: 3 },
  );

  it("runs exactly the stale plan's teardown (its grace, not this session's), then marks it reconciled; resolves with what it removed", async () => {
    const { actors, runner, lockCalls } = setUp();
    answerTeardown(runner, shopListing);
    expect(await run(actors.reconcile, { project: 'shop', pid: 6262, state: 'attached', plan: stalePlan })).toStrictEqual(shopRemoval);
    expect(runner.argvs()).toStrictEqual(teardownArgvs('shop', { graceSeconds: 3, volumes: shopRemoval.volumes }));
    expect(runner.runs[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(lockCalls).toStrictEqual(['reconciled']);
  });

  it('turns a failing teardown into command-failed naming the retry, and does not mark it reconciled', async () => {
    const { actors, runner, lockCalls } = setUp();
    answerTeardown(runner, shopListing).answer(isDown, { fail: 'exit-non-zero', exitCode: 1 });
    await expect(run(actors.reconcile, { project: 'shop', pid: 6262, state: 'attached', plan })).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`docker compose -p shop down --remove-orphans\` exited with code 1; ${retryDown}`,
    });
    expect(lockCalls).toStrictEqual([]);
  });

  it('something left after `down`: exit-2 failure naming it, not marked reconciled', async () => {
    const { actors, runner, lockCalls } = setUp();
    answerTeardown(runner, shopListing, { containers: ['shop-api-1\t'] });
    await expect(run(actors.reconcile, { project: 'shop', pid: 6262, state: 'attached', plan })).rejects.toStrictEqual({
      kind: 'command-failed',
      message:
        'teardown of project shop left containers shop-api-1 behind (`docker compose -p shop down --remove-orphans` succeeded, ' +
        'but the engine still lists them: created while it ran?); run `stagecraft dev down` to retry',
    });
    expect(lockCalls).toStrictEqual([]);
  });
});

describe('start', () => {
  it('runs the planned `up` (no --wait: readiness is the machine\'s), passing on its abort signal', async () => {
    const { actors, runner } = setUp();
    runner.answer('start', {});
    await run(actors.start, plan);
    expect(runner.argvs()).toStrictEqual([[...P, 'up', '--detach', '--remove-orphans']]);
    expect(runner.runs[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it.each<[string, Parameters<FakeComposeRunner['answer']>[1], SessionFailure]>([
    [
      'a failed `up`: start-failed with what compose said',
      { fail: 'exit-non-zero', exitCode: 1, stderrTail: 'boom' },
      {
        kind: 'start-failed',
        message: `starting project shop failed: \`${p} up --detach --remove-orphans\` exited with code 1\n  boom`,
        stderrTail: 'boom',
        services: [],
      },
    ],
    [
      'no docker (there is no serial preflight any more): compose unavailable',
      { fail: 'docker-missing', stderrTail: 'docker: ENOENT' },
      {
        kind: 'compose-unavailable',
        message: 'docker compose not available; install Docker with the Compose plugin or pass --compose-command\n  docker: ENOENT',
      },
    ],
    [
      'no engine: engine unreachable',
      { fail: 'daemon-down', stderrTail: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' },
      {
        kind: 'engine-unreachable',
        message: `the container engine is not reachable (\`${p} up --detach --remove-orphans\` failed); start Docker, or point DOCKER_HOST or DOCKER_CONTEXT at a running engine\n  Cannot connect to the Docker daemon at unix:///var/run/docker.sock.`,
      },
    ],
  ])('%s', async (_what, answer, failure) => {
    const { actors, runner } = setUp();
    runner.answer('start', answer);
    await expect(run(actors.start, plan)).rejects.toStrictEqual(failure);
  });

  it('stopping the actor cancels `up` through its signal', async () => {
    const { actors, runner } = setUp();
    const actor = createActor(actors.start, { input: plan });
    actor.start();
    const up = await runner.waitForRun('start');
    actor.stop();
    expect(up.signal.aborted).toBe(true);
    expect(up.settled).toBe(true);
  });
});

describe('followEvents', () => {
  const web = (action: string, more = '') =>
    `{"action":"${action}","attributes":{${more}"image":"shop/api","name":"shop-api-1"},"id":"c1","service":"api","time":"2026-12-01T15:22:57.731876097Z","type":"container"}\n`;
  const time = '2026-12-01T15:22:57.731876097Z';

  it('follows the planned `events --json` and sends each lifecycle line as an ENGINE_EVENT, in order', async () => {
    const { actors, runner } = setUp();
    const hosted = host(actors.followEvents, plan);
    const events = await runner.waitForFollow('events');
    expect(runner.argvs()).toStrictEqual([[...P, 'events', '--json']]);
    events.output(web('create') + web('start'));
    events.output(web('exec_create: sh -c true') + web('health_status: healthy') + web('die', '"exitCode":"3",'));
    expect(hosted.got()).toStrictEqual([
      { type: 'ENGINE_EVENT', event: { service: 'api', container: 'c1', time, action: 'create' } },
      { type: 'ENGINE_EVENT', event: { service: 'api', container: 'c1', time, action: 'start' } },
      { type: 'ENGINE_EVENT', event: { service: 'api', container: 'c1', time, action: 'health', health: 'healthy' } },
      { type: 'ENGINE_EVENT', event: { service: 'api', container: 'c1', time, action: 'die', exitCode: 3 } },
    ]);
    hosted.stop();
  });

  it('sends EVENTS_ENDED when the stream ends by itself', async () => {
    const { actors, runner } = setUp();
    const hosted = host(actors.followEvents, plan);
    (await runner.waitForFollow('events')).end();
    await settle();
    expect(hosted.got()).toStrictEqual([{ type: 'EVENTS_ENDED', reason: 'it ended' }]);
    hosted.stop();
  });

  it('sends EVENTS_ENDED with the failure described when the stream fails', async () => {
    const { actors, runner } = setUp();
    const hosted = host(actors.followEvents, plan);
    (await runner.waitForFollow('events')).fail('daemon-down', 1);
    await settle();
    expect(hosted.got()).toStrictEqual([
      {
        type: 'EVENTS_ENDED',
        reason: `the container engine is not reachable (\`${p} events --json\` failed); start Docker, or point DOCKER_HOST or DOCKER_CONTEXT at a running engine`,
      },
    ]);
    hosted.stop();
  });

  it('stopped by the machine: stops the child and sends nothing', async () => {
    const { actors, runner } = setUp();
    const hosted = host(actors.followEvents, plan);
    const events = await runner.waitForFollow('events');
    hosted.stop();
    await settle();
    expect(events.stopped).toBe(true);
    expect(runner.log()).toStrictEqual([`follow ${p} events --json`, `stop ${p} events --json`]);
    expect(hosted.got()).toStrictEqual([]);
  });
});

describe('followLogs', () => {
  const attach = [...P, 'logs', '--follow', '--timestamps'];
  const T = (seconds: string) => `2026-12-01T15:24:${seconds}Z`;
  const line = (container: string, time: string, text: string) => `\u001b[2K${container}  | ${time} ${text}\n`;
  const shown = (container: string, text: string) => `\u001b[2K${container}  | ${text}\n`;
  const logsOf = (reported: SessionEvent[]) => reported.flatMap((e) => (e.type === 'logs' ? [e.text] : []));

  it('follows `logs --follow --timestamps` and reports its lines with the times cut', async () => {
    const { actors, runner, reported } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor: undefined, floor: undefined });
    const logs = await runner.waitForFollow('attach');
    expect(runner.argvs()).toStrictEqual([attach]);
    logs.output(line('api-1', T('10.1'), 'listening') + line('db-1 ', T('10.2'), 'ready'));
    expect(logsOf(reported)).toStrictEqual([shown('api-1', 'listening') + shown('db-1 ', 'ready')]);
    hosted.stop();
  });

  it.each(['ends', 'fails'] as const)('sends LOGS_ENDED with where it got to when the stream %s: since the floor', async (how) => {
    const { actors, runner } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor: undefined, floor: T('05.5') });
    const logs = await runner.waitForFollow('attach');
    logs.output(line('api-1', T('10.1'), 'one') + line('db-1', T('10.2'), 'two'));
    if (how === 'ends') logs.end();
    else logs.fail('exit-non-zero', 1);
    await settle();
    expect(hosted.got()).toStrictEqual([
      { type: 'LOGS_ENDED', cursor: { since: T('05.5'), seen: { 'api-1': T('10.1'), 'db-1': T('10.2') } } },
    ]);
    hosted.stop();
  });

  it('with no floor (no engine event yet), the cursor it sends has no since', async () => {
    const { actors, runner } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor: undefined, floor: undefined });
    const logs = await runner.waitForFollow('attach');
    logs.output(line('api-1', T('10.1'), 'one') + line('db-1', T('10.2'), 'two'));
    logs.end();
    await settle();
    expect(hosted.got()).toStrictEqual([
      { type: 'LOGS_ENDED', cursor: { since: undefined, seen: { 'api-1': T('10.1'), 'db-1': T('10.2') } } },
    ]);
    hosted.stop();
  });

  it('sends LOGS_ENDED without a cursor when no line came', async () => {
    const { actors, runner } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor: undefined, floor: undefined });
    (await runner.waitForFollow('attach')).end();
    await settle();
    expect(hosted.got()).toStrictEqual([{ type: 'LOGS_ENDED', cursor: undefined }]);
    hosted.stop();
  });

  it('from a cursor: follows --since its time and drops the lines already shown', async () => {
    const cursor: LogCursor = { since: T('10.2'), seen: { 'api-1': T('10.5'), 'db-1': T('10.2') } };
    const { actors, runner, reported } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor, floor: T('10.2') });
    const logs = await runner.waitForFollow('attach');
    expect(runner.argvs()).toStrictEqual([[...attach, '--since', T('10.2')]]);
    logs.output(line('db-1', T('10.2'), 'old') + line('api-1', T('10.5'), 'old') + line('api-1', T('10.6'), 'new'));
    logs.output(line('api-1', T('10.3'), 'old too'));
    expect(logsOf(reported)).toStrictEqual([shown('api-1', 'new')]);
    hosted.stop();
  });

  it('from a cursor with no since (no floor): follows without --since, the whole log again, dropping the lines already shown', async () => {
    const cursor: LogCursor = { since: undefined, seen: { 'api-1': T('10.5'), 'db-1': T('10.2') } };
    const { actors, runner, reported } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor, floor: undefined });
    const logs = await runner.waitForFollow('attach');
    expect(runner.argvs()).toStrictEqual([attach]);
    logs.output(line('api-1', T('10.1'), 'old') + line('db-1', T('10.2'), 'old') + line('api-1', T('10.5'), 'old') + line('api-1', T('10.6'), 'new'));
    expect(logsOf(reported)).toStrictEqual([shown('api-1', 'new')]);
    hosted.stop();
  });

  it('REATTACH_LOGS with no floor: the old stream stopped without LOGS_ENDED, then a new one without --since (the whole log again); no line twice', async () => {
    const { actors, runner, reported } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor: undefined, floor: undefined });
    const first = await runner.waitForFollow('attach');
    first.output(line('api-1', T('10.1'), 'one') + line('db-1', T('10.4'), 'two'));
    hosted.tell({ type: 'REATTACH_LOGS' });
    const second = await runner.waitForFollow('attach', 1);
    // One stream at a time: the old one ends (its last lines shown) before the new one starts.
    expect(runner.log()).toStrictEqual([
      `follow ${attach.join(' ')}`,
      `stop ${attach.join(' ')}`,
      `follow ${attach.join(' ')}`,
    ]);
    expect(first.stopped).toBe(true);
    second.output(line('api-1', T('10.1'), 'one') + line('db-1', T('10.4'), 'two') + line('api-1', T('10.7'), 'three'));
    await settle();
    expect(logsOf(reported)).toStrictEqual([shown('api-1', 'one') + shown('db-1', 'two'), shown('api-1', 'three')]);
    expect(hosted.got()).toStrictEqual([]);
    // A second request while one is under way starts one stream, not two.
    hosted.tell({ type: 'REATTACH_LOGS' });
    hosted.tell({ type: 'REATTACH_LOGS' });
    const third = await runner.waitForFollow('attach', 2);
    await settle();
    expect(runner.follows).toHaveLength(3);
    expect(third.command.argv).toStrictEqual(attach);
    // The new stream's end is reported, with the cursor it reached.
    third.end();
    await settle();
    expect(hosted.got()).toStrictEqual([
      { type: 'LOGS_ENDED', cursor: { since: undefined, seen: { 'api-1': T('10.7'), 'db-1': T('10.4') } } },
    ]);
    hosted.stop();
  });

  it('a re-attach follows --since the floor when it is earlier: a container not seen yet loses no line', async () => {
    const { actors, runner } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor: undefined, floor: T('05.5') });
    (await runner.waitForFollow('attach')).output(line('api-1', T('10.1'), 'one'));
    hosted.tell({ type: 'REATTACH_LOGS' });
    expect((await runner.waitForFollow('attach', 1)).command.argv).toStrictEqual([...attach, '--since', T('05.5')]);
    hosted.stop();
  });

  it("a re-attach follows --since a container's last line when it is earlier than the floor (a container older than the session)", async () => {
    const { actors, runner, reported } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor: undefined, floor: T('30') });
    (await runner.waitForFollow('attach')).output(line('api-1', T('10.1'), 'one') + line('db-1', T('10.4'), 'two'));
    hosted.tell({ type: 'REATTACH_LOGS' });
    const second = await runner.waitForFollow('attach', 1);
    expect(second.command.argv).toStrictEqual([...attach, '--since', T('10.1')]);
    second.output(line('api-1', T('10.1'), 'one') + line('db-1', T('10.4'), 'two') + line('db-1', T('30.5'), 'three'));
    expect(logsOf(reported)).toStrictEqual([shown('api-1', 'one') + shown('db-1', 'two'), shown('db-1', 'three')]);
    hosted.stop();
  });

  it('stopped by the machine: stops the child and sends nothing', async () => {
    const { actors, runner } = setUp();
    const hosted = host(actors.followLogs, { plan, cursor: undefined, floor: undefined });
    const logs = await runner.waitForFollow('attach');
    hosted.stop();
    await settle();
    expect(logs.stopped).toBe(true);
    expect(hosted.got()).toStrictEqual([]);
  });
});

describe('observeServices', () => {
  it("runs the planned `ps` once and resolves with each service's container", async () => {
    const { actors, runner } = setUp();
    runner.answer('exitCodes', {
      stdout: `${psLine('api', 'running', 0)}\n${psLine('db', 'running', 0, 'starting')}\n${JSON.stringify({ Name: 'stray', State: 'running' })}\n`,
    });
    expect(await run(actors.observeServices, plan)).toStrictEqual({
      api: { container: 'shop-api-1', state: 'running', health: '', exitCode: 0 },
      db: { container: 'shop-db-1', state: 'running', health: 'starting', exitCode: 0 },
    });
    expect(runner.argvs()).toStrictEqual([PS]);
  });

  it('fails clearly when `ps` does not print JSON', async () => {
    const { actors, runner } = setUp();
    runner.answer('exitCodes', { stdout: 'NAME  IMAGE  STATUS\n' });
    await expect(run(actors.observeServices, plan)).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `could not read the output of \`${ps}\` as JSON; is the compose command compose v2?`,
    });
  });

  it('a failing `ps` is described', async () => {
    const { actors, runner } = setUp();
    runner.answer('exitCodes', { fail: 'exit-non-zero', exitCode: 2 });
    await expect(run(actors.observeServices, plan)).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `\`${ps}\` exited with code 2; check the stack with \`${ps}\``,
    });
  });
});

describe('diagnose', () => {
  const status = (service: string, more: Partial<ServiceStatus> = {}): ServiceStatus => ({
    service,
    state: 'running',
    ready: true,
    active: true,
    failed: false,
    exitCode: undefined,
    restarts: 0,
    container: `c-${service}`,
    healthcheck: false,
    ...more,
  });
  const startFailed = (services: string[]): SessionFailure => ({ kind: 'start-failed', message: 'x', stderrTail: '', services });
  const health = (output: string) =>
    `${JSON.stringify({ Status: 'unhealthy', FailingStreak: 3, Log: [{ ExitCode: 1, Output: output }] })}\n`;

  it("for services known at fault: their last 50 log lines, then each one's last health check", async () => {
    const { actors, runner, reported } = setUp();
    runner.answer('health', { stdout: health('pg_isready: no response\n') });
    const input: DiagnoseInput = {
      plan,
      failure: startFailed(['api', 'db']),
      services: [status('api', { state: 'exited', exitCode: 1, failed: true }), status('db', { state: 'unhealthy', healthcheck: true, failed: true })],
    };
    const done = run(actors.diagnose, input);
    const logs = await runner.waitForFollow('diagnostics');
    logs.output('api-1  | crashed\n');
    // A failing `logs` must not fail the rollback: diagnostics are best effort.
    logs.fail('exit-non-zero', 1);
    expect(await done).toStrictEqual(['api', 'db']);
    expect(runner.argvs()).toStrictEqual([
      [...P, 'logs', '--tail', '50', 'api', 'db'],
      ['docker', 'inspect', '--format', '{{json .State.Health}}', 'c-db'],
    ]);
    expect(reported).toStrictEqual([
      { type: 'diagnostics', services: ['api', 'db'] },
      { type: 'logs', text: 'api-1  | crashed\n' },
      { type: 'healthOutput', service: 'db', output: 'pg_isready: no response (exit code 1)' },
    ]);
  });

  it('a failing or empty `inspect` reports no health output and fails nothing', async () => {
    const { actors, runner, reported } = setUp();
    runner.answer('health', { fail: 'exit-non-zero', exitCode: 1 });
    const input: DiagnoseInput = {
      plan,
      failure: startFailed(['db']),
      services: [status('db', { state: 'unhealthy', healthcheck: true, failed: true })],
    };
    const done = run(actors.diagnose, input);
    (await runner.waitForFollow('diagnostics')).end();
    expect(await done).toStrictEqual(['db']);
    expect(reported).toStrictEqual([{ type: 'diagnostics', services: ['db'] }]);
    expect(runner.argvs().at(-1)).toStrictEqual(['docker', 'inspect', '--format', '{{json .State.Health}}', 'c-db']);
  });

  it('without services known at fault: one `ps` finds them (a failed `up`)', async () => {
    const { actors, runner, reported } = setUp();
    runner.answer('exitCodes', { stdout: `${psLine('api', 'exited', 1)}\n${psLine('db', 'running', 0)}\n` });
    const done = run(actors.diagnose, { plan, failure: startFailed([]), services: [] });
    (await runner.waitForFollow('diagnostics')).end();
    expect(await done).toStrictEqual(['api']);
    expect(runner.argvs()).toStrictEqual([
      PS,
      [...P, 'logs', '--tail', '50', 'api'],
    ]);
    expect(reported).toStrictEqual([{ type: 'diagnostics', services: ['api'] }]);
  });

  it('follows nothing when no service is at fault; `C version` then says compose itself works (nothing reported)', async () => {
    const { actors, runner, reported } = setUp();
    runner.answer('exitCodes', { stdout: `${psLine('api', 'running', 0)}\n${psLine('db', 'running', 0)}\n` });
    runner.answer('explain', { stdout: 'Docker Compose version v2.26.1\n' });
    expect(await run(actors.diagnose, { plan, failure: undefined, services: [] })).toStrictEqual([]);
    expect(runner.follows).toStrictEqual([]);
    expect(runner.argvs()).toStrictEqual([
      PS,
      ['docker', 'compose', 'version'],
    ]);
    expect(reported).toStrictEqual([]);
  });

  it('no service at fault and `C version` failing too: says compose itself fails', async () => {
    const { actors, runner, reported } = setUp();
    runner.answer('exitCodes', { stdout: `${psLine('api', 'running', 0)}\n${psLine('db', 'running', 0)}\n` });
    runner.answer('explain', { fail: 'compose-missing', exitCode: 1 });
    expect(await run(actors.diagnose, { plan, failure: startFailed([]), services: [] })).toStrictEqual([]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ type: 'warning' });
    expect((reported[0] as { message: string }).message).toMatch(
      /^no service is at fault, and compose itself fails: docker compose not available; install Docker with the Compose plugin or pass --compose-command/,
    );
  });
});

describe('teardown and forcedTeardown', () => {
  it('teardown waits for every earlier child to exit (a cancelled `up` may still create containers), then tears down; resolves with what it removed', async () => {
    const { actors, runner } = setUp();
    answerTeardown(runner, shopListing);
    const release = runner.holdIdle();
    const done = run(actors.teardown, plan);
    await settle();
    expect(runner.log()).toStrictEqual(['idle start']);
    release();
    expect(await done).toStrictEqual(shopRemoval);
    expect(runner.log()).toStrictEqual(['idle start', ...teardownLog(teardownArgvs('shop', { volumes: shopRemoval.volumes }))]);
  });

  it(`forcedTeardown waits at most ${forcedKillAfterMs} ms for them, then runs \`kill\` and the teardown with \`down --timeout 0\``, async () => {
    const { actors, runner } = setUp();
    answerTeardown(runner, shopListing);
    const release = runner.holdIdle();
    const done = run(actors.forcedTeardown, plan);
    await settle();
    expect(runner.log()).toStrictEqual(['idle 1000']);
    release();
    expect(await done).toStrictEqual(shopRemoval);
    expect(runner.log()).toStrictEqual(['idle 1000', ...teardownLog(forcedTeardownArgvs('shop', { volumes: shopRemoval.volumes }))]);
  });

  it('forcedTeardown tears down even when `kill` fails', async () => {
    const { actors, runner } = setUp();
    answerTeardown(runner).answer(isKill, { fail: 'exit-non-zero', exitCode: 1 });
    await run(actors.forcedTeardown, plan);
    expect(runner.argvs()).toStrictEqual(forcedTeardownArgvs('shop'));
  });

  it('forcedTeardown fails when its `down` fails', async () => {
    const { actors, runner } = setUp();
    answerTeardown(runner).answer(isDown, { fail: 'exit-non-zero', exitCode: 1 });
    await expect(run(actors.forcedTeardown, plan)).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`docker compose -p shop down --remove-orphans --timeout 0\` exited with code 1; ${retryDown}`,
    });
  });

  it('a runner bug passes through unchanged (the machine reads it as internal)', async () => {
    const bug = new TypeError('bug in the runner');
    const { actors, runner } = setUp();
    const done = run(actors.teardown, plan);
    (await runner.waitForRun('teardown')).reject(bug);
    await expect(done).rejects.toBe(bug);
    // And the fake's own failures are the adapter's shape.
    expect(composeFailure(plan.teardown.down, 'canceled')).toMatchObject({ type: 'compose-failure', kind: 'canceled' });
  });
});
