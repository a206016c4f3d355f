// compose.yaml's `include:` followed offline, as compose-go's loader follows it
// (loader/include.go), so that the plan stays a pure function of the files on disk and
// nothing runs before `up`. Each entry's paths start in the including file's project
// directory; the included file's own includes start in its project directory (its own
// directory, or the entry's `project_directory`). Only services are read: stagecraft reads
// no other path of a service (build contexts, volumes), so nothing else needs resolving.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fsFailure } from '../util/fs-failure.js';
import { inputFailure } from '../util/input-failure.js';
import {
  composeModelOf,
  composeServicesOf,
  parseComposeDocument,
  readComposeName,
  serviceDefinitionsOf,
  type ComposeModel,
} from './compose-model.js';
import { includeEntriesOf, type IncludeEntry } from './include-entries.js';
import { definedIn, importServices, overrideServices, type Defined, type Definitions } from './merge-services.js';

/** A compose file (or a directory), as messages show it (relative to the working dir, as F is) and on disk. */
export interface Located {
  readonly shown: string;
  readonly absolute: string;
}

/** A compose file is read whole; one past this size is a generator gone wrong. */
export const maxComposeFileBytes = 4 * 1024 * 1024;
/** Includes nested deeper than this are refused (a chain this long is a generator gone wrong). */
export const maxIncludeDepth = 16;
/** At most this many files are read through includes, however they nest. */
export const maxIncludedFiles = 256;

/** `compose file X is 5.0 MB, over the 4 MB stagecraft reads; …`, or undefined when it is not too big. */
export function sizeProblem(shown: string, bytes: number): string | undefined {
  if (bytes <= maxComposeFileBytes) return undefined;
  const mb = (bytes / 1024 / 1024).toFixed(1);
  return `compose file ${shown} is ${mb} MB, over the ${maxComposeFileBytes / 1024 / 1024} MB stagecraft reads; check what generated it`;
}

interface Walk {
  /** The files from the root to the one being read: a file met again is a cycle. */
  readonly chain: readonly Located[];
  /** Files read so far, shared by the whole walk. */
  readonly read: { count: number };
}

function locate(dir: Located, written: string): Located {
  if (path.isAbsolute(written)) return { shown: written, absolute: written };
  return { shown: path.posix.normalize(path.posix.join(dir.shown, written)), absolute: path.resolve(dir.absolute, written) };
}

function dirOf(file: Located): Located {
  return { shown: path.posix.dirname(file.shown), absolute: path.dirname(file.absolute) };
}

/** Stats `file` for `where` (an include entry): an `input` failure when it is missing or no regular file. */
async function statIncluded(file: Located, where: string): Promise<number> {
  let info;
  try {
    info = await stat(file.absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw inputFailure(`${where}: ${file.shown} not found; fix the path or add the file`);
    throw fsFailure(error, 'read', file.shown, 'fix the include');
  }
  if (!info.isFile()) throw inputFailure(`${where}: ${file.shown} is not a regular file; fix the path`);
  return info.size;
}

async function readIncluded(file: Located, where: string): Promise<string> {
  const problem = sizeProblem(file.shown, await statIncluded(file, where));
  if (problem !== undefined) throw inputFailure(`${where}: ${problem}`);
  try {
    return await readFile(file.absolute, 'utf8');
  } catch (error) {
    throw fsFailure(error, 'read', file.shown, 'fix the include');
  }
}

/** The services one entry brings in: its first file's, overridden by the later ones'. */
async function entryDefinitions(entry: IncludeEntry, including: Located, dir: Located, walk: Walk): Promise<Definitions> {
  // compose stats each env_file before reading any of the entry's files.
  for (const envFile of entry.envFiles) await statIncluded(locate(dir, envFile), `${including.shown}: include entry ${entry.index}: env_file`);
  const files = entry.paths.map((written) => locate(dir, written));
  const projectDir = entry.projectDirectory === undefined ? dirOf(files[0] as Located) : locate(dir, entry.projectDirectory);
  let merged: Definitions = new Map();
  for (const [i, file] of files.entries()) {
    const where = `${including.shown}: include \`${entry.paths[i]}\``;
    if (walk.chain.some((seen) => seen.absolute === file.absolute)) {
      const cycle = [...walk.chain, file].map((f) => f.shown).join(' → ');
      throw inputFailure(`${where} makes a cycle (${cycle}); remove one of these includes`);
    }
    if (walk.chain.length > maxIncludeDepth) throw inputFailure(`${where}: includes nest more than ${maxIncludeDepth} levels deep; flatten them`);
    walk.read.count += 1;
    if (walk.read.count > maxIncludedFiles) throw inputFailure(`${where}: more than ${maxIncludedFiles} files are included; include fewer`);
    const root = parseComposeDocument(await readIncluded(file, where), file.shown, true);
    const defined = await definitionsOf(root, file, projectDir, { ...walk, chain: [...walk.chain, file] });
    merged = i === 0 ? defined : overrideServices(merged, defined);
  }
  return merged;
}

/** `root`'s own services (read from `file`) and those of its includes, followed from `dir`. */
async function definitionsOf(root: Record<string, unknown>, file: Located, dir: Located, walk: Walk): Promise<Map<string, Defined>> {
  const defined = definedIn(serviceDefinitionsOf(root, file.shown) ?? {}, file.shown);
  for (const entry of includeEntriesOf(root, file.shown)) {
    importServices(defined, await entryDefinitions(entry, file, dir, walk), file.shown);
  }
  return defined;
}

/**
 * The model of compose.yaml's `text` (read from `file`), its `include:` followed: the name
 * is the root file's only (compose ignores an included file's), the services are every
 * file's. Rejects with an `input` failure naming the file and, for an included one, the
 * entry that names it: missing, remote, cyclic, conflicting, or invalid as compose.yaml is.
 */
export async function readComposeModel(text: string, file: Located): Promise<ComposeModel> {
  const root = parseComposeDocument(text, file.shown);
  if (includeEntriesOf(root, file.shown).length === 0) return composeModelOf(root, file.shown);
  const name = readComposeName(root, file.shown);
  const defined = await definitionsOf(root, file, dirOf(file), { chain: [file], read: { count: 0 } });
  if (defined.size === 0) {
    throw inputFailure(`${file.shown} and the files it includes define no service; a dev stack needs at least one service`);
  }
  return { name, services: composeServicesOf(Object.fromEntries([...defined].map(([service, { definition }]) => [service, definition]))) };
}
