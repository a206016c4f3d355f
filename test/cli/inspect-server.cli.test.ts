// L3 for `stagecraft inspect` (issue 15): the real relay (@statelyai/inspect's
// createInspectorServer on 127.0.0.1) as a process of its own, a real session with the fake
// docker sending it its inspection events, and WebSocket clients in the test reading them as
// the relay's page in a browser would: one open before the session, one opened after it.
import { spawn } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { cliPath, CliProcess, useCliRigs, type CliRig } from './cli-harness.js';
import { composeFor } from './compose-argv.js';
import { fakeBinDir, waitFor } from '../fixtures/fake-docker.js';

const timeout = 30_000;
const rig = useCliRigs();
const minimal = composeFor('minimal');
const attachedScenario = { 'logs --follow': { stdout: ['app-1  | 2026-12-01T15:24:10.375866389Z listening'], hang: true } };
/** What the relay keeps for a client that connects late (createInspectorServer's buffer). */
const replayed = 200;

const inspectors: CliProcess[] = [];
afterEach(() => {
  const left = inspectors.splice(0).filter((cli) => cli.isRunning);
  for (const cli of left) process.kill(-cli.pid, 'SIGKILL');
  if (left.length > 0) throw new Error(`stagecraft inspect left running: ${left.map((cli) => cli.pid).join(', ')}`);
});

/** `stagecraft inspect <args>` in the rig's project, in its own process group. */
function spawnInspect(r: CliRig, args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, [cliPath, 'inspect', ...args], {
    cwd: r.cwd,
    env: { PATH: `${fakeBinDir}${path.delimiter}${path.join(r.root, 'node-bin')}`, HOME: r.root, NO_COLOR: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cli = new CliProcess(child);
  inspectors.push(cli);
  return cli;
}

/** Starts `stagecraft inspect --port 0` and reads the address it printed. */
async function startRelay(r: CliRig): Promise<{ cli: CliProcess; address: string }> {
  const cli = spawnInspect(r, ['--port', '0']);
  // Its two lines come through two pipes: both written means it listens.
  await waitFor(() => (cli.stdout.endsWith('\n') && cli.stderr.endsWith('Ctrl+C stops it\n')) || cli.hasExited, 'stagecraft inspect to print its address');
  const address = /^open http:\/\/(127\.0\.0\.1:\d+) in a browser, then run:\n {2}stagecraft dev --inspect=ws:\/\/\1\n$/.exec(cli.stdout)?.[1];
  if (address === undefined) throw new Error(`unexpected output of stagecraft inspect:\n${cli.stdout}\n${cli.stderr}`);
  return { cli, address };
}

interface InspectionMessage {
  type: string;
  sessionId: string;
  rootId?: string;
  snapshot?: { value?: unknown; status?: string };
}

/** A browser's side of the relay: the messages its page would post into the inspector. */
async function browser(address: string): Promise<{ messages: string[]; socket: WebSocket }> {
  const socket = new WebSocket(`ws://${address}`);
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(String(data)));
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  return { messages, socket };
}

/** The session machine's snapshots (the root actor's), in order. */
function rootSnapshots(messages: readonly string[]): Array<{ value?: unknown; status?: string }> {
  return messages
    .map((m) => JSON.parse(m) as InspectionMessage)
    .filter((m) => m.type === '@xstate.snapshot' && m.sessionId === m.rootId)
    .map((m) => m.snapshot ?? {});
}

const sessionEnded = (messages: readonly string[]): boolean =>
  rootSnapshots(messages).some((s) => s.status === 'done' && s.value === 'stopped');

/** A foreground session on the fake docker, attached: its events and log followers run, its `ps` has ended. */
async function attachedSession(r: CliRig, address: string): Promise<CliProcess> {
  const cli = r.spawn([`--inspect=ws://${address}`], { scenario: attachedScenario });
  await r.waitForCall(cli, minimal.events);
  await r.waitForCall(cli, minimal.follow);
  await r.waitForCallEnded(cli, minimal.ps);
  return cli;
}

describe('stagecraft inspect', () => {
  test(
    "a browser opened after the session gets its events replayed: the tail of what an open one got, to the session's end",
    async () => {
      const r = rig('minimal');
      const relay = await startRelay(r);
      expect(relay.cli.stderr).toBe(
        `stagecraft inspect: relaying on ${relay.address} only; the page embeds the Stately inspector from https://stately.ai/inspect and replays the last 200 events to a late browser; Ctrl+C stops it\n`,
      );
      const early = await browser(relay.address);
      const session = await attachedSession(r, relay.address);
      session.signal('SIGINT');
      const ended = await session.exit();
      expect(ended.code).toBe(130);
      expect(ended.stderr).not.toMatch(/inspector/);
      await waitFor(() => sessionEnded(early.messages), 'the open browser to see the session stop');

      const late = await browser(relay.address);
      await waitFor(() => sessionEnded(late.messages) && late.messages.at(-1) === early.messages.at(-1), 'the late browser to get the replay');
      expect(late.messages.length).toBeGreaterThanOrEqual(Math.min(early.messages.length, replayed));
      expect(late.messages).toEqual(early.messages.slice(-late.messages.length));
      expect(rootSnapshots(late.messages).at(-1)).toEqual(expect.objectContaining({ value: 'stopped', status: 'done' }));
      early.socket.close();
      late.socket.close();

      relay.cli.signal('SIGINT');
      expect((await relay.cli.exit()).code).toBe(0);
    },
    timeout,
  );

  test(
    'the relay going away mid-session: one warning, and the session goes on to its own end',
    async () => {
      const r = rig('minimal');
      const relay = await startRelay(r);
      const watcher = await browser(relay.address);
      const session = await attachedSession(r, relay.address);
      await waitFor(() => watcher.messages.length > 0, "the session's first events through the relay");
      relay.cli.signal('SIGINT');
      expect((await relay.cli.exit()).code).toBe(0);
      const warning = `stagecraft dev: lost the inspector at ws://${relay.address} (the connection closed); the session goes on without it\n`;
      await r.waitForOutput(session, 'stderr', warning);
      expect(session.isRunning).toBe(true);
      session.signal('SIGINT');
      const ended = await session.exit();
      expect(ended.code).toBe(130);
      expect(ended.stderr.split(warning)).toHaveLength(2); // exactly once
      expect(r.calls()).toContainEqual(minimal.down());
    },
    timeout,
  );

  test(
    'a port already taken: exit 2 naming it; a port out of range: exit 1',
    async () => {
      const r = rig('minimal');
      const holder = net.createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const { port } = holder.address() as AddressInfo;
      try {
        const taken = await spawnInspect(r, ['--port', String(port)]).exit();
        expect(taken).toEqual({
          code: 2,
          stdout: '',
          stderr: `stagecraft inspect: error: cannot listen on 127.0.0.1:${port} (listen EADDRINUSE: address already in use 127.0.0.1:${port}); pass another --port (0: any free one)\n`,
        });
      } finally {
        await new Promise<void>((resolve) => holder.close(() => resolve()));
      }
      expect(await spawnInspect(r, ['--port', '65536']).exit()).toEqual({
        code: 1,
        stdout: '',
        stderr: 'stagecraft inspect: error: --port takes a TCP port from 0 to 65535 (0: any free one), got 65536\n',
      });
    },
    timeout,
  );
});
