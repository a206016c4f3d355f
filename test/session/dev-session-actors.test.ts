// The production actors against a scripted ComposeRunner: which planned
// commands each one runs, and how runner failures reach the machine.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActor, toPromise, waitFor, type PromiseActorLogic } from 'xstate';
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import type { DevOptions, DevPlan, PlannedCommand } from '../../machines/dev-session.types.js';
import type { CommandResult, ComposeFailure, FollowedProcess, OutputSink } from '../../src/compose/compose-runner.js';
import type { SessionEvent } from '../../src/output/reporter.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { SessionRecord } from '../../src/session-file/session-file.js';
import { SessionLock, type AcquireResult } from '../../src/session-file/session-lock.js';
import { createDevSessionActors, type SessionClaim } from '../../src/session/dev-session-actors.js';
import { lockedFailure } from '../../src/session/session-claims.js';
import { createFakeActors, fakeImplementations } from '../fakes/fake-actors.js';
import { waitFor as waitUntil } from '../fixtures/fake-docker.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopRecord } from '../fixtures/shop-session.js';

const options: DevOptions = defaultDevOptions;
const plan = buildPlan(
  {
    devDir: '.stagecraft/dev',
    composeFile: '.stagecraft/dev/compose.yaml',
    name: 'shop',
    services: [
      { name: 'api', traefik: false, profiled: false, image: 'shop/api' },
      { name: 'db', traefik: false, profiled: false, image: 'postgres:16' },
    ],
  },
  options,
);
const P = 'docker compose -p shop -f .stagecraft/dev/compose.yaml';

interface Follow {
  readonly command: PlannedCommand;
  readonly sink: OutputSink;
  readonly done: Promise<CommandResult>;
  stopped: boolean;
  end(): void;
  fail(failure: ComposeFailure): void;
}

/** A ComposeRunner whose `run` answers by phase and whose followed commands end on request. */
function scriptedRunner(answer: (command: PlannedCommand) => Promise<CommandResult>, order: string[] = []) {
  const runs: Array<{ command: PlannedCommand; signal: AbortSignal }> = [];
  /** `idle()` resolves when this does: a test holds it to stand for a cancelled child still exiting. */
  let idleGate: Promise<void> = Promise.resolve();
  const follows: Follow[] = [];
  const waiting: Array<() => void> = [];
  /** Resolves with the first followed command once there is one. */
  const firstFollow = (): Promise<Follow> =>
    new Promise((resolve) => {
      const check = () => (follows[0] === undefined ? waiting.push(check) : resolve(follows[0]));
      check();
    });
  const runner = {
    run(command: PlannedCommand, signal: AbortSignal) {
      runs.push({ command, signal });
      order.push(`run ${command.argv.join(' ')}`);
      return answer(command);
    },
    follow(command: PlannedCommand, sink: OutputSink): FollowedProcess {
      let resolve!: (r: CommandResult) => void;
      let reject!: (e: unknown) => void;
      const done = new Promise<CommandResult>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const follow: Follow = {
        command,
        sink,
        done: done.catch(() => ({ stdout: '', stderrTail: '' })),
        stopped: false,
        end: () => resolve({ stdout: '', stderrTail: '' }),
        fail: (failure) => reject(failure),
      };
      follows.push(follow);
      for (const notify of waiting.splice(0)) notify();
      return {
        done,
        stop: () => {
          follow.stopped = true;
          resolve({ stdout: '', stderrTail: '' });
        },
      };
    },
    async idle(killAfterMs?: number) {
      order.push(killAfterMs === undefined ? 'idle' : `idle, SIGKILL after ${killAfterMs} ms`);
      await idleGate;
      order.push('idle done');
    },
  };
  const holdIdle = (): (() => void) => {
    let release!: () => void;
    idleGate = new Promise((resolve) => (release = resolve));
    return release;
  };
  return { runner, runs, follows, firstFollow, holdIdle };
}

const ok = (stdout = ''): Promise<CommandResult> => Promise.resolve({ stdout, stderrTail: '' });
const composeFailure = (command: PlannedCommand, more: Partial<ComposeFailure> = {}): ComposeFailure => ({
  type: 'compose-failure',
  kind: 'exit-non-zero',
  command,
  exitCode: 1,
  signal: undefined,
  stderrTail: '',
  ...more,
});

/** A SessionClaim answering `acquire` with `result`, recording each call in `order`. */
function recordingLock(result: AcquireResult, order: string[]) {
  const claims: Array<{ plan: DevPlan; state: string }> = [];
  const lock: SessionClaim = {
    acquire(claimedPlan, state) {
      claims.push({ plan: claimedPlan, state });
      order.push(`acquire ${state}`);
      return Promise.resolve(result);
    },
    reconciled() {
      order.push('reconciled');
    },
  };
  return { lock, claims };
}

const acquired: AcquireResult = { kind: 'acquired', stale: undefined };

function actorsWith(
  answer: (command: PlannedCommand) => Promise<CommandResult>,
  cwd = '/nowhere',
  claim: AcquireResult | SessionClaim = acquired,
) {
  const order: string[] = [];
  const scripted = scriptedRunner(answer, order);
  const recording = 'kind' in claim ? recordingLock(claim, order) : { lock: claim, claims: [] };
  const reported: SessionEvent[] = [];
  const actors = createDevSessionActors({
    runner: scripted.runner,
    reporter: { report: (event) => reported.push(event) },
    lock: recording.lock,
    cwd,
  });
  return { ...scripted, reported, actors, order, claims: recording.claims };
}

/** A session file as another (detached) session wrote it. */
function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return shopRecord({ mode: 'detach', state: 'detached', plan, ...overrides });
}

function run<TOutput, TInput>(logic: PromiseActorLogic<TOutput, TInput>, input: TInput): Promise<TOutput> {
  const actor = createActor(logic, { input });
  actor.start();
  return toPromise(actor);
}

const psLine = (service: string, state: string, exitCode: number) =>
  JSON.stringify({ Name: `shop-${service}-1`, Service: service, State: state, Health: '', ExitCode: exitCode, Status: '' });

describe('production actors', () => {
  it('validate rejects with an input failure when the dev files are missing', async () => {
    const cwd = path.join(os.tmpdir(), 'stagecraft-no-such-dir-for-validate');
    const { actors } = actorsWith(() => ok(), cwd);
    await expect(run(actors.validate, options)).rejects.toStrictEqual({
      kind: 'input',
      message: 'dev dir not found at .stagecraft/dev; generate the dev files first',
    });
  });

  it('preflight runs exactly the planned `version`, passing on its abort signal', async () => {
    const { actors, runs } = actorsWith(() => ok());
    await run(actors.preflight, plan);
    expect(runs.map((r) => r.command)).toStrictEqual([plan.preflight]);
    expect(runs[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('preflight claims the session lock after `version`, for this plan, in state preflight', async () => {
    const { actors, order, claims } = actorsWith(() => ok());
    expect(await run(actors.preflight, plan)).toStrictEqual({ stale: undefined });
    expect(order).toStrictEqual(['run docker compose version', 'acquire preflight']);
    expect(claims).toStrictEqual([{ plan, state: 'preflight' }]);
  });

  it('preflight claims nothing when `version` fails', async () => {
    const { actors, order } = actorsWith((command) =>
      Promise.reject(composeFailure(command, { kind: 'docker-missing', exitCode: undefined })),
    );
    await expect(run(actors.preflight, plan)).rejects.toMatchObject({ kind: 'compose-unavailable' });
    expect(order).toStrictEqual(['run docker compose version']);
  });

  it('preflight rejects `locked` (exit 4) naming the live holder when the lock is held', async () => {
    const holder = sessionRecord({ pid: 5151, mode: 'foreground', state: 'attached' });
    const { actors, runs } = actorsWith(() => ok(), '/nowhere', { kind: 'held', holder });
    await expect(run(actors.preflight, plan)).rejects.toStrictEqual(lockedFailure(holder));
    expect(lockedFailure(holder)).toStrictEqual({
      kind: 'locked',
      message:
        'project shop is held by a live session (pid 5151, foreground, attached, since 2026-01-02T03:04:05.000Z); ' +
        `watch it with: ${P} logs --follow; stop it with: stagecraft dev down (or Ctrl+C in its terminal), or wait for it to end`,
    });
    expect(runs.map((r) => r.command)).toStrictEqual([plan.preflight]);
  });

  it('preflight resolves with the stale session the lock found (the dead holder and its plan)', async () => {
    const stalePlan = buildPlan(
      { devDir: '.stagecraft/dev', composeFile: '.stagecraft/dev/compose.yaml', name: 'shop', services: [] },
      { ...options, graceSeconds: 3 },
    );
    const record = sessionRecord({ pid: 6262, state: 'stopping.graceful', plan: stalePlan });
    const { actors } = actorsWith(() => ok(), '/nowhere', { kind: 'acquired', stale: record });
    expect(await run(actors.preflight, plan)).toStrictEqual({
      stale: { project: 'shop', pid: 6262, state: 'stopping.graceful', plan: stalePlan },
    });
  });

  it('preflight with the real SessionLock writes session.json holding this process, in state preflight', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-actors-'));
    try {
      const file = path.join(dir, 'session.json');
      const { actors } = actorsWith(() => ok(), dir, new SessionLock(file, 'foreground'));
      expect(await run(actors.preflight, plan)).toStrictEqual({ stale: undefined });
      const written = JSON.parse(readFileSync(file, 'utf8')) as SessionRecord;
      expect(written).toMatchObject({ version: 1, project: 'shop', mode: 'foreground', pid: process.pid, state: 'preflight', plan });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reconcile runs exactly the stale plan's teardown (its grace, not this session's)", async () => {
    const stalePlan = buildPlan(
      { devDir: '.stagecraft/dev', composeFile: '.stagecraft/dev/compose.yaml', name: 'shop', services: [] },
      { ...options, graceSeconds: 3 },
    );
    const { actors, runs, order } = actorsWith(() => ok());
    await run(actors.reconcile, { project: 'shop', pid: 6262, state: 'attached', plan: stalePlan });
    expect(runs.map((r) => r.command)).toStrictEqual([stalePlan.teardown]);
    expect(runs.map((r) => r.command.argv)).toStrictEqual([[...plan.teardown.argv.slice(0, -1), '3']]);
    expect(order).toStrictEqual([`run ${P} down --remove-orphans --timeout 3`, 'reconciled']);
    expect(runs[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('reconcile turns a failing teardown into command-failed naming the retry', async () => {
    const { actors, order } = actorsWith((command) => Promise.reject(composeFailure(command)));
    await expect(run(actors.reconcile, { project: 'shop', pid: 6262, state: 'attached', plan })).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`${P} down --remove-orphans --timeout 10\` exited with code 1; run \`stagecraft dev down\` to retry, or by hand: ${P} down --remove-orphans --timeout 10`,
    });
    expect(order).toStrictEqual([`run ${P} down --remove-orphans --timeout 10`]); // never marked reconciled
  });

  it('preflight turns a missing docker into compose-unavailable', async () => {
    const { actors } = actorsWith((command) =>
      Promise.reject(composeFailure(command, { kind: 'docker-missing', exitCode: undefined, stderrTail: 'docker: ENOENT' })),
    );
    await expect(run(actors.preflight, plan)).rejects.toStrictEqual({
      kind: 'compose-unavailable',
      message: 'docker compose not available; install Docker with the Compose plugin or pass --compose-command\n  docker: ENOENT',
    });
  });

  it('start runs the planned `up` and turns its failure into start-failed', async () => {
    const { actors, runs } = actorsWith((command) => Promise.reject(composeFailure(command, { stderrTail: 'boom' })));
    await expect(run(actors.start, plan)).rejects.toStrictEqual({
      kind: 'start-failed',
      message: `starting project shop failed: \`${P} up --detach --remove-orphans\` exited with code 1\n  boom`,
      stderrTail: 'boom',
      services: [],
    });
    expect(runs.map((r) => r.command)).toStrictEqual([plan.start]);
  });

  it('a runner bug passes through unchanged (the machine reads it as internal)', async () => {
    const bug = new TypeError('bug in the runner');
    const { actors } = actorsWith(() => Promise.reject(bug));
    await expect(run(actors.teardown, plan)).rejects.toBe(bug);
  });

  it.each(['teardown', 'forcedTeardown'] as const)(
    '%s waits until every earlier child has exited (a cancelled `up` may still create containers); forced, for a second at most',
    async (name) => {
      const { actors, runs, order, holdIdle } = actorsWith(() => ok());
      const release = holdIdle();
      const done = run(actors[name], plan);
      await new Promise((resolve) => setImmediate(resolve));
      const idle = name === 'teardown' ? 'idle' : 'idle, SIGKILL after 1000 ms';
      expect(order).toStrictEqual([idle]);
      expect(runs).toStrictEqual([]);
      release();
      await done;
      const commands = name === 'teardown' ? [plan.teardown] : [...plan.forcedTeardown];
      expect(order).toStrictEqual([idle, 'idle done', ...commands.map((c) => `run ${c.argv.join(' ')}`)]);
    },
  );

  it('teardown runs the planned graceful `down`', async () => {
    const { actors, runs } = actorsWith(() => ok());
    await run(actors.teardown, plan);
    expect(runs.map((r) => r.command)).toStrictEqual([plan.teardown]);
  });

  it('forcedTeardown runs `kill` then `down --timeout 0`, even when `kill` fails', async () => {
    const { actors, runs } = actorsWith((command) =>
      command.argv.at(-1) === 'kill' ? Promise.reject(composeFailure(command)) : ok(),
    );
    await run(actors.forcedTeardown, plan);
    expect(runs.map((r) => r.command)).toStrictEqual([plan.forcedTeardown[0], plan.forcedTeardown[1]]);
  });

  it('forcedTeardown fails when its `down` fails', async () => {
    const { actors } = actorsWith((command) => Promise.reject(composeFailure(command)));
    await expect(run(actors.forcedTeardown, plan)).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`${P} down --remove-orphans --timeout 0\` exited with code 1; run \`stagecraft dev down\` to retry, or by hand: ${P} down --remove-orphans --timeout 10`,
    });
  });

  it('readExitCodes runs the planned `ps` and resolves with each service exit, sorted', async () => {
    const { actors, runs } = actorsWith(() => ok(`${psLine('db', 'exited', 0)}\n${psLine('api', 'exited', 3)}\n`));
    expect(await run(actors.readExitCodes, plan)).toStrictEqual([
      { service: 'api', state: 'exited', exitCode: 3 },
      { service: 'db', state: 'exited', exitCode: 0 },
    ]);
    expect(runs.map((r) => r.command)).toStrictEqual([plan.exitCodes]);
  });

  it.each(['running', 'restarting', 'paused'])(
    'readExitCodes rejects when a service is still %s: only the log stream ended, not the stack',
    async (state) => {
      const { actors } = actorsWith(() =>
        ok(`${psLine('api', state, 0)}\n${psLine('db', 'exited', 0)}\n${psLine('api', state, 0)}\n`),
      );
      await expect(run(actors.readExitCodes, plan)).rejects.toStrictEqual({
        kind: 'command-failed',
        message: `the log stream (\`${P} logs --follow\`) ended while api still ran, so the session ends; check the engine (\`docker info\`) and run \`stagecraft dev\` again`,
      });
    },
  );

  it('readExitCodes fails clearly when `ps` does not print JSON', async () => {
    const { actors } = actorsWith(() => ok('NAME  IMAGE  STATUS\n'));
    await expect(run(actors.readExitCodes, plan)).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `could not read the output of \`${P} ps --all --format json\` as JSON; is the compose command compose v2?`,
    });
  });

  it('diagnose follows `logs --tail 50` of the failed services and resolves with them', async () => {
    const { actors, follows, firstFollow, reported } = actorsWith(() =>
      ok(`${psLine('api', 'exited', 1)}\n${psLine('db', 'running', 0)}\n`),
    );
    const done = run(actors.diagnose, { plan, failure: undefined });
    const follow = await firstFollow();
    expect(follows.map((f) => f.command)).toStrictEqual([
      { phase: 'diagnostics', argv: [...plan.diagnostics.argv, 'api'] },
    ]);
    follow.sink('api-1  | crashed\n');
    // A failing `logs` must not fail the rollback: diagnostics are best effort.
    follow.fail(composeFailure(follow.command));
    expect(await done).toStrictEqual(['api']);
    expect(reported).toStrictEqual([
      { type: 'diagnostics', services: ['api'] },
      { type: 'logs', text: 'api-1  | crashed\n' },
    ]);
  });

  it('diagnose follows nothing when no service is at fault', async () => {
    const { actors, follows, reported } = actorsWith(() =>
      ok(`${psLine('api', 'running', 0)}\n${psLine('db', 'running', 0)}\n`),
    );
    expect(await run(actors.diagnose, { plan, failure: undefined })).toStrictEqual([]);
    expect(follows).toStrictEqual([]);
    expect(reported).toStrictEqual([]);
  });
});

describe('production followLogs inside the machine', () => {
  // Each test leaves its machine mid-session (attached, or stopping with the teardown
  // deadline's timer set): stop them, or their timers keep jest's process alive.
  const actors: Array<{ stop(): void }> = [];
  afterEach(() => {
    for (const actor of actors.splice(0)) actor.stop();
  });

  async function attached(psOutput = '', endedStackSettleMs?: number) {
    const scripted = scriptedRunner(() => ok(psOutput));
    const reported: SessionEvent[] = [];
    const real = createDevSessionActors({
      runner: scripted.runner,
      reporter: { report: (event) => reported.push(event) },
      lock: recordingLock(acquired, []).lock,
      cwd: '/nowhere',
      ...(endedStackSettleMs === undefined ? {} : { endedStackSettleMs }),
    });
    const fakes = createFakeActors();
    const machine = devSessionMachine.provide({
      actors: { ...fakeImplementations(fakes), followLogs: real.followLogs },
    });
    const rootEvents: string[] = [];
    const actor = createActor(machine, {
      input: { options },
      inspect: (event) => {
        if (event.type === '@xstate.event' && event.actorRef.sessionId === event.rootId) rootEvents.push(event.event.type);
      },
    });
    actors.push(actor);
    actor.start();
    fakes.validate.only().resolve(plan);
    await waitFor(actor, (s) => s.matches('preflight'));
    fakes.preflight.only().resolve({ stale: undefined });
    await waitFor(actor, (s) => s.matches('starting'));
    fakes.start.only().resolve();
    await waitFor(actor, (s) => s.matches('attached'));
    return { actor, follows: scripted.follows, runs: scripted.runs, reported, fakes, rootEvents };
  }

  it('follows the planned `logs --follow` and reports its output as logs', async () => {
    const { follows, reported } = await attached();
    expect(follows.map((f) => f.command)).toStrictEqual([plan.attach]);
    follows[0]?.sink('api-1  | hello\n');
    expect(reported).toStrictEqual([{ type: 'logs', text: 'api-1  | hello\n' }]);
  });

  it('sends LOGS_ENDED when the logs end by themselves', async () => {
    const { actor, follows, rootEvents } = await attached();
    follows[0]?.end();
    await waitFor(actor, (s) => s.matches({ stopping: 'readingExitCodes' }));
    expect(rootEvents.filter((type) => type === 'LOGS_ENDED')).toHaveLength(1);
  });

  it('sends LOGS_ENDED when the logs command fails', async () => {
    const { actor, follows } = await attached();
    follows[0]?.fail(composeFailure(plan.attach, { exitCode: 7 }));
    await waitFor(actor, (s) => s.matches({ stopping: 'readingExitCodes' }));
  });

  it('when `logs --follow` misses that the stack ended, `ps` finds it: LOGS_ENDED once, the follower stopped', async () => {
    const exited = `${psLine('api', 'exited', 0)}\n${psLine('db', 'exited', 0)}\n`;
    const { actor, follows, runs, rootEvents } = await attached(exited, 10);
    await waitFor(actor, (s) => s.matches({ stopping: 'readingExitCodes' }));
    expect(runs.map((r) => r.command)).toStrictEqual([plan.exitCodes]);
    expect(follows[0]?.stopped).toBe(true);
    expect(rootEvents.filter((type) => type === 'LOGS_ENDED')).toHaveLength(1);
  });

  it('a stack still running is left to `logs --follow`: one `ps`, then none until compose reports an exit', async () => {
    const running = `${psLine('api', 'running', 0)}\n${psLine('db', 'exited', 0)}\n`;
    const { actor, follows, runs } = await attached(running, 10);
    const tenSettles = () => new Promise((resolve) => setTimeout(resolve, 100));
    await waitUntil(() => runs.length === 1, 'the first `ps`');
    await tenSettles(); // and no second one without an exit line
    expect(runs.map((r) => r.command)).toStrictEqual([plan.exitCodes]);
    expect(actor.getSnapshot().value).toBe('attached');
    follows[0]?.sink('db-1 exited with code 0\n');
    await waitUntil(() => runs.length === 2, 'the `ps` after the exit line');
    await tenSettles();
    expect(runs.map((r) => r.command)).toStrictEqual([plan.exitCodes, plan.exitCodes]);
    expect(follows[0]?.stopped).toBe(false);
  });

  it('stops the follower on STOP, without reporting the end as LOGS_ENDED', async () => {
    const { actor, follows, fakes, rootEvents } = await attached();
    actor.send({ type: 'STOP', signal: 'SIGINT' });
    await waitFor(actor, (s) => s.matches({ stopping: 'graceful' }));
    expect(follows[0]?.stopped).toBe(true);
    // The follower's own `done` handler ran before this await returns.
    await follows[0]?.done;
    expect(actor.getSnapshot().value).toStrictEqual({ stopping: 'graceful' });
    expect(fakes.readExitCodes.calls).toHaveLength(0);
    expect(rootEvents.filter((type) => type === 'LOGS_ENDED')).toStrictEqual([]);
  });
});
