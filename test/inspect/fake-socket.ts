import type { SocketLike } from '../../src/inspect/socket-adapter.js';

/** A SocketLike the test opens and closes by hand; it keeps what was sent. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  closeCalls = 0;
  onopen: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;

  send(data: string): void {
    this.sent.push(data);
  }

  /** Our side closes it: the close event follows, as a WebSocket's does. */
  close(): void {
    this.closeCalls++;
    this.closedByPeer();
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** The other end went away. */
  closedByPeer(): void {
    this.readyState = 3;
    this.onclose?.({});
  }

  fail(message: string): void {
    this.onerror?.({ message });
    this.closedByPeer();
  }
}
