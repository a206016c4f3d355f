// A followed `logs --follow` child writes one line per write(); read and passed on one by
// one, each line would cost a wakeup and a write of its own here and in whatever reads our
// stdout. On 2 cores that halved the log throughput (bench/RESULTS.md). The batcher keeps
// reading as fast as compose writes (compose stalls when its pipe is not drained) and
// hands the chunks on together, a few milliseconds apart: a delay no one sees on a terminal.

/** How long the first chunk of a batch may wait for others. */
export const batchIntervalMs = 4;
/** A batch this large goes at once. */
export const batchMaxBytes = 64 * 1024;

/** Collects chunks and emits them as one buffer, `intervalMs` after the first, or sooner when large. */
export class ChunkBatcher {
  #chunks: Buffer[] = [];
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #emit: (data: Buffer) => void;
  readonly #intervalMs: number;
  readonly #maxBytes: number;

  constructor(emit: (data: Buffer) => void, intervalMs = batchIntervalMs, maxBytes = batchMaxBytes) {
    this.#emit = emit;
    this.#intervalMs = intervalMs;
    this.#maxBytes = maxBytes;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (this.#bytes >= this.#maxBytes) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#intervalMs);
  }

  /** Emits what is waiting now (at the end of the stream, or when the child ends). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#bytes === 0) return;
    const data = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#bytes);
    this.#chunks = [];
    this.#bytes = 0;
    this.#emit(data);
  }
}
