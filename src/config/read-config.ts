import { readFile, stat } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, type Document } from 'yaml';
import { fsFailure } from '../util/fs-failure.js';
import { inputFailure } from '../util/input-failure.js';
import { maxAliasCount, parseYaml } from '../util/parse-yaml.js';
import { formatPath, type ConfigIssue, type ConfigPath } from './config-issues.js';
import { pathLocator } from './locate-path.js';
import { withoutSimpleRootLines, type WithoutSimpleLines } from './simple-root-lines.js';
import type { StagecraftConfig } from './stagecraft-config.js';
import { rootKeys, validateConfig } from './validate-config.js';

/** A stagecraft.yml past this size is not a hand-written config. */
export const maxConfigFileBytes = 1024 * 1024;

/** Shown at most; the rest are counted. */
const maxIssuesShown = 20;

/** Where each problem is: an offset in the text, and the line and column of an offset. */
interface Locator {
  readonly offsetOf: (path: ConfigPath) => number | undefined;
  readonly linePos: (offset: number) => { line: number; col: number };
}

/**
 * Parses and validates stagecraft.yml text. Pure. Returns the config with its
 * defaults; throws an `input` failure naming `file`, the line and column, the
 * path to each bad key and what was expected there. `setAside: false` parses every line
 * (the same answer, slower on a file of many unknown keys; tests compare the two).
 */
export function parseConfig(text: string, file: string, { setAside = true } = {}): StagecraftConfig {
  // One-line top-level entries that can only be unknown keys or extensions are named, not parsed.
  const aside = setAside ? withoutSimpleRootLines(text, (key) => !rootKeys.includes(key)) : undefined;
  const { doc, lineCounter } = parseYaml(aside?.text ?? text);
  const linePos = aside === undefined ? lineCounter.linePos : lineCounterOf(text).linePos;
  const syntaxError = doc.errors[0];
  if (syntaxError !== undefined) {
    const offset = syntaxError.linePos === undefined ? undefined : (aside?.originalOffset(syntaxError.pos[0]) ?? syntaxError.pos[0]);
    const at = offset === undefined ? undefined : linePos(offset);
    const where = at === undefined ? file : `${file}:${at.line}:${at.col}`;
    const message = (syntaxError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw inputFailure(`${where}: not valid YAML: ${message}`);
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount });
  } catch (error) {
    throw inputFailure(`${file}: cannot be loaded: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  // Every entry set aside: what is left is empty, and the mapping is the set-aside keys'.
  if (aside !== undefined && (root === null || root === undefined)) root = {};
  const result = validateConfig(root, aside?.setAside.keys());
  if (result.ok) return result.config;
  const offsetOf = aside === undefined ? pathLocator(doc) : asideLocator(doc, aside);
  throw inputFailure(formatIssues(result.issues, file, { offsetOf, linePos }));
}

/** The line starts of `text`, as yaml's parser records them. */
function lineCounterOf(text: string): LineCounter {
  const counter = new LineCounter();
  counter.addNewLine(0);
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) counter.addNewLine(at + 1);
  return counter;
}

/** pathLocator over the parsed rest, in the original text; the set-aside keys where they were. */
function asideLocator(doc: Document, aside: WithoutSimpleLines): (path: ConfigPath) => number | undefined {
  const locateKept = pathLocator(doc);
  const { setAside } = aside;
  const kept = new Set(isMap(doc.contents) ? doc.contents.items.flatMap((pair) => (isScalar(pair.key) ? [String(pair.key.value)] : [])) : []);
  const keptStart = doc.contents?.range?.[0];
  const firstAside = setAside.values().next().value;
  // The mapping starts at its first key, set aside or not.
  const rootOffset = keptStart === undefined ? firstAside : Math.min(aside.originalOffset(keptStart), firstAside ?? Infinity);
  return (path) => {
    const [first] = path;
    if (first === undefined) return rootOffset;
    if (path.length === 1 && setAside.has(String(first))) return setAside.get(String(first));
    if (!kept.has(String(first))) return rootOffset;
    const offset = locateKept(path);
    return offset === undefined ? rootOffset : aside.originalOffset(offset);
  };
}

function formatIssues(issues: readonly ConfigIssue[], file: string, { offsetOf, linePos }: Locator): string {
  // In the order of the text, so the list reads top to bottom like the file.
  const lines = firstInText(issues, offsetOf, maxIssuesShown).map(({ issue, offset }) => {
    const pos = offset === undefined ? undefined : linePos(offset);
    const at = pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
    const where = issue.path.length === 0 ? '' : ` ${formatPath(issue.path)}:`;
    return `${at}:${where} ${issue.message}`;
  });
  if (lines.length === 1) return lines[0] as string;
  const more = issues.length > maxIssuesShown ? [`… and ${issues.length - maxIssuesShown} more`] : [];
  return [`${file} has ${issues.length} problems:`, ...lines, ...more].join('\n  ');
}

interface Located {
  readonly issue: ConfigIssue;
  readonly offset: number | undefined;
}

/**
 * The `count` first issues by offset (unlocated first), then in the order found: one pass
 * that keeps only those, so 80,000 issues are neither sorted nor copied.
 */
function firstInText(issues: readonly ConfigIssue[], offsetOf: (path: ConfigPath) => number | undefined, count: number): Located[] {
  const first: Located[] = [];
  for (const issue of issues) {
    const offset = offsetOf(issue.path);
    const key = offset ?? -1;
    const last = first[first.length - 1];
    if (first.length === count && last !== undefined && key >= (last.offset ?? -1)) continue;
    let at = first.length;
    while (at > 0 && key < ((first[at - 1] as Located).offset ?? -1)) at -= 1;
    first.splice(at, 0, { issue, offset });
    if (first.length > count) first.pop();
  }
  return first;
}

/**
 * Reads and validates the config at `absolutePath`; `file` is how messages name it.
 * Resolves with undefined when there is no such file; rejects with an `input`
 * failure when it cannot be read or is not a valid config.
 */
export async function readConfig(absolutePath: string, file: string): Promise<StagecraftConfig | undefined> {
  try {
    const info = await stat(absolutePath);
    if (!info.isFile()) throw inputFailure(`config ${file} is not a regular file; pass a stagecraft.yml with --config`);
    if (info.size > maxConfigFileBytes) {
      throw inputFailure(`config ${file} is over ${maxConfigFileBytes / 1024 / 1024} MB; is it the right file?`);
    }
    return parseConfig(await readFile(absolutePath, 'utf8'), file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fsFailure(error, 'read', file, 'pass another --config');
  }
}
