// L3 for lifecycle visibility: `--inspect=ws://…` against a WebSocket server in the test,
// an unreachable inspector, and `--events <file>` of interrupted and killed sessions.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { composeFile, useCliRigs, type CliProcess, type CliRig } from './cli-harness.js';
import { composeFor } from './compose-argv.js';
import { composeEventLine, livePids, recordedPids, waitFor } from '../fixtures/fake-docker.js';

const timeout = 20_000;
const rig = useCliRigs();
const p = ['compose', '-p', 'minimal', '-f', composeFile];
const minimal = composeFor('minimal');
const follow = minimal.follow;
const attachedScenario = { 'logs --follow': { stdout: ['app-1  | 2026-12-01T15:24:10.375866389Z listening'], hang: true } };

/** Waits until a foreground session is attached: its events and log followers run, its one `ps` has ended. */
async function attachedTo(r: CliRig, cli: CliProcess): Promise<void> {
  await r.waitForCall(cli, minimal.events);
  await r.waitForCall(cli, follow);
  await r.waitForCallEnded(cli, minimal.ps);
}

interface InspectionMessage {
  type: string;
  sessionId: string;
  rootId?: string;
  parentId?: string;
  name?: string;
  snapshot?: { value?: unknown };
  event?: { type?: string };
}

/** A WebSocket server on 127.0.0.1 that keeps every JSON message it receives. */
async function inspectorServer() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const messages: InspectionMessage[] = [];
  let closed = 0;
  server.on('connection', (socket) => {
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as InspectionMessage));
    socket.on('close', () => closed++);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    messages,
    closedConnections: () => closed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The root actor's state after each of its snapshots, without repeats. */
function rootStates(messages: readonly InspectionMessage[]): unknown[] {
  const states: unknown[] = [];
  for (const m of messages) {
    if (m.type !== '@xstate.snapshot' || m.sessionId !== m.rootId) continue;
    const value = m.snapshot?.value;
    if (JSON.stringify(states.at(-1)) !== JSON.stringify(value)) states.push(value);
  }
  return states;
}

function eventLines(file: string): Record<string, unknown>[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true); // every line complete
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The lines without their timestamps, which are checked separately. */
function withoutTime(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.map(({ time, ...rest }) => {
    expect(typeof time === 'string' && !Number.isNaN(Date.parse(time))).toBe(true);
    return rest;
  });
}

describe('--inspect', () => {
  test(
    'a WebSocket inspector receives the lifecycle of a real run, in order',
    async () => {
      const server = await inspectorServer();
      try {
        const r = rig('minimal');
        const cli = r.spawn([`--inspect=${server.url}`], { scenario: attachedScenario });
        await attachedTo(r, cli);
        cli.signal('SIGINT');
        expect((await cli.exit()).code).toBe(130);
        await waitFor(() => server.closedConnections() === 1, 'the CLI to close its inspector connection');
        // The `ps` child has ended when the signal is sent, but whether the session took its
        // answer first (seeding → watching) is a race no outside observer settles: either
        // exact sequence is the lifecycle, nothing else is.
        const seeding = { attached: { logs: 'following', engine: 'seeding' } };
        const watching = { attached: { logs: 'following', engine: 'watching' } };
        const before = ['validating', 'claiming', 'starting', seeding];
        const after = [{ stopping: 'graceful' }, 'stopped'];
        const states = rootStates(server.messages);
        const tookTheAnswer = states.length === before.length + 1 + after.length;
        expect(states).toEqual(tookTheAnswer ? [...before, watching, ...after] : [...before, ...after]);
        // Each service is its own actor, a child of the session (SPEC §4), as are the followers.
        const root = server.messages.find((m) => m.sessionId === m.rootId)?.sessionId;
        const children = server.messages.filter((m) => m.type === '@xstate.actor' && m.parentId === root).map((m) => m.name);
        expect(children).toEqual([
          'validate',
          'claim',
          'service:app',
          'service:web',
          'followEvents',
          'start',
          'followLogs',
          'observeServices',
          'teardown',
        ]);
        const sent = server.messages.filter((m) => m.type === '@xstate.event' && m.sessionId === m.rootId);
        expect(sent.map((m) => m.event?.type)).toContain('STOP');
      } finally {
        await server.close();
      }
    },
    timeout,
  );

  test(
    'an unreachable inspector costs one warning and the session goes on',
    async () => {
      const server = await inspectorServer();
      const url = server.url;
      await server.close(); // nothing listens on that port any more
      const r = rig('minimal');
      const result = await r.run(['--detach', `--inspect=${url}`]);
      expect(result.code).toBe(0);
      const warnings = result.stderr.split('\n').filter((line) => line.includes('cannot reach'));
      expect(warnings).toEqual([
        expect.stringMatching(new RegExp(`^stagecraft dev: cannot reach the inspector at ${url} \\(.+\\); the session goes on without it$`)),
      ]);
      expect(result.stderr).toContain('is running in the background');
    },
    timeout,
  );

  test.each([['http://127.0.0.1:1'], ['not a url']])(
    '--inspect=%s is an input error and runs nothing',
    async (target) => {
      const r = rig('minimal');
      const result = await r.run([`--inspect=${target}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^stagecraft dev: error: --inspect /);
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );
});

describe('--events', () => {
  test(
    'an interrupted session leaves a complete file: transitions, commands, service events, the teardown',
    async () => {
      const r = rig('minimal');
      const file = path.join(r.root, 'events.jsonl');
      const started = (service: string) => composeEventLine('minimal', service, 'start');
      const cli = r.spawn(['--events', file], {
        scenario: { ...attachedScenario, events: { after: 'up', stdout: [started('app'), started('web')], untilDown: true } },
      });
      await attachedTo(r, cli);
      // Stagecraft has seen its `ps` end and both services run: nothing more happens until the signal.
      await waitFor(
        () => {
          const lines = readFileSync(file, 'utf8');
          return lines.includes('"type":"commandEnded","phase":"exitCodes"') && (lines.match(/"state":"running"/g) ?? []).length === 2;
        },
        'the events file to show the `ps` ended and both services running',
      );
      cli.signal('SIGINT');
      expect((await cli.exit()).code).toBe(130);
      const command = (phase: string, argv: string[]) => ({ type: 'command', phase, argv: ['docker', ...argv], command: ['docker', ...argv].join(' ') });
      const ended = (phase: string, argv: string[], exitCode: number) => ({ type: 'commandEnded', phase, argv: ['docker', ...argv], exitCode });
      const transition = (from: string | null, event: string | null, to: string) => ({ type: 'transition', from, event, to });
      const service = (name: string, state: string) => ({ type: 'service', service: name, state, exitCode: null, restarts: 0 });
      const lines = withoutTime(eventLines(file));
      // The service lines come as the engine's events arrive; each service's own are in order.
      const services = lines.filter((line) => line['type'] === 'service');
      expect(services.filter((line) => line['service'] === 'app')).toEqual([service('app', 'pending'), service('app', 'running')]);
      expect(services.filter((line) => line['service'] === 'web')).toEqual([service('web', 'pending'), service('web', 'running')]);
      expect(services).toHaveLength(4);
      // The rest is in stagecraft's order; the two followers stopped together end in either order.
      const rest = lines.filter((line) => line['type'] !== 'service');
      const stoppedAt = rest.findIndex((line) => line['type'] === 'commandEnded' && line['exitCode'] === 143);
      const stoppedFollowers = rest.splice(stoppedAt, 2).sort((x, y) => String(x['phase']).localeCompare(String(y['phase'])));
      expect(stoppedFollowers).toEqual([ended('attach', follow, 143), ended('events', minimal.events, 143)]);
      // The teardown lists the project's containers and networks together, before and after
      // `down`: both start in that order, and end in either.
      const survey = [
        {
          ...command('teardown', minimal.containers),
          command: "docker ps --all --no-trunc --filter label=com.docker.compose.project=minimal --format '{{.Names}}\\t{{.Mounts}}'",
        },
        {
          ...command('teardown', minimal.networks),
          command: "docker network ls --filter label=com.docker.compose.project=minimal --format '{{.Name}}'",
        },
        ended('teardown', minimal.containers, 0),
        ended('teardown', minimal.networks, 0),
      ];
      for (let i = 0; i + 1 < rest.length; i++) {
        if (isDeepStrictEqual(rest[i], survey[3]) && isDeepStrictEqual(rest[i + 1], survey[2])) {
          [rest[i], rest[i + 1]] = [rest[i + 1] ?? {}, rest[i] ?? {}];
        }
      }
      expect(rest).toEqual([
        transition(null, null, 'validating'),
        transition('validating', 'xstate.done.actor.validate', 'claiming'),
        transition('claiming', 'xstate.done.actor.claim', 'starting'),
        command('events', minimal.events),
        command('start', minimal.up()),
        ended('start', minimal.up(), 0),
        transition('starting', 'xstate.done.actor.start', 'attached'),
        command('attach', follow),
        command('exitCodes', minimal.ps),
        ended('exitCodes', minimal.ps, 0),
        transition('attached', 'STOP', 'stopping.graceful'),
        // (the followers, ended with SIGTERM: the teardown waits for them)
        ...survey,
        command('teardown', minimal.down()),
        ended('teardown', minimal.down(), 0),
        ...survey,
        transition('stopping.graceful', 'xstate.done.actor.teardown', 'stopped'),
        { type: 'finished', finalState: 'stopped', exitCode: 130, signal: 'SIGINT', failure: null },
      ]);
    },
    timeout,
  );

  test(
    'a killed session leaves a parseable file up to the moment it died',
    async () => {
      const r = rig('minimal');
      const file = path.join(r.root, 'events.jsonl');
      const cli = r.spawn(['--events', file, '--no-guardian'], { scenario: attachedScenario });
      await attachedTo(r, cli);
      await waitFor(() => readFileSync(file, 'utf8').includes('"type":"commandEnded","phase":"exitCodes"'), 'the `ps` to be seen ended');
      cli.signal('SIGKILL');
      await waitFor(() => !cli.isRunning, 'the CLI to die');
      const lines = withoutTime(eventLines(file));
      const command = (phase: string, argv: readonly string[]) => ({ type: 'command', phase, argv: ['docker', ...argv], command: ['docker', ...argv].join(' ') });
      expect(lines.slice(-4)).toEqual([
        { type: 'transition', from: 'starting', event: 'xstate.done.actor.start', to: 'attached' },
        command('attach', follow),
        command('exitCodes', minimal.ps),
        { type: 'commandEnded', phase: 'exitCodes', argv: ['docker', ...minimal.ps], exitCode: 0 },
      ]);
      // SIGKILL left the `events` and `logs --follow` children running (compose's would end with
      // `dev down`): end the fakes here, as the only processes of this test still alive.
      const orphans = livePids(recordedPids(r.logFile));
      expect(orphans.sort()).toEqual([r.pidOf(minimal.events), r.pidOf(follow)].sort());
      for (const pid of orphans) process.kill(pid, 'SIGTERM');
      await waitFor(() => livePids(orphans).length === 0, 'the orphaned followers to end');
    },
    timeout,
  );

  test(
    'an unwritable events file is an input error and runs nothing',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['--events', path.join(r.root, 'no-such-dir', 'events.jsonl')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `stagecraft dev: error: cannot write ${path.join(r.root, 'no-such-dir', 'events.jsonl')}: no such file or directory; check the path or pass another file to --events\n`,
      );
      expect(r.calls()).toEqual([]);
    },
    timeout,
  );
});
