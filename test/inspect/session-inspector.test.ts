// `--inspect`: the sky's live URL is announced once its socket is open (never a page that
// stays empty); a socket closed mid-session costs one warning and the actor goes on; what is
// sent shows the home directory as `~`.
import { assign, createActor, setup } from 'xstate';
import { startInspector } from '../../src/inspect/session-inspector.js';
import { waitFor } from '../fixtures/fake-docker.js';
import { FakeSocket } from './fake-socket.js';

function notices() {
  const said: string[] = [];
  const warned: string[] = [];
  return { said, warned, notices: { say: (m: string) => said.push(m), warn: (m: string) => warned.push(m) } };
}

const home = '/home/ada';
const input = { devDir: `${home}/shop/.stagecraft/dev`, other: '/home/adam/x' };

/**
 * A machine whose context (from its input, as stagecraft's machines build theirs: the definition
 * sent holds no value of it) and events hold paths under `home`, and one that merely starts with it.
 */
const machine = setup({
  types: {
    context: {} as { devDir: string; other: string; steps: number },
    events: {} as { type: 'STEP'; file: string },
    input: {} as { devDir: string; other: string },
  },
}).createMachine({
  context: ({ input }) => ({ ...input, steps: 0 }),
  on: { STEP: { actions: assign({ steps: ({ context }) => context.steps + 1 }) } },
});

describe('startInspector', () => {
  test('the sky: its live URL is said once the socket opens, not before, naming the room it joined', () => {
    const sockets: Array<{ url: string; socket: FakeSocket }> = [];
    const { said, warned, notices: n } = notices();
    const inspector = startInspector('', n, home, (url) => {
      const socket = new FakeSocket();
      sockets.push({ url, socket });
      return socket;
    });
    expect(sockets).toHaveLength(1);
    expect(said).toEqual([]);
    sockets[0]?.socket.open();
    expect(said).toHaveLength(1);
    const id = /^live inspection: https:\/\/stately\.ai\/registry\/inspect\/([0-9a-f-]{36})$/.exec(said[0] ?? '')?.[1];
    expect(id).toBeDefined();
    expect(sockets[0]?.url).toMatch(new RegExp(`^wss://stately-sky-beta\\.mellson\\.partykit\\.dev/party/inspect-${id}\\?_pk=`));
    expect(warned).toEqual([]);
    void inspector.stop();
  });

  test('a WebSocket inspector that closes mid-session: one warning, the actor goes on, nothing more is sent', async () => {
    const socket = new FakeSocket();
    const { said, warned, notices: n } = notices();
    const inspector = startInspector('ws://127.0.0.1:9', n, home, () => socket);
    socket.open();
    const actor = createActor(machine, { inspect: inspector.inspect, input }).start();
    await waitFor(() => socket.sent.length > 0, 'the first inspection events');
    socket.closedByPeer();
    const sentBefore = socket.sent.length;
    actor.send({ type: 'STEP', file: `${home}/a` });
    actor.send({ type: 'STEP', file: `${home}/b` });
    expect(actor.getSnapshot().context.steps).toBe(2);
    // Inspection events are sent on a timer (the library's idle callback): let them run.
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.sent).toHaveLength(sentBefore);
    expect(warned).toEqual(['lost the inspector at ws://127.0.0.1:9 (the connection closed); the session goes on without it']);
    expect(said).toEqual([]);
    actor.stop();
    await inspector.stop();
  });

  test('contexts and events go with the home directory as ~ (and only as a whole path component)', async () => {
    const socket = new FakeSocket();
    const inspector = startInspector('ws://127.0.0.1:9', notices().notices, home, () => socket);
    socket.open();
    const actor = createActor(machine, { inspect: inspector.inspect, input }).start();
    actor.send({ type: 'STEP', file: `${home}/shop/compose.yaml` });
    await waitFor(() => socket.sent.some((m) => m.includes('"type":"@xstate.snapshot"') && m.includes('"steps":1')), 'the snapshot after STEP');
    const text = socket.sent.join('\n');
    expect(text).not.toContain(`${home}/`);
    expect(text).toContain('"devDir":"~/shop/.stagecraft/dev"');
    expect(text).toContain('"file":"~/shop/compose.yaml"');
    expect(text).toContain('"other":"/home/adam/x"');
    // The actor's own context is untouched.
    expect(actor.getSnapshot().context.devDir).toBe(`${home}/shop/.stagecraft/dev`);
    actor.stop();
    await inspector.stop();
  });
});
