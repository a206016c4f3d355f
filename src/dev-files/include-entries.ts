// A compose file's top-level `include:` (compose-spec, "include"), read as compose-go's loader
// reads it (loader/include.go): a list whose entries are a path, or a mapping with `path` (a
// path, or the file then files that override it), `project_directory` and `env_file`.
// stagecraft reads the dev files offline and without the environment, so a remote entry (an
// OCI artifact, a git repository) and a path built from variables are refused by name.
import { inputFailure } from '../util/input-failure.js';
import { isPlainObject } from './compose-model.js';

/** One entry of `include:`. */
export interface IncludeEntry {
  /** 1-based, for messages. */
  readonly index: number;
  /** The included file, then the files that override it, as written. */
  readonly paths: readonly [string, ...string[]];
  /** `project_directory`, as written: where the included file's own relative paths start. */
  readonly projectDirectory: string | undefined;
  /** `env_file`, as written (none: compose reads `.env` in the project directory, if any). */
  readonly envFiles: readonly string[];
}

// compose's remote loaders: `oci://…` and anything git parses as a URL (`https://…`,
// `ssh://…`, `git@host:repo`).
const urlScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;
const scpLike = /^[\w.-]+@[\w.-]+:/;

/** `a path` or `a list of paths`, each a non-empty string; undefined for anything else. */
function pathsOf(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.every((item): item is string => typeof item === 'string' && item !== '') ? list : undefined;
}

/** Throws when `path` cannot be read from disk as written; `where` names the entry. */
function checkLocal(path: string, where: string): void {
  if (urlScheme.test(path) || scpLike.test(path)) {
    throw inputFailure(
      `${where} is remote; stagecraft reads the dev files offline and cannot fetch it: copy the file into the dev dir and include it by path`,
    );
  }
  if (path.includes('$')) {
    throw inputFailure(`${where} uses a variable; stagecraft does not interpolate include paths: write the path out`);
  }
}

function entryOf(raw: unknown, index: number, file: string): IncludeEntry {
  const at = `${file}: include entry ${index}`;
  const mapping = typeof raw === 'string' ? { path: raw } : raw;
  if (!isPlainObject(mapping)) throw inputFailure(`${at} must be a path or a mapping with \`path\``);
  const paths = pathsOf(mapping['path']);
  if (paths === undefined) throw inputFailure(`${at}: \`path\` must be a path or a list of paths`);
  const projectDirectory = mapping['project_directory'] ?? undefined;
  if (projectDirectory !== undefined && (typeof projectDirectory !== 'string' || projectDirectory === '')) {
    throw inputFailure(`${at}: \`project_directory\` must be a path`);
  }
  const envFile = mapping['env_file'] ?? undefined;
  const envFiles = envFile === undefined ? [] : pathsOf(envFile);
  if (envFiles === undefined) throw inputFailure(`${at}: \`env_file\` must be a path or a list of paths`);
  for (const path of [...paths, ...(projectDirectory === undefined ? [] : [projectDirectory]), ...envFiles]) {
    checkLocal(path, `${file}: include \`${path}\``);
  }
  return { index, paths: paths as [string, ...string[]], projectDirectory, envFiles };
}

/**
 * The entries of `root`'s `include:` (none when it is absent or null). Throws an `input`
 * failure naming `file` and the entry for a shape compose refuses, a remote entry or a
 * path with a variable.
 */
export function includeEntriesOf(root: Record<string, unknown>, file: string): IncludeEntry[] {
  const include = root['include'];
  if (include === undefined || include === null) return [];
  if (!Array.isArray(include)) throw inputFailure(`${file}: \`include\` must be a list of paths or mappings with \`path\``);
  return include.map((raw, i) => entryOf(raw, i + 1, file));
}
