// Paths in stagecraft.yml are relative to its own directory; compose resolves the ones
// in compose.yaml relative to the compose file's directory (the dev dir). These pure
// functions rebase the first into the second, given how to get from the dev dir to
// stagecraft.yml's directory (`base`, posix, e.g. `../..`).
import path from 'node:path';

type Mapping = Readonly<Record<string, unknown>>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Compose treats a source starting with `.`, `/` or `~` as a host path; anything else
// before the first `:` is a named volume.
function isHostPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
}

function isRemoteContext(context: string): boolean {
  return context.includes('://') || context.startsWith('git@');
}

/**
 * A path relative to stagecraft.yml's directory, as compose.yaml must spell it
 * (`./x`, `../../x`). Absolute and home (`~`) paths stay as written.
 */
export function rebasePath(base: string, relative: string): string {
  if (relative.startsWith('/') || relative.startsWith('~')) return relative;
  const joined = path.posix.normalize(path.posix.join(base, relative)).replace(/\/$/, '');
  return joined === '.' || joined === '..' || joined.startsWith('../') ? joined : `./${joined}`;
}

/** A short-syntax volume (`./src:/app:ro`) with a relative host path rebased. */
export function rebaseVolume(base: string, volume: string): string {
  const colon = volume.indexOf(':');
  if (colon === -1) return volume;
  const source = volume.slice(0, colon);
  return source.startsWith('.') ? `${rebasePath(base, source)}${volume.slice(colon)}` : volume;
}

/** The named volume a volume entry uses (`data:/var/lib/x` → `data`), if any. */
export function namedVolumeOf(volume: unknown): string | undefined {
  if (typeof volume === 'string') {
    const colon = volume.indexOf(':');
    const source = colon === -1 ? '' : volume.slice(0, colon);
    return source !== '' && !isHostPath(source) ? source : undefined;
  }
  if (isMapping(volume) && (volume['type'] ?? 'volume') === 'volume' && typeof volume['source'] === 'string') {
    return volume['source'] === '' ? undefined : volume['source'];
  }
  return undefined;
}

function rebaseVolumeEntry(base: string, volume: unknown): unknown {
  if (typeof volume === 'string') return rebaseVolume(base, volume);
  if (isMapping(volume) && volume['type'] === 'bind' && typeof volume['source'] === 'string') {
    return { ...volume, source: rebasePath(base, volume['source']) };
  }
  return volume;
}

function rebaseBuild(base: string, build: unknown): unknown {
  if (typeof build === 'string') return isRemoteContext(build) ? build : rebasePath(base, build);
  if (!isMapping(build)) return build;
  const context = typeof build['context'] === 'string' ? build['context'] : '.';
  return { ...build, context: isRemoteContext(context) ? context : rebasePath(base, context) };
}

function rebaseEnvFile(base: string, envFile: unknown): unknown {
  if (typeof envFile === 'string') return rebasePath(base, envFile);
  if (!Array.isArray(envFile)) return envFile;
  return envFile.map((entry: unknown) => {
    if (typeof entry === 'string') return rebasePath(base, entry);
    if (isMapping(entry) && typeof entry['path'] === 'string') return { ...entry, path: rebasePath(base, entry['path']) };
    return entry;
  });
}

/**
 * An extra service as compose.yaml needs it: `build` (its context), `volumes` (bind
 * sources) and `env_file` rebased; everything else as written, in its order.
 */
export function rebaseExtraService(base: string, service: Mapping): Mapping {
  const rebased: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(service)) {
    if (key === 'build') rebased[key] = rebaseBuild(base, value);
    else if (key === 'volumes' && Array.isArray(value)) rebased[key] = value.map((v: unknown) => rebaseVolumeEntry(base, v));
    else if (key === 'env_file') rebased[key] = rebaseEnvFile(base, value);
    else rebased[key] = value;
  }
  return rebased;
}
