import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { createInspector } from '@statelyai/inspect';
import safeStableStringify from 'safe-stable-stringify';
import { stringify as superjsonStringify } from 'superjson';
import type { InspectionEvent, Observer } from 'xstate';
import WebSocket from 'ws';
import { inputFailure } from '../util/input-failure.js';
import { redactHome } from './redact-home.js';
import { SocketAdapter, type SocketLike } from './socket-adapter.js';

/** The live inspector of one session. */
export interface SessionInspector {
  readonly inspect: Observer<InspectionEvent>;
  /** Closes the connection; bounded, so it never holds the CLI up. */
  stop(): Promise<void>;
}

export interface InspectorNotices {
  /** Plain information (the live URL). */
  say(message: string): void;
  /** The one warning an unreachable inspector costs. */
  warn(message: string): void;
}

// The Stately sky endpoints, as @statelyai/inspect 0.7's createSkyInspector uses them
// (its PartySocket connects to wss://<host>/party/<room>?_pk=<id>; we open that URL
// with a plain socket so nothing reconnects behind the session's back).
const skyHost = 'stately-sky-beta.mellson.partykit.dev';
const skyInspectUrl = 'https://stately.ai/registry/inspect';
const skySocketUrl = (sessionId: string): string =>
  `wss://${skyHost}/party/inspect-${sessionId}?_pk=${randomUUID()}`;

const stringifyJson = safeStableStringify.configure({ maximumDepth: 10 });

/** Checks an `--inspect` value: empty means the Stately sky, else a ws:// or wss:// URL. */
export function checkInspectTarget(target: string): void {
  if (target === '') return;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw inputFailure(`--inspect ${JSON.stringify(target)} is not a URL; pass ws://host:port or wss://…, or --inspect alone for the Stately sky inspector`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw inputFailure(`--inspect needs a ws:// or wss:// URL (got ${url.protocol}//); or pass --inspect alone for the Stately sky inspector`);
  }
}

/** Opens the inspector's socket (a `ws` WebSocket in production). */
export type ConnectSocket = (url: string) => SocketLike;

const openWebSocket: ConnectSocket = (url) => new WebSocket(url, { handshakeTimeout: 5000 }) as unknown as SocketLike;

/**
 * Connects the session to an inspector: the Stately sky (`target` empty; its live URL is
 * announced once the socket is open, so it is never a page that will stay empty) or a
 * WebSocket server (`ws://…`, such as `stagecraft inspect`). A connection that fails, or
 * that the other end closes mid-session, costs one warning and never reaches the session.
 * What leaves the process is the machines' context and events with `home` (the user's home
 * directory) shown as `~` (README, "Watching the lifecycle").
 */
export function startInspector(target: string, notices: InspectorNotices, home = homedir(), connect: ConnectSocket = openWebSocket): SessionInspector {
  const sky = target === '';
  const sessionId = randomUUID();
  const where = sky ? 'the Stately sky inspector' : `the inspector at ${target}`;
  const adapter = new SocketAdapter({
    connect: () => connect(sky ? skySocketUrl(sessionId) : target),
    serialize: sky ? (event) => superjsonStringify(event) : (event) => stringifyJson(event) ?? 'null',
    onOpen: sky ? () => notices.say(`live inspection: ${skyInspectUrl}/${sessionId}`) : undefined,
    onFailure: (reason, wasOpen) =>
      notices.warn(
        wasOpen
          ? `lost ${where} (${reason}); the session goes on without it`
          : `cannot reach ${where} (${reason}); the session goes on without it`,
      ),
  });
  const redact = <T>(value: T): T => redactHome(value, home);
  const inspector = createInspector(adapter, { sanitizeContext: redact, sanitizeEvent: redact });
  inspector.start(); // createInspector starts only the library's own adapters
  return { inspect: inspector.inspect, stop: () => adapter.stop() };
}
