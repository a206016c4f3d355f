// The terminal's live region: one line per service, redrawn in place while a phase works,
// left on screen as a summary when it ends. Hand-written ANSI (cursor to the start of the
// line n up, erase to the end of the screen) rather than log-update: log-update 8 and its 15
// dependencies take 60–90 ms to import here (string-width's Intl.Segmenter), which every
// start on a terminal would pay, and its cursor restore hooks SIGINT/SIGTERM/SIGHUP through
// signal-exit beside src/signals/, the one place signals are handled. The lines are ours
// (service names, states, one step's text), so cutting them to the width needs no ANSI parser.
import type { Writable } from 'node:stream';
import { formatElapsed, type BoardRow, type ServiceBoard } from './service-board.js';

/** What the region draws on, and its clock. */
export interface LiveRegionOptions {
  /** A terminal (stderr). */
  readonly stream: Writable;
  /** The terminal's width now. */
  readonly columns: () => number;
  readonly now: () => number;
  /** Calls `tick` every `ms` until the returned function is called: the spinner turning. */
  readonly every: (ms: number, tick: () => void) => () => void;
}

const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const spinnerMs = 80;

const paint = (code: string, text: string): string => `\u001b[${code}m${text}\u001b[0m`;

/** Cuts `text` to `width` characters, an ellipsis marking the cut. */
function fit(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  return width <= 0 ? '' : `${chars.slice(0, width - 1).join('')}…`;
}

/** How to draw one frame. */
export interface FrameOptions {
  readonly width: number;
  readonly now: number;
  readonly startedAt: number;
  /** The final frame: no spinner, working rows marked as left off. */
  readonly final: boolean;
}

/** One frame of `rows`: `⠋ api  building step 2/3 RUN npm ci  3.2s`, each line within `width`. Pure. */
export function renderFrame(rows: readonly BoardRow[], frame: FrameOptions): string[] {
  const nameWidth = Math.max(0, ...rows.map((row) => row.service.length));
  const turn = spinner[Math.floor(Math.max(0, frame.now - frame.startedAt) / spinnerMs) % spinner.length] ?? spinner[0];
  return rows.map((row) => {
    const mark =
      row.mood === 'done' ? paint('32', '✔') : row.mood === 'failed' ? paint('31', '✖') : frame.final ? paint('2', '○') : paint('36', turn ?? '');
    const elapsed = formatElapsed((row.settledAt ?? frame.now) - frame.startedAt);
    const name = row.service.padEnd(nameWidth);
    // `m name  text  elapsed`, one column spare so the terminal never wraps the line.
    const room = frame.width - 1 - (2 + nameWidth + 2) - (2 + elapsed.length);
    const text = fit(row.text, Math.max(room, 0));
    return `${mark} ${name}  ${row.mood === 'failed' ? paint('31', text) : text}  ${paint('2', elapsed)}`;
  });
}

/**
 * Draws a board in place on a terminal. Whatever else is written while it is shown goes
 * through `above`: the region is erased, the text written, the region drawn again below it.
 */
export class LiveRegion {
  readonly #o: LiveRegionOptions;
  #board: ServiceBoard | undefined;
  /** Lines of the last frame drawn (the cursor is on the line below them). */
  #drawn = 0;
  #stopTurning: (() => void) | undefined;

  constructor(options: LiveRegionOptions) {
    this.#o = options;
  }

  /** Starts drawing `board` below what is on screen. */
  show(board: ServiceBoard): void {
    this.close();
    this.#board = board;
    this.update();
  }

  /** The board changed: draw it again. */
  update(): void {
    const board = this.#board;
    if (board === undefined) return;
    this.#draw(board, false);
    if (board.working() && this.#stopTurning === undefined) this.#stopTurning = this.#o.every(spinnerMs, () => this.update());
    if (!board.working()) this.#stopSpinner();
  }

  /** Writes something else (stagecraft's lines, container logs) above the region. */
  above(write: () => void): void {
    if (this.#board === undefined || this.#drawn === 0) {
      write();
      return;
    }
    this.#o.stream.write(this.#erase());
    this.#drawn = 0;
    write();
    this.#draw(this.#board, false);
  }

  /** Draws the last frame, left on screen as the phase's summary; the region is done. */
  close(): void {
    const board = this.#board;
    this.#stopSpinner();
    if (board === undefined) return;
    this.#draw(board, true);
    this.#board = undefined;
    this.#drawn = 0;
  }

  #draw(board: ServiceBoard, final: boolean): void {
    const lines = renderFrame(board.rows(), { width: this.#o.columns(), now: this.#o.now(), startedAt: board.startedAt, final });
    const text = lines.map((line) => `${line}\n`).join('');
    this.#o.stream.write(`${this.#erase()}${text}`);
    this.#drawn = lines.length;
  }

  /** Back to the first line of the last frame, erasing it and all below. */
  #erase(): string {
    return this.#drawn === 0 ? '' : `\u001b[${this.#drawn}F\u001b[J`;
  }

  #stopSpinner(): void {
    this.#stopTurning?.();
    this.#stopTurning = undefined;
  }
}

/** The real spinner timer: it never keeps the process alive. */
export function everyInterval(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}
