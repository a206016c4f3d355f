// Runs the CLI's built bundles (dist/src/**/*.cjs, CommonJS) from V8's code cache.
//
// Most of a `dev` start before `up` is node compiling the bundled code (yaml, execa, xstate,
// the machines: bench/RESULTS.md). Node 20 keeps no compile cache for ES modules (that came
// in 22.1), but a `vm.Script` takes V8's own code cache. So the build writes each bundle
// as CommonJS with its cache beside it (`<bundle>.cache`, written by a training run of the
// built CLI: scripts/train-code-cache.mjs), and this loader compiles each bundle with it.
// A cache V8 refuses (another node, other V8 flags), an older one than its bundle, or none
// at all only costs the compile: the bundle runs the same.
//
// A bundle's `require` of another bundle (a relative path ending in `.cjs`: the lazily loaded
// commands) goes through this loader too, each bundle run once; anything else (node's own
// modules) is node's `require`.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/** The code cache of `bundle`, beside it. */
export const cacheFileOf = (bundle: string): string => `${bundle}.cache`;

/** One compiled bundle, as the build's training and checking runs see it. */
export interface CompiledBundle {
  readonly script: Script;
  /** Where its cache is read from (and where the build's training run writes it). */
  readonly cacheFile: string;
  /** Whether a cache was given to V8 (it was there and not older than its bundle). */
  readonly cacheGiven: boolean;
  readonly cacheRejected: boolean;
}

/**
 * Where every bundle compiled in this process is listed, by path: read by the build's
 * training run (to write the caches) and its check (that V8 took them); nothing else.
 */
export const compiledBundlesKey = Symbol.for('stagecraft.compiledBundles');

function compiledBundles(): Map<string, CompiledBundle> {
  const holder = globalThis as { [compiledBundlesKey]?: Map<string, CompiledBundle> };
  return (holder[compiledBundlesKey] ??= new Map());
}

/** The cache, when there is one no older than the bundle; a cache from before a rebuild is not read. */
function readCache(bundle: string, cache: string): Buffer | undefined {
  try {
    if (statSync(cache).mtimeMs < statSync(bundle).mtimeMs) return undefined;
    return readFileSync(cache);
  } catch {
    return undefined;
  }
}

type Wrapped = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

const isBundlePath = (request: string): boolean => (request.startsWith('./') || request.startsWith('../')) && request.endsWith('.cjs');

const loaded = new Map<string, { exports: unknown }>();

/** Runs `bundle` (an absolute path) once and returns its exports; later calls return the same exports. */
export function loadBundle(bundle: string): unknown {
  const known = loaded.get(bundle);
  if (known !== undefined) return known.exports;
  const source = readFileSync(bundle, 'utf8');
  const cacheFile = cacheFileOf(bundle);
  const cachedData = readCache(bundle, cacheFile);
  // The same wrapper as node's own CommonJS loader; the bundle's line numbers stay its own.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  compiledBundles().set(bundle, { script, cacheFile, cacheGiven: cachedData !== undefined, cacheRejected: script.cachedDataRejected === true });
  const module = { exports: {} as unknown };
  loaded.set(bundle, module);
  const dirname = path.dirname(bundle);
  const nodeRequire = createRequire(bundle);
  const require = Object.assign((request: string): unknown => (isBundlePath(request) ? loadBundle(path.resolve(dirname, request)) : nodeRequire(request)), nodeRequire);
  try {
    (script.runInThisContext() as Wrapped)(module.exports, require, module, bundle, dirname);
  } catch (error) {
    // As node's own loader: a bundle that threw is not taken as loaded.
    loaded.delete(bundle);
    throw error;
  }
  return module.exports;
}
