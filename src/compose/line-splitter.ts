// Child output arrives in arbitrary chunks; users must only ever see whole lines,
// or a stagecraft message on stderr could land in the middle of a log line.

/** Longest partial line held back; past it the text is passed on as one line. */
const maxPendingChars = 1024 * 1024;

/** Turns chunks into runs of whole lines, each run ending in `\n`. */
export class LineSplitter {
  #pending = '';
  readonly #emit: (lines: string) => void;

  constructor(emit: (lines: string) => void) {
    this.#emit = emit;
  }

  push(chunk: string): void {
    const text = this.#pending + chunk;
    const cut = text.lastIndexOf('\n');
    if (cut === -1) {
      this.#pending = text;
      if (text.length > maxPendingChars) this.flush();
      return;
    }
    this.#pending = text.slice(cut + 1);
    this.#emit(text.slice(0, cut + 1));
  }

  /** Drops a last line that had no newline (a cut one). */
  discard(): void {
    this.#pending = '';
  }

  /** Passes on a last line that had no newline. */
  flush(): void {
    if (this.#pending === '') return;
    const rest = this.#pending;
    this.#pending = '';
    this.#emit(`${rest}\n`);
  }
}

/** Keeps the last `size` lines, for error messages. */
export class TailBuffer {
  #lines: string[] = [];
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  add(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.#size) this.#lines.shift();
  }

  toString(): string {
    return this.#lines.join('\n');
  }
}
