// `logs --follow --timestamps` output → the lines the user sees, and where the stream got to.
// compose prints `<prefix> | <engine time> <text>` (the prefix coloured, maybe); the engine's
// time is cut out of what is shown and kept per container, so a stream that compose ends
// while services still run is followed again `--since` that time: no line lost, none repeated.
import type { LogCursor } from '../../machines/dev-session.types.js';

// `web-1  | 2026-12-01T15:24:10.375866389Z text`; colours around the prefix and a leading
// erase-line (ESC[2K) are kept as compose wrote them.
const stamped = /^(.*? \| (?:\x1b\[0m)?)(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) /gm;
const ansi = /\x1b\[[0-9;]*[A-Za-z]/g;

/** RFC 3339 times compare as text once the fraction has all nine digits (`Z` times only). */
export function timeKey(time: string): string {
  // The engine's usual form (nine digits, Z) is its own key: no regex on each line.
  if (time.length === 30 && time.charCodeAt(29) === 90 && time.charCodeAt(19) === 46) return time;
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(time);
  if (match === null) return time;
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}Z`;
}

function containerOf(prefix: string): string {
  return prefix.replace(ansi, '').replace(/\|\s*$/, '').trim();
}

/** Prefixes seen by `containerOf`: a stream has one per container, so each is worked out once. */
const maxCachedPrefixes = 1024;

/**
 * Follows a container log stream, and the streams that re-attach after it (one at a time):
 * `show(text)` cuts the engine times out of whole lines and drops every line no newer than
 * the last one shown of its container. That is a line an earlier stream showed, or one the
 * engine sent twice (its `logs --follow` repeats lines across a container's restart).
 */
export class LogCursorTracker {
  /** Each container's last line time shown, as the engine wrote it. */
  readonly #seen = new Map<string, string>();
  /** The same, as comparable keys. */
  readonly #seenKey = new Map<string, string>();
  /** Each raw prefix's container (a cache: the same few prefixes start every line). */
  readonly #containers = new Map<string, string>();
  /** No container's unseen lines are older than this (the engine's first event of the session). */
  readonly #floor: string | undefined;

  constructor(resumeFrom: LogCursor | undefined, floor?: string) {
    this.#floor = floor;
    for (const [container, time] of Object.entries(resumeFrom?.seen ?? {})) this.#see(container, time);
  }

  #containerOf(prefix: string): string {
    let container = this.#containers.get(prefix);
    if (container === undefined) {
      if (this.#containers.size >= maxCachedPrefixes) this.#containers.clear();
      container = containerOf(prefix);
      this.#containers.set(prefix, container);
    }
    return container;
  }

  #see(container: string, time: string): void {
    this.#seen.set(container, time);
    this.#seenKey.set(container, timeKey(time));
  }

  /** The text to show for `text` (whole lines). */
  show(text: string): string {
    let dropping = false;
    const shown = text.replace(stamped, (_line, prefix: string, time: string) => {
      const container = this.#containerOf(prefix);
      const key = timeKey(time);
      const shownUpTo = this.#seenKey.get(container);
      if (shownUpTo !== undefined && key <= shownUpTo) {
        dropping = true;
        return dropMarker;
      }
      this.#seen.set(container, time);
      this.#seenKey.set(container, key);
      return prefix;
    });
    return dropping ? shown.replace(dropped, '') : shown;
  }

  /**
   * Where the stream got to: `since` is the earliest of each container's last line and the
   * floor, because a container not seen yet may have lines from any time since it started;
   * with no floor, there is no `since` (the whole log again, the lines shown dropped).
   * Undefined before any line.
   */
  cursor(): LogCursor | undefined {
    if (this.#seen.size === 0) return undefined;
    const seen = Object.fromEntries(this.#seen);
    if (this.#floor === undefined) return { since: undefined, seen };
    const since = [...this.#seen.values(), this.#floor].reduce((a, b) => (timeKey(a) <= timeKey(b) ? a : b));
    return { since, seen };
  }
}

// A line already shown is marked while the times are cut, then removed whole.
const dropMarker = '\u0000drop\u0000';
const dropped = /^\u0000drop\u0000.*(?:\n|$)/gm;
