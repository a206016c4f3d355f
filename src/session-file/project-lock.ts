// One live session per compose project per engine (SPEC §6), as one kernel-held lock: a
// Unix socket bound under a name made of the project and the engine endpoint. Binding is
// atomic (two sessions starting at the same instant cannot both get it), the kernel lets go
// of it when the holder's process ends however it ends (SIGKILL included), and a holder that
// is stopped (Ctrl+Z) keeps it for as long as it is stopped: nothing ages, nothing is stolen.
// On Linux the name lives in the abstract namespace (no file, nothing to clean up); elsewhere
// it is a socket file in the temp dir, and a file nobody listens on any more is taken over.
// The holder answers a connection with who it is, so a refused session can name it.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readSessionFile, type SessionRecord } from './session-file.js';

/** Who holds a project's lock: its pid and session file, when it answered. */
export interface LockHolder {
  readonly pid: number | undefined;
  readonly sessionFile: string | undefined;
}

/** How long a holder has to say who it is; a stopped holder cannot, and stays unnamed. */
const askTimeoutMs = 3000;

/** Binds tried while the name is taken by a holder that is going away (each after asking it). */
const bindAttempts = 5;

/** A connection error that means no live process holds the name. */
const goneCodes: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE']);

/** FNV-1a (32 bits), twice with different seeds: a short stable name part, without node:crypto. */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0;
  }
  return `${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
}

function currentContext(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env['DOCKER_CONFIG'] ?? path.join(env['HOME'] ?? os.homedir(), '.docker');
  try {
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch {
    return undefined; // no config: the default context
  }
}

/**
 * The engine a compose command talks to, as docker chooses it: DOCKER_HOST, else
 * DOCKER_CONTEXT, else the CLI's current context, else the default local socket.
 */
export function engineEndpoint(env: NodeJS.ProcessEnv): string {
  const host = env['DOCKER_HOST'];
  if (host !== undefined && host !== '') return host;
  const context = env['DOCKER_CONTEXT'] ?? currentContext(env);
  if (context !== undefined && context !== '' && context !== 'default') return `context:${context}`;
  return 'unix:///var/run/docker.sock';
}

/** The socket name of `project` on `endpoint`. */
export function lockName(project: string, endpoint: string, platform: NodeJS.Platform = process.platform): string {
  const name = `stagecraft-${project.slice(0, 40)}-${hash(endpoint)}`;
  if (platform === 'linux') return `\0stagecraft/${name}`;
  return path.join(os.tmpdir(), `stagecraft-${os.userInfo().uid}`, `${name}.sock`);
}

function bind(name: string, whoAmI: string, connections: Set<net.Socket>): Promise<net.Server | 'in-use'> {
  return new Promise((resolve, reject) => {
    // Each connection is told who holds the lock, then kept open: it closes when the lock is
    // released or the process ends, which is how a waiter learns of it without polling.
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.unref();
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      socket.write(`${whoAmI}\n`);
    });
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve('in-use') : reject(error)));
    server.listen({ path: name }, () => {
      // The lock must never keep the CLI alive by itself.
      server.unref();
      resolve(server);
    });
  });
}

function parseHolder(text: string): LockHolder {
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; sessionFile?: unknown };
    return {
      pid: typeof parsed.pid === 'number' ? parsed.pid : undefined,
      sessionFile: typeof parsed.sessionFile === 'string' ? parsed.sessionFile : undefined,
    };
  } catch {
    return { pid: undefined, sessionFile: undefined };
  }
}

/**
 * Connects to the holder of `name`: `holder` resolves with who it is (unnamed when it does
 * not answer in time: a stopped process), or `refused` when nobody holds it; `released`
 * resolves once it lets go (its connection closes). `close()` hangs up.
 */
function connect(name: string) {
  const socket = net.connect({ path: name });
  let text = '';
  const released = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const holder = new Promise<LockHolder | 'refused'>((resolve) => {
    const timer = setTimeout(() => resolve({ pid: undefined, sessionFile: undefined }), askTimeoutMs);
    timer.unref();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      resolve(parseHolder(text.slice(0, end)));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // Nobody listens, or the holder was ending as we connected (SIGKILL closes its connections
      // and its listening socket one after the other): both mean it is gone, bind again.
      resolve(goneCodes.has(error.code ?? '') ? 'refused' : { pid: undefined, sessionFile: undefined });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      // Closed before a whole line: what came is all there is (nothing: nobody holds it).
      resolve(text.trim() === '' ? 'refused' : parseHolder(text.split('\n')[0] ?? ''));
    });
  });
  return {
    holder,
    released,
    close: (): void => {
      socket.destroy();
    },
  };
}

/** Asks the holder of `name` who it is; `refused` when nobody listens. */
async function ask(name: string): Promise<LockHolder | 'refused'> {
  const connection = connect(name);
  try {
    return await connection.holder;
  } finally {
    connection.close();
  }
}

/**
 * The project locks of one engine. `acquire` binds the project's socket, or says who holds
 * it; `release` lets go (the process ending does too); `holder` only asks.
 */
export class ProjectLock {
  readonly #endpoint: string;
  readonly #held = new Map<string, { server: net.Server; connections: Set<net.Socket> }>();

  constructor(env: NodeJS.ProcessEnv) {
    this.#endpoint = engineEndpoint(env);
  }

  /** Takes `project`'s lock for the session whose record is `sessionFile`; resolves with the holder when another process has it. */
  async acquire(project: string, sessionFile: string): Promise<LockHolder | undefined> {
    if (this.#held.has(project)) return undefined;
    const name = lockName(project, this.#endpoint);
    if (!name.startsWith('\0')) mkdirSync(path.dirname(name), { recursive: true, mode: 0o700 });
    const whoAmI = JSON.stringify({ pid: process.pid, sessionFile });
    for (let attempt = 0; attempt < bindAttempts; attempt += 1) {
      const connections = new Set<net.Socket>();
      const bound = await bind(name, whoAmI, connections);
      if (bound !== 'in-use') {
        this.#held.set(project, { server: bound, connections });
        return undefined;
      }
      const holder = await ask(name);
      if (holder !== 'refused') return holder;
      // Nobody listens any more: on Linux the holder let go just now (bind again); elsewhere
      // it may be a socket file whose process is gone, which is taken over.
      if (!name.startsWith('\0')) rmSync(name, { force: true });
    }
    return { pid: undefined, sessionFile: undefined };
  }

  /** Who holds `project`'s lock, if another process does (this one's own lock is not "another"). */
  async holder(project: string): Promise<LockHolder | undefined> {
    if (this.#held.has(project)) return undefined;
    const answer = await ask(lockName(project, this.#endpoint));
    return answer === 'refused' ? undefined : answer;
  }

  /**
   * Resolves once no other process holds `project`'s lock: at once when none does, else when
   * its holder lets go or ends (its connection closes; nothing is polled). An aborted
   * `signal` rejects with its reason.
   */
  async whenReleased(project: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const connection = connect(lockName(project, this.#endpoint));
    const hangUp = (): void => connection.close();
    signal?.addEventListener('abort', hangUp, { once: true });
    try {
      const holder = await connection.holder;
      signal?.throwIfAborted();
      if (holder === 'refused') return;
      await connection.released;
      signal?.throwIfAborted();
    } finally {
      signal?.removeEventListener('abort', hangUp);
      connection.close();
    }
  }

  /** Lets go of `project`'s lock, if held; whoever waits for it hears at once. */
  async release(project: string): Promise<void> {
    const held = this.#held.get(project);
    if (held === undefined) return;
    this.#held.delete(project);
    const closed = new Promise<void>((resolve) => held.server.close(() => resolve()));
    for (const socket of held.connections) socket.destroy();
    await closed;
  }
}

/** A live session of `project` whose session file is not `sessionFile`, as far as it is known. */
export async function heldElsewhere(
  locks: ProjectLock,
  project: string,
  sessionFile: string,
): Promise<{ project: string; holder: SessionRecord | undefined; pid: number | undefined; elsewhere: string | undefined } | undefined> {
  const holder = await locks.holder(project);
  if (holder === undefined || holder.sessionFile === sessionFile) return undefined;
  const record = holder.sessionFile === undefined ? undefined : await readSessionFile(holder.sessionFile);
  return { project, holder: record?.pid === holder.pid ? record : undefined, pid: holder.pid, elsewhere: holder.sessionFile };
}
