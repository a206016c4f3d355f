// One line per service while a phase (start, teardown) works: what each service is doing, as
// the session machine reported it (its statuses, from the engine's events) and as compose said
// it while `up` or `down` ran (pulling, building step k/n, stopping, removed). Pure display
// state: it decides nothing about the session, only what each line reads.
import type { ServiceStatus } from '../../machines/service.types.js';
import { describeStep, type ComposeProgress } from '../compose/compose-progress-reader.js';

/** How a row is drawn: still working (a spinner), done, or failed. */
export type RowMood = 'working' | 'done' | 'failed';

export interface BoardRow {
  readonly service: string;
  readonly text: string;
  readonly mood: RowMood;
  /** When the row stopped working (ms, the board's clock), for its elapsed time. */
  readonly settledAt: number | undefined;
}

interface Shown {
  readonly text: string;
  readonly mood: RowMood;
  /** How far along a service's life this is: compose's lines never move a row back. */
  readonly rank: number;
}

function fromStatus(status: ServiceStatus): Shown {
  switch (status.state) {
    case 'pending':
      return { text: 'pending', mood: 'working', rank: 0 };
    case 'created':
      return { text: 'created', mood: 'working', rank: 6 };
    case 'starting':
      return { text: 'waiting for healthy', mood: 'working', rank: 9 };
    case 'running':
      return { text: 'running', mood: 'done', rank: 10 };
    case 'healthy':
      return { text: 'healthy', mood: 'done', rank: 10 };
    case 'unhealthy':
      return { text: 'unhealthy', mood: 'failed', rank: 10 };
    case 'restarting':
      return { text: `restarting (${status.restarts + 1})`, mood: 'working', rank: 10 };
    case 'exited':
      return status.exitCode === 0
        ? { text: 'exited 0', mood: 'done', rank: 10 }
        : { text: `failed: exited ${status.exitCode ?? '?'}`, mood: 'failed', rank: 10 };
    case 'stopping':
      return { text: 'stopping', mood: 'working', rank: 20 };
    case 'stopped':
      return { text: 'stopped', mood: 'done', rank: 21 };
    case 'removed':
      return { text: 'removed', mood: 'done', rank: 23 };
  }
}

/** Longest build step text shown: a RUN line can be a whole script. */
const maxStepChars = 100;

function stepText(progress: ComposeProgress): string {
  if (progress.step === undefined) return '';
  const text = describeStep(progress.step);
  const cut = text.length > maxStepChars ? `${text.slice(0, maxStepChars - 1)}…` : text;
  return progress.step.index === undefined ? `: ${cut}` : ` ${cut}`;
}

function fromCompose(progress: ComposeProgress): Shown {
  const step = stepText(progress);
  switch (progress.activity) {
    case 'pulling':
      return { text: 'pulling', mood: 'working', rank: 1 };
    case 'pulled':
      return { text: 'pulled', mood: 'working', rank: 2 };
    case 'building':
      return { text: `building${step}`, mood: 'working', rank: 3 };
    case 'built':
      return { text: 'built', mood: 'working', rank: 4 };
    case 'build-failed':
      return { text: `build failed at${step}`, mood: 'failed', rank: 4 };
    case 'creating':
    case 'recreating':
      return { text: progress.activity, mood: 'working', rank: 5 };
    case 'created':
      return { text: 'created', mood: 'working', rank: 6 };
    case 'starting':
      return { text: 'starting', mood: 'working', rank: 7 };
    // Without the engine's events (`--detach` alone) compose's word is all there is.
    case 'started':
      return { text: 'started', mood: 'done', rank: 8 };
    case 'waiting':
      return { text: 'waiting for healthy', mood: 'working', rank: 9 };
    case 'healthy':
      return { text: 'healthy', mood: 'done', rank: 10 };
    case 'stopping':
      return { text: 'stopping', mood: 'working', rank: 20 };
    case 'stopped':
      return { text: 'stopped', mood: 'working', rank: 21 };
    case 'removing':
      return { text: 'removing', mood: 'working', rank: 22 };
    case 'removed':
      return { text: 'removed', mood: 'done', rank: 23 };
  }
}

/** The rows of one phase, in the order services first appeared (the plan's, sorted, first). */
export class ServiceBoard {
  readonly #rows = new Map<string, Shown & { settledAt: number | undefined; fromCompose: boolean }>();
  /** When the phase began (ms): each row's elapsed time counts from here. */
  readonly startedAt: number;

  constructor(startedAt: number, services: readonly string[] = []) {
    this.startedAt = startedAt;
    for (const service of services) this.#rows.set(service, { ...fromStatus(pendingOf(service)), settledAt: undefined, fromCompose: false });
  }

  /**
   * A status from the session machine. Its own story may go back (exited, then created again
   * by a restart), but compose's lines and the engine's events race: a status that is behind
   * what compose said last (`created` after compose's `Starting`) is old news. Returns the row
   * if its text changed.
   */
  status(status: ServiceStatus, now: number): BoardRow | undefined {
    return this.#set(status.service, fromStatus(status), now, false);
  }

  /** What compose said: taken unless the row already got further. */
  compose(progress: ComposeProgress, now: number): BoardRow | undefined {
    return this.#set(progress.service, fromCompose(progress), now, true);
  }

  rows(): BoardRow[] {
    return [...this.#rows].map(([service, row]) => ({ service, text: row.text, mood: row.mood, settledAt: row.settledAt }));
  }

  /** Some row is still working: a spinner turns. */
  working(): boolean {
    return [...this.#rows.values()].some((row) => row.mood === 'working');
  }

  #set(service: string, shown: Shown, now: number, fromCompose: boolean): BoardRow | undefined {
    const row = this.#rows.get(service);
    if (row !== undefined && (fromCompose || row.fromCompose) && shown.rank < row.rank) return undefined;
    if (row !== undefined && row.text === shown.text && row.mood === shown.mood) return undefined;
    const settledAt = shown.mood === 'working' ? undefined : (row?.mood === shown.mood ? row.settledAt : undefined) ?? now;
    this.#rows.set(service, { ...shown, settledAt, fromCompose });
    return { service, text: shown.text, mood: shown.mood, settledAt };
  }
}

function pendingOf(service: string): ServiceStatus {
  return { service, state: 'pending', ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: undefined, healthcheck: false };
}

/** `0.4s`, `12.3s`, `2m05s`: a row's elapsed time. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}
