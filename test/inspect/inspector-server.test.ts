// `stagecraft inspect`'s relay: @statelyai/inspect's createInspectorServer held to 127.0.0.1,
// its page, its replay to a late client, a port in use, and a stop with clients connected.
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { startInspectorServer, type RunningInspectorServer } from '../../src/inspect/inspector-server.js';

const servers: RunningInspectorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function start(port = 0): Promise<RunningInspectorServer> {
  const server = await startInspectorServer({ host: '127.0.0.1', port, open: false });
  servers.push(server);
  return server;
}

/** The listening sockets on `port`, from the kernel's tables: `<hex address>` per line. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
      .map((fields) => `${table} ${fields[1]}`),
  );
}

/** A client of the relay that keeps every message it receives. */
async function client(server: RunningInspectorServer): Promise<{ socket: WebSocket; messages: string[]; closed: Promise<void> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}`);
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(String(data)));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  return { socket, messages, closed };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('startInspectorServer', () => {
  test('listens on 127.0.0.1 alone, and serves the page that embeds the Stately inspector', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(listeners(server.port)).toEqual([`/proc/net/tcp 0100007F:${server.port.toString(16).toUpperCase().padStart(4, '0')}`]);
    const page = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
    expect(page).toContain('<iframe id="inspector" src="https://stately.ai/inspect"></iframe>');
    expect(page).toContain(`new WebSocket('ws://localhost:${server.port}')`);
  });

  test('a client that connects later gets what an earlier one sent, in order', async () => {
    const server = await start();
    const session = await client(server);
    session.socket.send('{"n":1}');
    session.socket.send('{"n":2}');
    session.socket.close();
    await session.closed;
    const browser = await client(server);
    await until(() => browser.messages.length === 2, 'the replay');
    expect(browser.messages).toEqual(['{"n":1}', '{"n":2}']);
  });

  test('a port in use: a command-failed failure naming it, and nothing left listening', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      await expect(startInspectorServer({ host: '127.0.0.1', port, open: false })).rejects.toEqual({
        kind: 'command-failed',
        message: `cannot listen on 127.0.0.1:${port} (listen EADDRINUSE: address already in use 127.0.0.1:${port}); pass another --port (0: any free one)`,
      });
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    expect(listeners(port)).toEqual([]);
  });

  test('stop() ends the connections still open and resolves', async () => {
    const server = await start();
    const browser = await client(server);
    servers.splice(servers.indexOf(server), 1);
    await server.stop();
    await browser.closed;
    expect(listeners(server.port)).toEqual([]);
  });
});
