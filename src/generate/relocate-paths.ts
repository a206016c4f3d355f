// Paths in stagecraft.yml are relative to its own directory; compose resolves the ones
// in compose.yaml relative to the compose file's directory (the dev dir). These pure
// functions rebase the first into the second, given how to get from the dev dir to
// stagecraft.yml's directory (`base`, posix, e.g. `../..`).
import path from 'node:path';

type Mapping = Readonly<Record<string, unknown>>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

// What a named volume may be called (Docker's rule: two characters or more); a source with `$` (interpolated,
// e.g. `${PWD}/src`) or a `/` is a host path once compose has expanded it.
const volumeName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The named volume a volume entry uses (`data:/var/lib/x` → `data`), if any. */
export function namedVolumeOf(volume: unknown): string | undefined {
  if (typeof volume === 'string') {
    const colon = volume.indexOf(':');
    const source = colon === -1 ? '' : volume.slice(0, colon);
    return volumeName.test(source) ? source : undefined;
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

function rebaseContext(base: string, context: string): string {
  return isRemoteContext(context) ? context : rebasePath(base, context);
}

function rebaseBuild(base: string, build: unknown): unknown {
  if (typeof build === 'string') return rebaseContext(base, build);
  if (!isMapping(build)) return build;
  const context = typeof build['context'] === 'string' ? build['context'] : '.';
  const rebased: Record<string, unknown> = { ...build, context: rebaseContext(base, context) };
  const extra = build['additional_contexts'];
  if (isMapping(extra)) {
    // `name: ./dir`; other sources (`docker-image://…`, `service:…`, URLs) stay as written.
    rebased['additional_contexts'] = Object.fromEntries(
      Object.entries(extra).map(([name, source]) => [
        name,
        typeof source === 'string' && source.startsWith('.') ? rebasePath(base, source) : source,
      ]),
    );
  }
  return rebased;
}

/** A path, or a list of them (`label_file`). */
function rebasePaths(base: string, value: unknown): unknown {
  if (typeof value === 'string') return rebasePath(base, value);
  if (Array.isArray(value)) return value.map((entry: unknown) => (typeof entry === 'string' ? rebasePath(base, entry) : entry));
  return value;
}

/** `extends: { file: ./common.yml, service: x }`; `extends: x` names a service of the same file. */
function rebaseExtends(base: string, value: unknown): unknown {
  return isMapping(value) && typeof value['file'] === 'string' ? { ...value, file: rebasePath(base, value['file']) } : value;
}

/** `develop.watch[].path`. */
function rebaseDevelop(base: string, value: unknown): unknown {
  if (!isMapping(value) || !Array.isArray(value['watch'])) return value;
  return {
    ...value,
    watch: value['watch'].map((rule: unknown) =>
      isMapping(rule) && typeof rule['path'] === 'string' ? { ...rule, path: rebasePath(base, rule['path']) } : rule,
    ),
  };
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

/** The keys of a service whose paths compose resolves from the compose file's directory. */
const pathKeys: Readonly<Record<string, (base: string, value: unknown) => unknown>> = {
  build: rebaseBuild,
  volumes: (base, value) => (Array.isArray(value) ? value.map((v: unknown) => rebaseVolumeEntry(base, v)) : value),
  env_file: rebaseEnvFile,
  label_file: rebasePaths,
  extends: rebaseExtends,
  develop: rebaseDevelop,
};

/**
 * An extra service as compose.yaml needs it: the paths in `build` (context, additional
 * contexts), `volumes` (bind sources), `env_file`, `label_file`, `extends.file` and
 * `develop.watch` rebased; everything else as written, in its order.
 */
export function rebaseExtraService(base: string, service: Mapping): Mapping {
  const rebased: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(service)) {
    const rebase = Object.hasOwn(pathKeys, key) ? pathKeys[key] : undefined;
    rebased[key] = rebase === undefined ? value : rebase(base, value);
  }
  return rebased;
}
