// What validation finds wrong with stagecraft.yml, as data: the path to the bad key
// and what was expected there. read-config.ts adds the file, line and column.

/** Keys and list indexes from the document root to the value at fault. */
export type ConfigPath = readonly (string | number)[];

/** One problem in stagecraft.yml. */
export interface ConfigIssue {
  readonly path: ConfigPath;
  /** What was expected, and what was found (`expected a port from 1 to 65535, got "http"`). */
  readonly message: string;
}

const simpleKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `backend.env.API_URL`, `services.db.volumes[0]`, `services["my.db"]`; empty for the root. */
export function formatPath(path: ConfigPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (simpleKey.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** A short description of a value found where something else was expected. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return value instanceof Date ? 'a date' : 'a mapping';
    default:
      return typeof value;
  }
}

/** Collects issues in document order of discovery; validation goes on after the first. */
export class ConfigIssues {
  readonly #list: ConfigIssue[] = [];

  /** Records `message` at `path`. */
  add(path: ConfigPath, message: string): void {
    this.#list.push({ path, message });
  }

  /** Records `expected …, got …` at `path`. */
  expected(path: ConfigPath, expected: string, found: unknown): void {
    this.add(path, `expected ${expected}, got ${describeValue(found)}`);
  }

  get list(): readonly ConfigIssue[] {
    return this.#list;
  }
}
