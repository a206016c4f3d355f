// How a session's phases look while they run (SPEC §5): each service's state on a board, drawn
// as a live region on a terminal or as one timestamped line per change elsewhere, and each
// phase folded in a group on GitHub Actions. Driven by the reporter from what the session
// machine announced; its only timer turns the spinner.
import type { ServiceStatus } from '../../machines/service.types.js';
import type { ComposeProgress } from '../compose/compose-progress-reader.js';
import { endGroupLine, groupLine } from './github-actions.js';
import type { LiveRegion } from './live-region.js';
import { ServiceBoard, type BoardRow } from './service-board.js';

/** The phases shown apart (SPEC §5). `wait` goes on with the start's board. */
export type PhaseKind = 'start' | 'wait' | 'diagnostics' | 'teardown';

/** Where the progress goes: a live region, plain lines, or nowhere (`--quiet`). */
export type ProgressStyle = { readonly kind: 'live'; readonly region: LiveRegion } | { readonly kind: 'plain' } | { readonly kind: 'none' };

export interface PhaseDisplayOptions {
  readonly progress: ProgressStyle;
  /** Fold each phase in a GitHub Actions group. */
  readonly groups: boolean;
  /** Writes one raw line (its newline included) to stderr. */
  readonly write: (text: string) => void;
  /** Writes one stagecraft line (prefixed) to stderr. */
  readonly say: (line: string) => void;
  readonly now: () => number;
}

/** `+1.2s`: time since the session began, on plain progress lines. */
function sinceStart(ms: number): string {
  return `+${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

export class PhaseDisplay {
  readonly #o: PhaseDisplayOptions;
  readonly #began: number;
  #board: ServiceBoard | undefined;
  #grouped = false;

  constructor(options: PhaseDisplayOptions) {
    this.#o = options;
    this.#began = options.now();
  }

  /** A phase begins, titled `title` (its group's title); `services` are the start's rows. */
  begin(kind: PhaseKind, title: string, services: readonly string[] = []): void {
    if (kind !== 'wait') this.#closeBoard();
    this.#closeGroup();
    if (this.#o.groups) {
      this.above(() => this.#o.write(groupLine(title)));
      this.#grouped = true;
    }
    if (kind === 'start' || kind === 'teardown') {
      this.#board = new ServiceBoard(this.#o.now(), services);
      if (this.#o.progress.kind === 'live') this.#o.progress.region.show(this.#board);
    }
  }

  /** The phase is over (attached, detached, or the session finished): its summary stays. */
  end(): void {
    this.#closeBoard();
    this.#closeGroup();
  }

  /** A status from the session machine; `said`: the reporter told it already (an exit), no plain line. */
  status(status: ServiceStatus, said = false): void {
    if (this.#board === undefined) return;
    const row = this.#board.status(status, this.#o.now());
    if (said && this.#o.progress.kind === 'plain') return;
    this.#changed(row);
  }

  compose(progress: ComposeProgress): void {
    if (this.#board !== undefined) this.#changed(this.#board.compose(progress, this.#o.now()));
  }

  /** True while a board shows the services (their changes need no other line). */
  showing(): boolean {
    return this.#board !== undefined && this.#o.progress.kind !== 'none';
  }

  /** Writes other output (a stagecraft line, container logs) so the live region stays below it. */
  above(write: () => void): void {
    if (this.#o.progress.kind === 'live') this.#o.progress.region.above(write);
    else write();
  }

  #changed(row: BoardRow | undefined): void {
    if (row === undefined) return;
    const progress = this.#o.progress;
    if (progress.kind === 'live') progress.region.update();
    else if (progress.kind === 'plain') this.#o.say(`${sinceStart(this.#o.now() - this.#began)} ${row.service}: ${row.text}`);
  }

  #closeBoard(): void {
    if (this.#board === undefined) return;
    this.#board = undefined;
    if (this.#o.progress.kind === 'live') this.#o.progress.region.close();
  }

  #closeGroup(): void {
    if (!this.#grouped) return;
    this.above(() => this.#o.write(endGroupLine));
    this.#grouped = false;
  }
}
