// `logs --follow --timestamps` output as compose 2.26 writes it: an erase-line escape,
// the (maybe coloured) `<container>  | ` prefix, the engine's RFC 3339 time, the text.
// The time is cut from what is shown and kept per container for a re-attach.
import { LogCursorTracker, timeKey } from '../../src/compose/log-cursor.js';

const erase = '\u001b[2K';
/** A coloured line: `ESC[2K ESC[36m a-1  | ESC[0m <time> <text>`. */
const coloured = (container: string, time: string, text: string, colour = 36) =>
  `${erase}\u001b[${colour}m${container}  | \u001b[0m${time} ${text}\n`;
/** An uncoloured line (NO_COLOR, or not a terminal): `ESC[2K a-1  | <time> <text>`. */
const plain = (container: string, time: string, text: string) => `${erase}${container}  | ${time} ${text}\n`;
const shownColoured = (container: string, text: string, colour = 36) =>
  `${erase}\u001b[${colour}m${container}  | \u001b[0m${text}\n`;
const shownPlain = (container: string, text: string) => `${erase}${container}  | ${text}\n`;

const T = (seconds: string) => `2026-12-01T15:24:${seconds}Z`;

describe('timeKey', () => {
  it.each([
    ['2026-12-01T15:24:10.375866389Z', '2026-12-01T15:24:10.375866389Z'],
    ['2026-12-01T15:24:10.3758Z', '2026-12-01T15:24:10.375800000Z'],
    ['2026-12-01T15:24:10.4Z', '2026-12-01T15:24:10.400000000Z'],
    ['2026-12-01T15:24:10Z', '2026-12-01T15:24:10.000000000Z'],
  ])('%s → %s', (time, key) => {
    expect(timeKey(time)).toBe(key);
  });

  it('leaves a time with an offset as it is', () => {
    expect(timeKey('2026-12-01T16:24:10.4+01:00')).toBe('2026-12-01T16:24:10.4+01:00');
  });

  it('orders times with fewer than nine fraction digits as times, not as text', () => {
    // As text, `10.4Z` sorts after `10.40001Z` ('Z' > '0') and `10Z` after `10.000001Z`.
    expect(T('10.4') > T('10.40001')).toBe(true);
    expect(timeKey(T('10.4')) < timeKey(T('10.40001'))).toBe(true);
    expect(T('10') > T('10.000001')).toBe(true);
    expect(timeKey(T('10')) < timeKey(T('10.000001'))).toBe(true);
    expect(timeKey(T('10.5')) === timeKey(T('10.500000000'))).toBe(true);
  });
});

describe('LogCursorTracker.show: times cut from what is shown', () => {
  it('a coloured line keeps its erase-line, colours and prefix, without the time', () => {
    const tracker = new LogCursorTracker(undefined);
    expect(tracker.show(`${erase}\u001b[36ma-1  | \u001b[0m2026-12-01T15:24:10.375866389Z one\n`)).toBe(
      `${erase}\u001b[36ma-1  | \u001b[0mone\n`,
    );
  });

  it('an uncoloured line likewise', () => {
    const tracker = new LogCursorTracker(undefined);
    expect(tracker.show(`${erase}a-1  | 2026-12-01T15:24:10.375866389Z one\n`)).toBe(`${erase}a-1  | one\n`);
  });

  it('cuts every line of a chunk, of several containers, keeping the order', () => {
    const tracker = new LogCursorTracker(undefined);
    const chunk =
      coloured('web-1', T('10.1'), 'GET / 200') +
      coloured('db-1 ', T('10.2'), 'ready to accept connections', 33) +
      plain('worker-1', T('10.3'), 'tick') +
      coloured('web-1', T('10.4'), 'GET /health 200');
    expect(tracker.show(chunk)).toBe(
      shownColoured('web-1', 'GET / 200') +
        shownColoured('db-1 ', 'ready to accept connections', 33) +
        shownPlain('worker-1', 'tick') +
        shownColoured('web-1', 'GET /health 200'),
    );
  });

  it('keeps the text after the time as it is: a later time, a pipe, spaces', () => {
    const tracker = new LogCursorTracker(undefined);
    expect(tracker.show(plain('a-1', T('10.1'), `at ${T('09.0')} | x  y`))).toBe(shownPlain('a-1', `at ${T('09.0')} | x  y`));
  });

  it('passes lines without a time unchanged (compose says `a-1 exited with code 0`)', () => {
    const tracker = new LogCursorTracker(undefined);
    const text = `a-1 exited with code 0\n${erase}a-1  | not a time here\n`;
    expect(tracker.show(text)).toBe(text);
    expect(tracker.cursor()).toBeUndefined();
  });
});

describe('LogCursorTracker.cursor', () => {
  /** A floor after every line below: `since` is then the earliest container's last line. */
  const late = T('59');

  it('is undefined before any line', () => {
    expect(new LogCursorTracker(undefined).cursor()).toBeUndefined();
  });

  it("keeps each container's last time; `since` is the earliest of them", () => {
    const tracker = new LogCursorTracker(undefined, late);
    tracker.show(plain('a-1', T('10.1'), 'one') + plain('b-1', T('10.2'), 'two') + plain('a-1', T('10.9'), 'three'));
    expect(tracker.cursor()).toStrictEqual({ since: T('10.2'), seen: { 'a-1': T('10.9'), 'b-1': T('10.2') } });
  });

  it('with no floor there is no `since` (the whole log again), only the times shown', () => {
    const tracker = new LogCursorTracker(undefined);
    tracker.show(plain('a-1', T('10.1'), 'one') + plain('b-1', T('10.2'), 'two') + plain('a-1', T('10.9'), 'three'));
    expect(tracker.cursor()).toStrictEqual({ since: undefined, seen: { 'a-1': T('10.9'), 'b-1': T('10.2') } });
  });

  it('compares times with fewer fraction digits correctly', () => {
    const tracker = new LogCursorTracker(undefined, late);
    // b-1's 10.4 is before a-1's 10.40001, though it sorts after it as text.
    tracker.show(plain('a-1', T('10.40001'), 'a') + plain('b-1', T('10.4'), 'b'));
    expect(tracker.cursor()?.since).toBe(T('10.4'));
    const other = new LogCursorTracker(undefined, late);
    other.show(plain('a-1', T('10.000001'), 'a') + plain('b-1', T('10'), 'b'));
    expect(other.cursor()?.since).toBe(T('10'));
  });

  it('reads the container name from a coloured prefix too', () => {
    const tracker = new LogCursorTracker(undefined, late);
    tracker.show(coloured('web-1', T('10.1'), 'x') + coloured('db-1 ', T('10.2'), 'y', 33));
    expect(tracker.cursor()).toStrictEqual({ since: T('10.1'), seen: { 'web-1': T('10.1'), 'db-1': T('10.2') } });
  });
});

describe('LogCursorTracker: a re-attach drops exactly the lines already shown', () => {
  /** The first stream: a-1 up to 10.5, b-1 up to 10.2 shown. */
  function firstStream() {
    const tracker = new LogCursorTracker(undefined);
    tracker.show(plain('a-1', T('10.1'), 'a one') + plain('b-1', T('10.2'), 'b one') + plain('a-1', T('10.5'), 'a two'));
    return tracker;
  }

  it('a new tracker from the cursor drops each container line at or before its own last time', () => {
    const cursor = firstStream().cursor();
    expect(cursor).toStrictEqual({ since: undefined, seen: { 'a-1': T('10.5'), 'b-1': T('10.2') } });
    const next = new LogCursorTracker(cursor);
    // No floor, no `--since`: `logs` repeats the whole log, and brings what is new.
    const replay =
      plain('a-1', T('10.1'), 'a one') +
      plain('b-1', T('10.2'), 'b one') +
      plain('a-1', T('10.5'), 'a two') +
      plain('b-1', T('10.3'), 'b two') +
      plain('a-1', T('10.6'), 'a three');
    expect(next.show(replay)).toBe(shownPlain('b-1', 'b two') + shownPlain('a-1', 'a three'));
    expect(next.cursor()).toStrictEqual({ since: undefined, seen: { 'a-1': T('10.6'), 'b-1': T('10.3') } });
  });

  it('a line after the since time but already shown for its container is dropped (a-1 at 10.3 < 10.5)', () => {
    const next = new LogCursorTracker(firstStream().cursor());
    expect(next.show(plain('a-1', T('10.3'), 'a between') + plain('b-1', T('10.3'), 'b new'))).toBe(
      shownPlain('b-1', 'b new'),
    );
  });

  it('compares by time, not text: 10.5 shown means 10.500000001 is new and 10.50 is not', () => {
    const next = new LogCursorTracker(firstStream().cursor());
    expect(next.show(plain('a-1', T('10.50'), 'same time') + plain('a-1', T('10.500000001'), 'later'))).toBe(
      shownPlain('a-1', 'later'),
    );
    const short = new LogCursorTracker({ since: T('10'), seen: { 'a-1': T('10') } });
    expect(short.show(plain('a-1', T('10.000000000'), 'same') + plain('a-1', T('10.000001'), 'later'))).toBe(
      shownPlain('a-1', 'later'),
    );
  });

  it("a container the first stream never showed keeps every line (a new one's, from --since)", () => {
    const next = new LogCursorTracker(firstStream().cursor());
    expect(next.show(plain('c-1', T('10.2'), 'c first'))).toBe(shownPlain('c-1', 'c first'));
  });

  it('drops coloured lines as well, leaving no trace of them', () => {
    const tracker = new LogCursorTracker(undefined);
    tracker.show(coloured('web-1', T('10.1'), 'x'));
    const next = new LogCursorTracker(tracker.cursor());
    expect(next.show(coloured('web-1', T('10.1'), 'x') + coloured('web-1', T('10.2'), 'y'))).toBe(shownColoured('web-1', 'y'));
    expect(next.show(coloured('web-1', T('10.1'), 'x'))).toBe('');
  });

  it('drops a last line that has no newline yet', () => {
    const next = new LogCursorTracker(firstStream().cursor());
    expect(next.show(`${plain('b-1', T('10.3'), 'new')}${erase}a-1  | ${T('10.5')} a two`)).toBe(shownPlain('b-1', 'new'));
  });

  it('the same tracker across streams drops what the next stream repeats', () => {
    const tracker = firstStream();
    tracker.show(plain('b-1', T('10.3'), 'b two'));
    expect(tracker.cursor()).toStrictEqual({ since: undefined, seen: { 'a-1': T('10.5'), 'b-1': T('10.3') } });
    expect(
      tracker.show(plain('b-1', T('10.3'), 'b two') + plain('a-1', T('10.5'), 'a two') + plain('a-1', T('10.7'), 'a three')),
    ).toBe(shownPlain('a-1', 'a three'));
  });

  it("within one stream too, a line no newer than its container's last is dropped (the engine repeats lines across a restart)", () => {
    const tracker = firstStream();
    expect(tracker.show(plain('a-1', T('10.5'), 'a two') + plain('a-1', T('10.1'), 'a one') + plain('b-1', T('10.6'), 'b new'))).toBe(
      shownPlain('b-1', 'b new'),
    );
  });
});

describe('LogCursorTracker: the floor (the engine time of the session\'s first event)', () => {
  it('bounds `since`: a container not seen yet may have lines from any time since the session began', () => {
    const tracker = new LogCursorTracker(undefined, T('05.25'));
    tracker.show(plain('a-1', T('10.1'), 'one'));
    expect(tracker.cursor()).toStrictEqual({ since: T('05.25'), seen: { 'a-1': T('10.1') } });
  });

  it('a later floor does not move `since` past a container\'s last line', () => {
    const tracker = new LogCursorTracker(undefined, T('30'));
    tracker.show(plain('a-1', T('10.1'), 'one'));
    expect(tracker.cursor()?.since).toBe(T('10.1'));
  });

  it('compares the floor as a time: 10 is before 10.000001', () => {
    const tracker = new LogCursorTracker(undefined, T('10'));
    tracker.show(plain('a-1', T('10.000001'), 'one'));
    expect(tracker.cursor()?.since).toBe(T('10'));
  });

  it('before any line there is no cursor, floor or not (the next stream shows all again)', () => {
    expect(new LogCursorTracker(undefined, T('05')).cursor()).toBeUndefined();
  });

  it('a tracker from a cursor with a since but no floor of its own has no since: the floor is not in the cursor', () => {
    const tracker = new LogCursorTracker({ since: T('10.2'), seen: { 'a-1': T('10.5'), 'b-1': T('10.2') } });
    expect(tracker.cursor()).toStrictEqual({ since: undefined, seen: { 'a-1': T('10.5'), 'b-1': T('10.2') } });
  });

  it('a tracker from a cursor keeps its floor', () => {
    const tracker = new LogCursorTracker({ since: T('10.2'), seen: { 'a-1': T('10.5'), 'b-1': T('10.2') } }, T('01'));
    expect(tracker.cursor()).toStrictEqual({ since: T('01'), seen: { 'a-1': T('10.5'), 'b-1': T('10.2') } });
  });
});
