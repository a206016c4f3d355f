import { randomUUID } from 'node:crypto';
import { createInspector } from '@statelyai/inspect';
import safeStableStringify from 'safe-stable-stringify';
import { stringify as superjsonStringify } from 'superjson';
import type { InspectionEvent, Observer } from 'xstate';
import WebSocket from 'ws';
import { inputFailure } from '../util/input-failure.js';
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

/**
 * Connects the session to an inspector: the Stately sky (`target` empty; the
 * live URL is announced) or a WebSocket server (`ws://…`). Connection
 * failures produce one warning and never reach the session.
 */
export function startInspector(target: string, notices: InspectorNotices): SessionInspector {
  const sky = target === '';
  const sessionId = randomUUID();
  const where = sky ? 'the Stately sky inspector' : `the inspector at ${target}`;
  const adapter = new SocketAdapter({
    connect: (): SocketLike =>
      new WebSocket(sky ? skySocketUrl(sessionId) : target, { handshakeTimeout: 5000 }) as unknown as SocketLike,
    serialize: sky ? (event) => superjsonStringify(event) : (event) => stringifyJson(event) ?? 'null',
    onFailure: (reason) => notices.warn(`cannot reach ${where} (${reason}); the session goes on without it`),
  });
  if (sky) notices.say(`live inspection: ${skyInspectUrl}/${sessionId}`);
  const inspector = createInspector(adapter);
  inspector.start(); // createInspector starts only the library's own adapters
  return { inspect: inspector.inspect, stop: () => adapter.stop() };
}
