// Small readers for the values of stagecraft.yml. Each knows what it expects, records
// an issue when the value is something else, and returns undefined then.
import type { ConfigIssues, ConfigPath } from './config-issues.js';

/** A parsed YAML mapping. */
export type Mapping = Readonly<Record<string, unknown>>;

/** Reads one value at `path`; undefined (with an issue recorded) when it is not what it expects. */
export interface Reader<T> {
  /** What the value should be, for messages: `a port from 1 to 65535`. */
  readonly expected: string;
  read(value: unknown, path: ConfigPath, issues: ConfigIssues): T | undefined;
}

/** A YAML mapping (not a list, null or date). */
export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A reader from a check: `accept` returns the value to keep, or undefined to reject it. */
export function reader<T>(expected: string, accept: (value: unknown) => T | undefined): Reader<T> {
  return {
    expected,
    read(value, path, issues) {
      const accepted = accept(value);
      if (accepted === undefined) issues.expected(path, expected, value);
      return accepted;
    },
  };
}

/** `mapping[key]`, read when present; an empty value (`key:`) counts as absent. */
export function optional<T>(mapping: Mapping, key: string, path: ConfigPath, issues: ConfigIssues, read: Reader<T>): T | undefined {
  const value = mapping[key];
  return value === undefined || value === null ? undefined : read.read(value, [...path, key], issues);
}

/** `mapping[key]`, which must be there. */
export function required<T>(mapping: Mapping, key: string, path: ConfigPath, issues: ConfigIssues, read: Reader<T>): T | undefined {
  const value = mapping[key];
  if (value === undefined || value === null) {
    issues.add([...path, key], `missing; expected ${read.expected}`);
    return undefined;
  }
  return read.read(value, [...path, key], issues);
}

/**
 * A mapping whose keys are all in `allowed`. Unknown keys (typos, most often) are
 * issues of their own; the mapping is still returned so its known keys get checked.
 */
export function readMapping(value: unknown, path: ConfigPath, issues: ConfigIssues, allowed: readonly string[]): Mapping | undefined {
  if (!isMapping(value)) {
    issues.expected(path, `a mapping with keys ${allowed.join(', ')}`, value);
    return undefined;
  }
  unknownKeys(Object.keys(value), path, issues, allowed);
  return value;
}

/** An issue for each of `keys` (of the mapping at `path`) not in `allowed`. */
export function unknownKeys(keys: Iterable<string>, path: ConfigPath, issues: ConfigIssues, allowed: readonly string[]): void {
  const message = `unknown key; expected one of ${allowed.join(', ')}`;
  for (const key of keys) if (!allowed.includes(key)) issues.add([...path, key], message);
}

/** A string with something in it besides spaces. */
export const nonEmptyString = reader('a non-empty string', (v) => (typeof v === 'string' && v.trim() !== '' ? v : undefined));

/** A TCP port number. */
export const port = reader('a port from 1 to 65535', (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535 ? v : undefined,
);

/** A count, such as healthcheck retries. */
export const count = reader('a whole number, 0 or more', (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined,
);

/** `true` or `false` (YAML 1.2: not `yes`/`no`). */
export const boolean = reader('true or false', (v) => (typeof v === 'boolean' ? v : undefined));

// Compose reads durations as Go does: a sequence of number+unit.
const durationPattern = /^(\d+(\.\d+)?(us|ms|s|m|h))+$/;

/** A compose duration: `1s`, `500ms`, `1m30s`. */
export const duration = reader('a duration such as 1s, 500ms or 1m30s', (v) =>
  typeof v === 'string' && durationPattern.test(v) ? v : undefined,
);

const labelPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS host name in lower case, for `Host()` rules. */
export const hostname = reader('a host name such as app.localdev.test', (v) =>
  typeof v === 'string' && v.length <= 253 && v.split('.').every((label) => labelPattern.test(label)) ? v : undefined,
);

const stringListReader = reader('a list of strings', (v) =>
  Array.isArray(v) && v.every((item) => typeof item === 'string') ? (v as string[]) : undefined,
);

/** A non-empty list of strings. */
export const stringList: Reader<readonly string[]> = {
  expected: 'a non-empty list of strings',
  read(value, path, issues) {
    const list = stringListReader.read(value, path, issues);
    if (list !== undefined && list.length === 0) issues.add(path, 'expected a non-empty list of strings, got an empty list');
    return list === undefined || list.length === 0 ? undefined : list;
  },
};

/** A command: one string (run by the image's shell form) or a list of strings (exec form). */
export const command: Reader<string | readonly string[]> = {
  expected: 'a string or a list of strings',
  read(value, path, issues) {
    if (typeof value === 'string') return nonEmptyString.read(value, path, issues);
    if (Array.isArray(value)) return stringList.read(value, path, issues);
    issues.expected(path, 'a string or a list of strings', value);
    return undefined;
  },
};

const envName = /^[^=\s]+$/;

/** Environment variables: a mapping of names to strings, numbers or booleans (kept as text), or nothing (from compose's environment). */
export const environment: Reader<Readonly<Record<string, string | null>>> = {
  expected: 'a mapping of variable names to values',
  read(value, path, issues) {
    if (!isMapping(value)) {
      issues.expected(path, 'a mapping of variable names to values', value);
      return undefined;
    }
    const env: Record<string, string | null> = {};
    for (const [name, raw] of Object.entries(value)) {
      if (!envName.test(name)) issues.add([...path, name], 'expected a variable name without spaces or "="');
      else if (raw === null) env[name] = null;
      else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') env[name] = String(raw);
      else issues.expected([...path, name], 'a string, a number, true, false or nothing', raw);
    }
    return env;
  },
};
