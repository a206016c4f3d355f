// A compose service as the `backend:` or `frontend:` section of stagecraft.yml: what the
// section's own fields say exactly goes there, everything else under `compose:` as
// written, so the generated service is the compose service again (plus what stagecraft
// adds: init, expose, its role label, and the alias below).
import { labelMap } from '../config/compose-labels.js';
import { ConfigIssues } from '../config/config-issues.js';
import { isMapping, type Mapping } from '../config/config-values.js';
import { validateAppService } from '../config/validate-app-service.js';
import { traefikRoleLabel } from '../dev-files/compose-model.js';

/** True when the app section's own validator takes `value` as its `field`, exactly as given. */
function fits(field: string, value: unknown): boolean {
  const issues = new ConfigIssues();
  validateAppService({ provider: 'generic', image: 'image', port: 1, [field]: value }, [], issues);
  return issues.list.length === 0;
}

/** `build:` with compose's default context (`.`) written out, as the section's field needs one. */
function withContext(value: unknown): unknown {
  return isMapping(value) && value['context'] === undefined ? { context: '.', ...value } : value;
}

/** `environment:` in list form (`NAME=value`, `NAME`) as a mapping; undefined when a name comes twice. */
function asMapping(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const env: Record<string, unknown> = {};
  for (const item of value) {
    const text = String(item);
    const eq = text.indexOf('=');
    const name = eq === -1 ? text : text.slice(0, eq);
    if (Object.hasOwn(env, name)) return undefined;
    env[name] = eq === -1 ? null : text.slice(eq + 1);
  }
  return env;
}

/** The section field for each compose key, and how compose's other spellings of it are written for the field. */
const fields: ReadonlyArray<readonly [string, string, (value: unknown) => unknown]> = [
  ['image', 'image', (v) => v],
  ['build', 'build', withContext],
  ['command', 'command', (v) => v],
  ['working_dir', 'workdir', (v) => v],
  ['environment', 'env', asMapping],
  ['healthcheck', 'healthcheck', (v) => v],
  ['volumes', 'volumes', (v) => v],
];

/** Labels without stagecraft's role label (the generator sets it), in the form they were written; undefined when none is left. */
function labelsWithoutRole(labels: unknown): unknown {
  const map = labelMap(labels);
  if (!Object.hasOwn(map, traefikRoleLabel)) return labels;
  delete map[traefikRoleLabel];
  if (Object.keys(map).length === 0) return undefined;
  return Array.isArray(labels) ? labels.filter((entry) => String(entry).split('=')[0] !== traefikRoleLabel) : map;
}

/** `networks:` with `alias` added to the project network's aliases (every other network is gone by now). */
function withAlias(networks: unknown, alias: string): Mapping {
  const entry = isMapping(networks) && isMapping(networks['default']) ? networks['default'] : {};
  const aliases = Array.isArray(entry['aliases']) ? entry['aliases'] : [];
  return { default: { ...entry, aliases: aliases.includes(alias) ? aliases : [...aliases, alias] } };
}

/**
 * The app section for compose service `name` (its networks already reduced to the
 * project's own), listening on `port`. When the generated service will have another
 * name (`role`), `name` is kept as a network alias, so the others still reach it by it.
 */
export function appSection(name: string, service: Mapping, port: number, role: string): Record<string, unknown> {
  const section: Record<string, unknown> = { provider: 'generic' };
  const compose: Record<string, unknown> = {};
  const taken = new Set<string>();
  for (const [key, field, spell] of fields) {
    const value = service[key] === undefined || service[key] === null ? undefined : spell(service[key]);
    if (value !== undefined && fits(field, value)) {
      section[field] = value;
      taken.add(key);
    }
    if (field === 'env') section['port'] = port; // the order a hand-written section has
  }
  for (const [key, value] of Object.entries(service)) {
    // `init: true` is what stagecraft gives every app service anyway.
    if (taken.has(key) || value === undefined || (key === 'init' && value === true)) continue;
    const kept = key === 'labels' ? labelsWithoutRole(value) : value;
    if (kept !== undefined) compose[key] = kept;
  }
  // A service on another's network stack (`network_mode`) can have no aliases of its own.
  if (name !== role && service['network_mode'] === undefined) compose['networks'] = withAlias(compose['networks'], name);
  if (Object.keys(compose).length > 0) section['compose'] = compose;
  return section;
}
