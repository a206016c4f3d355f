// `stagecraft inspect`'s relay: @statelyai/inspect's createInspectorServer, held to one
// address. Its HTTP server serves a page that embeds the Stately inspector
// (https://stately.ai/inspect) and connects back over a WebSocket; every message one client
// sends (a session's inspection events) goes to the others, and the last 200 are replayed to
// each new client, so a browser opened after a session still sees its end.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { createInspectorServer } from '@statelyai/inspect/server';
import type { SessionFailure } from '../../machines/dev-session.types.js';

/** A relay that listens. */
export interface RunningInspectorServer {
  readonly host: string;
  readonly port: number;
  /** Closes the server and every connection to it; resolves once closed. */
  stop(): Promise<void>;
}

export interface InspectorServerOptions {
  readonly host: string;
  /** 0: a free port, chosen first (the page embeds the port, so it must be known before). */
  readonly port: number;
  /** Let the library open the page in the default browser. */
  readonly open: boolean;
}

/** A free TCP port on `host`, as the kernel picks one. */
async function freePort(host: string): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * createInspectorServer takes no address and listens on every interface, which would offer a
 * session's context (plan, paths, compose's stderr) to the network; and its WebSocketServer
 * re-emits an error of the HTTP server (a port in use) with no listener, which would crash.
 * So, for the one synchronous call, node:http's createServer hands the library a server whose
 * `listen` binds `host`; its error listeners are then ours.
 */
function createOn(host: string, port: number, open: boolean): { relay: { stop(): void }; server: http.Server } {
  const create = http.createServer;
  let server: http.Server | undefined;
  http.createServer = ((...args: Parameters<typeof create>) => {
    const created = create(...args);
    const listen = created.listen.bind(created) as (port: number, host: string, done?: () => void) => http.Server;
    created.listen = ((at: number, done?: () => void) => listen(at, host, done)) as typeof created.listen;
    server = created;
    return created;
  }) as typeof create;
  try {
    const relay = createInspectorServer({ port, autoOpen: open });
    if (server === undefined) throw new Error('createInspectorServer created no node:http server');
    server.removeAllListeners('error');
    return { relay, server };
  } finally {
    http.createServer = create;
  }
}

/**
 * Starts the relay on `host` (a loopback address: see README, "Watching the lifecycle").
 * Resolves once it listens; rejects with a `command-failed` failure (exit 2) when it cannot,
 * a port in use for one.
 */
export async function startInspectorServer(options: InspectorServerOptions): Promise<RunningInspectorServer> {
  const { host } = options;
  const port = options.port === 0 ? await freePort(host) : options.port;
  const { relay, server } = createOn(host, port, options.open);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      // Kept after the start too: an error with no listener would end the process.
      server.on('error', reject);
    });
  } catch (error) {
    relay.stop();
    const failure: SessionFailure = {
      kind: 'command-failed',
      message: `cannot listen on ${host}:${port} (${(error as Error).message}); pass another --port (0: any free one)`,
    };
    throw failure;
  }
  return {
    host,
    port,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
      relay.stop();
      // An open page (or a session) keeps its connection: the library's close waits for it.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
