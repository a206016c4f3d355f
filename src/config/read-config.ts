import { readFile, stat } from 'node:fs/promises';
import type { LineCounter } from 'yaml';
import { fsFailure } from '../util/fs-failure.js';
import { inputFailure } from '../util/input-failure.js';
import { maxAliasCount, parseYaml } from '../util/parse-yaml.js';
import { formatPath, type ConfigIssue, type ConfigPath } from './config-issues.js';
import { pathLocator } from './locate-path.js';
import type { StagecraftConfig } from './stagecraft-config.js';
import { validateConfig } from './validate-config.js';

/** A stagecraft.yml past this size is not a hand-written config. */
export const maxConfigFileBytes = 1024 * 1024;

/** Shown at most; the rest are counted. */
const maxIssuesShown = 20;

/**
 * Parses and validates stagecraft.yml text. Pure. Returns the config with its
 * defaults; throws an `input` failure naming `file`, the line and column, the
 * path to each bad key and what was expected there.
 */
export function parseConfig(text: string, file: string): StagecraftConfig {
  const { doc, lineCounter } = parseYaml(text);
  const syntaxError = doc.errors[0];
  if (syntaxError !== undefined) {
    const at = syntaxError.linePos?.[0];
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
  const result = validateConfig(root);
  if (result.ok) return result.config;
  throw inputFailure(formatIssues(result.issues, file, pathLocator(doc), lineCounter));
}

function formatIssues(issues: readonly ConfigIssue[], file: string, offsetOf: (path: ConfigPath) => number | undefined, lineCounter: LineCounter): string {
  // In the order of the text, so the list reads top to bottom like the file.
  const located = issues
    .map((issue, index) => ({ issue, index, offset: offsetOf(issue.path) }))
    .sort((a, b) => (a.offset ?? -1) - (b.offset ?? -1) || a.index - b.index);
  const lines = located.slice(0, maxIssuesShown).map(({ issue, offset }) => {
    const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
    const at = pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
    const where = issue.path.length === 0 ? '' : ` ${formatPath(issue.path)}:`;
    return `${at}:${where} ${issue.message}`;
  });
  if (lines.length === 1) return lines[0] as string;
  const more = issues.length > maxIssuesShown ? [`… and ${issues.length - maxIssuesShown} more`] : [];
  return [`${file} has ${issues.length} problems:`, ...lines, ...more].join('\n  ');
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
