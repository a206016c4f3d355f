// The backend and the frontend are generated as services named `backend` and `frontend`.
// When compose.yaml called them otherwise, the other services' references to them by
// name (depends_on, links, network_mode: service:…) must follow, or compose refuses the
// file. Host names need nothing: init keeps the old name as a network alias.
import { isMapping, type Mapping } from '../config/config-values.js';

/** One reference rewritten, for a comment: `ticker: depends_on now names frontend (was web)`. */
export interface Rewrite {
  readonly service: string;
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

type Rename = (name: string) => string;

function renameDependsOn(value: unknown, rename: Rename): unknown {
  if (Array.isArray(value)) return value.map((name) => (typeof name === 'string' ? rename(name) : name));
  return isMapping(value) ? Object.fromEntries(Object.entries(value).map(([name, spec]) => [rename(name), spec])) : value;
}

/** `web` → `frontend:web`, keeping the host name the link gave; `web:alias` → `frontend:alias`. */
function renameLinks(value: unknown, rename: Rename): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((link) => {
    if (typeof link !== 'string') return link;
    const [name = '', alias] = link.split(':');
    return rename(name) === name ? link : `${rename(name)}:${alias ?? name}`;
  });
}

/** `service:web` (network_mode, ipc, pid) → `service:frontend`. */
function renameServiceMode(value: unknown, rename: Rename): unknown {
  return typeof value === 'string' && value.startsWith('service:') ? `service:${rename(value.slice('service:'.length))}` : value;
}

/** `web` or `web:ro` → `frontend…`; `container:…` stays. */
function renameVolumesFrom(value: unknown, rename: Rename): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((entry) => {
    if (typeof entry !== 'string' || entry.startsWith('container:')) return entry;
    const [name = '', ...mode] = entry.split(':');
    return [rename(name), ...mode].join(':');
  });
}

/** `extends: web`, or `extends: { service: web }` without a file (a service of the same file). */
function renameExtends(value: unknown, rename: Rename): unknown {
  if (typeof value === 'string') return rename(value);
  if (isMapping(value) && value['file'] === undefined && typeof value['service'] === 'string') return { ...value, service: rename(value['service']) };
  return value;
}

const referenceKeys: Readonly<Record<string, (value: unknown, rename: Rename) => unknown>> = {
  depends_on: renameDependsOn,
  links: renameLinks,
  network_mode: renameServiceMode,
  ipc: renameServiceMode,
  pid: renameServiceMode,
  volumes_from: renameVolumesFrom,
  extends: renameExtends,
};

/**
 * Every service (keyed by its compose.yaml name still) with its references to the
 * services in `renames` (old name → new) rewritten, and the rewrites made.
 */
export function renameReferences(services: Readonly<Record<string, Mapping>>, renames: ReadonlyMap<string, string>): {
  services: Record<string, Mapping>;
  rewrites: Rewrite[];
} {
  const rewrites: Rewrite[] = [];
  const result: Record<string, Mapping> = {};
  for (const [service, spec] of Object.entries(services)) {
    const copy: Record<string, unknown> = { ...spec };
    for (const [key, rewrite] of Object.entries(referenceKeys)) {
      if (spec[key] === undefined) continue;
      const seen: string[] = [];
      const rename: Rename = (name) => {
        const to = renames.get(name);
        if (to === undefined) return name;
        if (!seen.includes(name)) seen.push(name);
        return to;
      };
      copy[key] = rewrite(spec[key], rename);
      for (const from of seen) rewrites.push({ service, key, from, to: renames.get(from) as string });
    }
    result[service] = copy;
  }
  return { services: result, rewrites };
}
