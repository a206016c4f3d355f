// The one-line top-level entries of stagecraft.yml that validation only names (`k0: 1`, an
// unknown key; `x-note: text`, an extension), set aside before yaml parses the rest. yaml
// builds its syntax tree at about 10 µs a line, so a file of 80,000 unknown keys took 1.5 s
// to parse; its lexer alone takes a tenth of that. The lexer finds the lines here, so block
// scalars, quotes and flow collections are read as yaml reads them. Anything this does not
// understand for certain (a document marker, a directive, a quoted or non-string key, an
// anchor, a repeated key, a line that could be an error) leaves the text whole.
import { CST, Lexer } from 'yaml';

/** The text without the set-aside lines, and how to find an offset of it in the original. */
export interface WithoutSimpleLines {
  readonly text: string;
  /** Each set-aside key (in the order of the text) and the offset of the key in the original text. */
  readonly setAside: ReadonlyMap<string, number>;
  /** The offset in the original text of an offset in `text`. */
  readonly originalOffset: (offset: number) => number;
}

type TokenType = CST.TokenType | 'scalar-source';

/**
 * One line as the lexer sees it (a block or quoted scalar may span more): its tokens but the
 * byte-order mark, as three lists of `count` items. The same object serves every line, so the
 * 80,000 lines of a hostile file cost no garbage: read it only during the call.
 */
interface Line {
  start: number;
  end: number;
  /** Goes on with the entry above: begins inside a flow collection, or is a block scalar's content. */
  continuation: boolean;
  count: number;
  readonly types: TokenType[];
  readonly sources: string[];
  readonly offsets: number[];
}

/** Keys read as plain strings whatever the schema (not `true`, `null`, `1e3`, `<<`). */
const plainStringKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const notStrings = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL']);
/** yaml refuses a plain value starting with one of these (resolve-flow-scalar.js). */
const badValueStart = new Set(['\t', ',', '%', '|', '>', '@', '`']);
/** yaml's bound on an implicit key's length (KEY_OVER_1024_CHARS). */
const maxKeyLength = 1024;
const documentMode = '\u0002';
const flowErrorEnd = '\u0018';

/**
 * Calls `onLine` with each line of `text` as it is lexed (so no more than a line of tokens is
 * held at once); stops when it returns false. False when a line said so or the text is not
 * one plain document (a marker, a directive, a flow collection ended by indentation).
 */
function eachLine(text: string, onLine: (line: Line) => boolean): boolean {
  const line: Line = { start: 0, end: 0, continuation: false, count: 0, types: [], sources: [], offsets: [] };
  let offset = 0;
  let depth = 0;
  let scalarFollows = false;
  let blockScalarFollows = false;
  const endLine = (): boolean => {
    line.end = offset;
    const go = onLine(line);
    line.start = offset;
    line.continuation = depth > 0;
    line.count = 0;
    return go;
  };
  for (const source of new Lexer().lex(text)) {
    if (source === documentMode) continue;
    if (source === flowErrorEnd) return false;
    if (source === CST.SCALAR) {
      scalarFollows = true;
      continue;
    }
    const type: TokenType | null = scalarFollows ? 'scalar-source' : CST.tokenType(source);
    scalarFollows = false;
    if (type === null || type === 'doc-start' || type === 'doc-end' || type === 'directive-line') return false;
    if (type === 'flow-map-start' || type === 'flow-seq-start') depth += 1;
    if (type === 'flow-map-end' || type === 'flow-seq-end') depth -= 1;
    if (type !== 'byte-order-mark') {
      line.types[line.count] = type;
      line.sources[line.count] = source;
      line.offsets[line.count] = offset;
      line.count += 1;
    }
    offset += source.length;
    if (type === 'block-scalar-header') blockScalarFollows = true;
    if (type === 'scalar-source' && blockScalarFollows) {
      // A block scalar's content: its lines and its last newline in one token (empty when it has none).
      blockScalarFollows = false;
      line.continuation = true;
      if ((source === '' || source.endsWith('\n')) && !endLine()) return false;
    } else if (type === 'newline' && !endLine()) {
      return false;
    }
  }
  if (line.count > 0 && !endLine()) return false;
  return offset === text.length;
}

function isBlankOrComment(line: Line): boolean {
  if (line.continuation) return false;
  for (let i = 0; i < line.count; i++) {
    const type = line.types[i];
    if (type !== 'space' && type !== 'comment' && type !== 'newline') return false;
  }
  return true;
}

/** `key:` at the start of a top-level line: the key, or undefined. */
function keyOf({ count, types, sources, offsets }: Line): string | undefined {
  const key = sources[0] ?? '';
  if (count < 2 || types[0] !== 'scalar-source' || !plainStringKey.test(key) || notStrings.has(key)) return undefined;
  const colon = types[1] === 'space' ? 2 : 1;
  if (colon >= count || types[colon] !== 'map-value-ind' || (offsets[colon] as number) - (offsets[0] as number) > maxKeyLength) return undefined;
  return key;
}

/** `key: value # comment` and nothing more on the line, with a value yaml takes as it is. */
function isOneLineEntry({ count, types, sources }: Line): boolean {
  let i = types[1] === 'space' ? 3 : 2;
  if (i < count && types[i] === 'space') i += 1;
  if (i < count && types[i] === 'scalar-source') {
    const value = sources[i] as string;
    if (value.includes('\n') || badValueStart.has(value[0] ?? '')) return false;
    i += 1;
    if (i < count && types[i] === 'space') i += 1;
  }
  if (i < count && types[i] === 'comment') i += 1;
  if (i < count && types[i] === 'newline') i += 1;
  return i === count;
}

/** Maps offsets of the joined pieces back to the text they were cut from. */
function offsetMap(keptStarts: readonly number[], keptOriginals: readonly number[]): (offset: number) => number {
  return (offset) => {
    let low = 0;
    let high = keptStarts.length - 1;
    if (high < 0) return offset;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((keptStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return (keptOriginals[low] as number) + offset - (keptStarts[low] as number);
  };
}

/**
 * `text` without its one-line top-level entries whose key `setAside` accepts, or undefined
 * when there are none or the text is not one plain block mapping of plain keys.
 */
export function withoutSimpleRootLines(text: string, setAside: (key: string) => boolean): WithoutSimpleLines | undefined {
  const aside = new Map<string, number>();
  const kept = new Set<string>();
  // The text without the set-aside lines, in pieces, each with where it starts in the result and in `text`.
  const pieces: string[] = [];
  const keptStarts: number[] = [];
  const keptOriginals: number[] = [];
  let from = 0;
  let length = 0;
  const keep = (to: number): void => {
    if (to <= from) return;
    keptStarts.push(length);
    keptOriginals.push(from);
    pieces.push(text.slice(from, to));
    length += to - from;
  };
  /** The entry being read, while it may be set aside. */
  let candidate: { key: string; offset: number; start: number; end: number } | undefined;
  const flush = (): void => {
    if (candidate === undefined) return;
    aside.set(candidate.key, candidate.offset);
    keep(candidate.start);
    from = candidate.end;
    candidate = undefined;
  };
  const whole = eachLine(text, (line) => {
    if (isBlankOrComment(line)) return true;
    if (line.continuation || line.types[0] === 'space') {
      if (candidate !== undefined) kept.add(candidate.key);
      candidate = undefined; // the entry goes on past its first line
      return aside.size + kept.size > 0; // content before the first key: not a plain block mapping
    }
    const key = keyOf(line);
    // Not a plain key, or a repeated one: yaml says what.
    if (key === undefined || aside.has(key) || kept.has(key) || candidate?.key === key) return false;
    flush();
    if (setAside(key) && isOneLineEntry(line)) candidate = { key, offset: line.offsets[0] as number, start: line.start, end: line.end };
    else kept.add(key);
    return true;
  });
  if (!whole) return undefined;
  flush();
  if (aside.size === 0) return undefined;
  keep(text.length);
  return { text: pieces.join(''), setAside: aside, originalOffset: offsetMap(keptStarts, keptOriginals) };
}
