import { projectNamePattern } from '../plan/check-flags.js';

/**
 * The project name compose gives a directory: lower case, only `a-z 0-9 _ -`, starting
 * with a letter or digit (compose-go's NormalizeProjectName). `app` when nothing is left.
 */
export function projectNameFor(directoryName: string): string {
  const name = directoryName.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
  return name === '' ? 'app' : name;
}

/** compose.yaml's own `name:` when stagecraft can take it as it is; undefined otherwise (absent, interpolated, invalid). */
export function composeProjectName(name: unknown): string | undefined {
  return typeof name === 'string' && projectNamePattern.test(name) ? name : undefined;
}
