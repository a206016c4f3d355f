// An inspection adapter for @statelyai/inspect's createInspector that we own end to end:
// the library's WebSocket adapter retries every 5 s forever and its sky inspector's
// socket cannot be closed, either of which would keep the CLI alive after its session.

/** The part of a WebSocket (ws, PartySocket) the adapter uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
}

export interface SocketAdapterOptions {
  readonly connect: () => SocketLike;
  readonly serialize: (event: unknown) => string;
  /**
   * Called once, the first time the socket fails: it could not connect (`wasOpen` false), or
   * the other end closed it mid-session (`wasOpen` true). Later events are dropped.
   */
  readonly onFailure: (reason: string, wasOpen: boolean) => void;
  readonly onOpen?: () => void;
  /** Events held until the socket opens. */
  readonly maxQueued?: number;
  /** How long stop() waits for a clean close. */
  readonly closeTimeoutMs?: number;
}

const OPEN = 1;

/**
 * Sends inspection events over one socket, never retrying: an unreachable
 * inspector costs one warning and nothing else. `stop()` resolves once the
 * socket is closed (or after `closeTimeoutMs`), so the process can exit.
 */
export class SocketAdapter {
  readonly #options: SocketAdapterOptions;
  #socket: SocketLike | undefined;
  #queue: string[] = [];
  #failed = false;
  #opened = false;
  #closed: Promise<void> = Promise.resolve();

  constructor(options: SocketAdapterOptions) {
    this.#options = options;
  }

  start(): void {
    let socket: SocketLike;
    try {
      socket = this.#options.connect();
    } catch (error) {
      this.#fail((error as Error).message);
      return;
    }
    this.#socket = socket;
    this.#closed = new Promise((resolve) => {
      socket.onclose = () => {
        // Closed by stop() (#socket cleared first) is the end asked for; any other close,
        // before or after it opened, loses the events still to come.
        if (this.#socket === socket) this.#fail('the connection closed');
        resolve();
      };
    });
    socket.onopen = () => {
      this.#opened = true;
      this.#options.onOpen?.();
      for (const data of this.#queue) socket.send(data);
      this.#queue = [];
    };
    socket.onerror = (event) => this.#fail(describe(event));
  }

  send(event: unknown): void {
    if (this.#failed || this.#socket === undefined) return;
    const data = this.#options.serialize(event);
    if (this.#socket.readyState === OPEN) {
      this.#socket.send(data);
      return;
    }
    this.#queue.push(data);
    if (this.#queue.length > (this.#options.maxQueued ?? 1000)) this.#queue.shift();
  }

  /** Closes the socket; resolves when it is closed or the timeout passed. */
  async stop(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    this.#queue = [];
    socket.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#closed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#options.closeTimeoutMs ?? 1000);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  #fail(reason: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#queue = [];
    this.#options.onFailure(reason, this.#opened);
  }
}

function describe(event: unknown): string {
  const error = (event as { error?: unknown; message?: unknown } | undefined) ?? {};
  if (error.error instanceof Error) return error.error.message;
  if (typeof error.message === 'string' && error.message !== '') return error.message;
  return 'connection failed';
}
