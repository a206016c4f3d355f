// The inspector's socket: one warning when it fails, before it opened or mid-session, and
// none when stagecraft closes it.
import { SocketAdapter } from '../../src/inspect/socket-adapter.js';
import { FakeSocket } from './fake-socket.js';

function adapterOn(socket: FakeSocket) {
  const failures: Array<[string, boolean]> = [];
  let opened = 0;
  const adapter = new SocketAdapter({
    connect: () => socket,
    serialize: (event) => JSON.stringify(event),
    onFailure: (reason, wasOpen) => failures.push([reason, wasOpen]),
    onOpen: () => opened++,
  });
  adapter.start();
  return { adapter, failures, opened: () => opened };
}

describe('SocketAdapter', () => {
  test('events wait for the socket to open, then go in order', () => {
    const socket = new FakeSocket();
    const { adapter, opened } = adapterOn(socket);
    adapter.send({ n: 1 });
    adapter.send({ n: 2 });
    expect(socket.sent).toEqual([]);
    expect(opened()).toBe(0);
    socket.open();
    adapter.send({ n: 3 });
    expect(opened()).toBe(1);
    expect(socket.sent).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  test('closed by the other end mid-session: one failure, and later events are dropped', () => {
    const socket = new FakeSocket();
    const { adapter, failures } = adapterOn(socket);
    socket.open();
    adapter.send({ n: 1 });
    socket.closedByPeer();
    adapter.send({ n: 2 });
    adapter.send({ n: 3 });
    expect(failures).toEqual([['the connection closed', true]]);
    expect(socket.sent).toEqual(['{"n":1}']);
  });

  test('an error then a close before it opened: one failure, with the error', () => {
    const socket = new FakeSocket();
    const { adapter, failures } = adapterOn(socket);
    adapter.send({ n: 1 });
    socket.fail('connect ECONNREFUSED 127.0.0.1:9');
    adapter.send({ n: 2 });
    expect(failures).toEqual([['connect ECONNREFUSED 127.0.0.1:9', false]]);
    expect(socket.sent).toEqual([]);
  });

  test('closed by stop(): no failure, and stop() resolves once closed', async () => {
    const socket = new FakeSocket();
    const { adapter, failures } = adapterOn(socket);
    socket.open();
    await adapter.stop();
    expect(socket.closeCalls).toBe(1);
    adapter.send({ n: 1 });
    expect(failures).toEqual([]);
    expect(socket.sent).toEqual([]);
  });
});
