import type { RestartPolicy } from '../../machines/service.types.js';
import { inputFailure } from '../util/input-failure.js';
import { maxAliasCount, parseYaml } from '../util/parse-yaml.js';

/** One service of compose.yaml, as far as stagecraft cares. */
export interface ComposeService {
  readonly name: string;
  /** Named `traefik` or labelled `dev.stagecraft.role: traefik` (SPEC §3). */
  readonly traefik: boolean;
  /** Has `profiles`: compose does not start it unless one of them is active. */
  readonly profiled: boolean;
  /** Its `profiles`, as written (absent: none named). */
  readonly profiles?: readonly string[];
  /** `image:`, when given (services that only `build:` have none). */
  readonly image: string | undefined;
  /** A `healthcheck:` that is not disabled: ready means healthy. */
  readonly healthcheck: boolean;
  /** `restart:`, else `deploy.restart_policy`, else `no`. */
  readonly restart: RestartPolicy;
  /** `deploy.replicas: 0` (or `scale: 0`): compose creates no container for it. */
  readonly noReplicas: boolean;
  /** `stop_grace_period` in whole seconds, rounded up; undefined when not given (compose's default is 10 s). */
  readonly stopGraceSeconds: number | undefined;
}

/** What stagecraft reads from compose.yaml: the project name and the services. */
export interface ComposeModel {
  readonly name: string | undefined;
  /** Sorted by name. */
  readonly services: readonly ComposeService[];
}

export const traefikRoleLabel = 'dev.stagecraft.role';

/** Compose's rule for service names (compose-spec's schema: `services` patternProperties). */
export const composeServiceNamePattern = /^[a-zA-Z0-9._-]+$/;

/** One service's definition as a compose file writes it (a mapping; `api:` alone reads as `{}`). */
export type ServiceDefinition = Readonly<Record<string, unknown>>;

/**
 * Parses compose.yaml text. Returns the model; throws an `input` failure that
 * names `file` and what is wrong with it. Its `include:` is not followed here:
 * readComposeModel does that (src/dev-files/compose-includes.ts).
 */
export function parseComposeModel(text: string, file: string): ComposeModel {
  return composeModelOf(parseComposeDocument(text, file), file);
}

/** The model of one compose file's top-level mapping (its `include:` not followed). */
export function composeModelOf(root: Record<string, unknown>, file: string): ComposeModel {
  const name = readComposeName(root, file);
  const definitions = serviceDefinitionsOf(root, file);
  if (definitions === undefined) throw inputFailure(`${file} has no \`services\`; a dev stack needs at least one service`);
  if (Object.keys(definitions).length === 0) {
    throw inputFailure(`${file}: \`services\` is empty; a dev stack needs at least one service`);
  }
  return { name, services: composeServicesOf(definitions) };
}

/**
 * A compose file's text → its top-level mapping; throws an `input` failure naming `file`.
 * `emptyAllowed`: an empty file (or one of comments only) is an empty mapping, as compose
 * reads an included file.
 */
export function parseComposeDocument(text: string, file: string, emptyAllowed = false): Record<string, unknown> {
  const { doc } = parseYaml(text);
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    throw inputFailure(`${file} is not valid YAML: ${firstLine(firstError.message)}; fix the file or generate the dev files again`);
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount });
  } catch (error) {
    throw inputFailure(`${file} cannot be loaded: ${firstLine((error as Error).message)}; fix the file`);
  }
  if (emptyAllowed && (root === null || root === undefined)) return {};
  if (!isPlainObject(root)) {
    throw inputFailure(`${file} must be a YAML mapping with a top-level \`services\` key; generate the dev files again`);
  }
  return root;
}

/** The top-level `name`; undefined when not given. Throws an `input` failure when it is not a string. */
export function readComposeName(root: Record<string, unknown>, file: string): string | undefined {
  const name = root['name'];
  if (name === undefined || name === null) return undefined;
  if (typeof name !== 'string') throw inputFailure(`${file}: top-level \`name\` must be a string`);
  return name;
}

/**
 * The file's own `services`, checked (a mapping of names compose accepts, each a mapping);
 * undefined when the key is absent or null. Throws an `input` failure naming `file`.
 */
export function serviceDefinitionsOf(root: Record<string, unknown>, file: string): Record<string, ServiceDefinition> | undefined {
  const services = root['services'];
  if (services === undefined || services === null) return undefined;
  if (!isPlainObject(services)) throw inputFailure(`${file}: \`services\` must be a mapping of service names`);
  const names = Object.keys(services).sort();
  const invalid = names.find((name) => !composeServiceNamePattern.test(name));
  if (invalid !== undefined) {
    throw inputFailure(
      `${file}: service name ${JSON.stringify(invalid)} is not one compose accepts (letters, digits, "_", "." and "-" only); rename the service`,
    );
  }
  return Object.fromEntries(
    names.map((name) => {
      const service = services[name] ?? {};
      if (!isPlainObject(service)) throw inputFailure(`${file}: service \`${name}\` must be a mapping`);
      return [name, service];
    }),
  );
}

/** What stagecraft reads of each definition, sorted by name. */
export function composeServicesOf(definitions: Readonly<Record<string, ServiceDefinition>>): ComposeService[] {
  return Object.keys(definitions)
    .sort()
    .map((name) => composeServiceOf(name, definitions[name] ?? {}));
}

function composeServiceOf(name: string, service: ServiceDefinition): ComposeService {
  const profiles = Array.isArray(service['profiles']) ? service['profiles'].map(String) : [];
  return {
    name,
    traefik: name === 'traefik' || labelValue(service['labels'], traefikRoleLabel) === 'traefik',
    profiled: profiles.length > 0,
    profiles,
    image: typeof service['image'] === 'string' ? service['image'] : undefined,
    healthcheck: hasHealthcheck(service['healthcheck']),
    restart: restartPolicy(service),
    noReplicas: replicas(service) === 0,
    stopGraceSeconds: stopGracePeriod(service['stop_grace_period']),
  };
}

function hasHealthcheck(healthcheck: unknown): boolean {
  if (!isPlainObject(healthcheck)) return false;
  if (healthcheck['disable'] === true) return false;
  const test = healthcheck['test'];
  if (Array.isArray(test)) return test.length > 0 && test[0] !== 'NONE';
  return typeof test === 'string' && test !== '';
}

/** `restart: on-failure:3` or `deploy.restart_policy: { condition: on-failure, max_attempts: 3 }`. */
function restartPolicy(service: ServiceDefinition): RestartPolicy {
  const restart = service['restart'];
  if (typeof restart === 'string') {
    const [kind, max] = restart.split(':');
    if (kind === 'always' || kind === 'unless-stopped') return { kind };
    if (kind === 'on-failure') return max === undefined || !/^\d+$/.test(max) ? { kind } : { kind, maxRetries: Number(max) };
    return { kind: 'no' };
  }
  const deploy = service['deploy'];
  const policy = isPlainObject(deploy) ? deploy['restart_policy'] : undefined;
  if (!isPlainObject(policy)) return { kind: 'no' };
  const attempts = policy['max_attempts'];
  const condition = policy['condition'] ?? 'any';
  if (condition === 'any') return { kind: 'always' };
  if (condition === 'on-failure') return typeof attempts === 'number' ? { kind: 'on-failure', maxRetries: attempts } : { kind: 'on-failure' };
  return { kind: 'no' };
}

/** Milliseconds per unit of a compose duration. */
const durationUnits: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A compose duration (Go's syntax: `10s`, `1m30s`, `500ms`, `1.5h`, `0`) in seconds;
 * undefined for anything else (compose itself rejects such a file).
 */
export function parseComposeDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!/^((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let milliseconds = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    milliseconds += Number(value) * (durationUnits[unit ?? ''] ?? 0);
  }
  // Whole microseconds: `3000ms` is 3 s exactly, not 3.0000000000000004.
  return Math.round(milliseconds * 1000) / 1_000_000;
}

/** `stop_grace_period: 1m30s` → 90; a fraction of a second counts as a whole one. */
function stopGracePeriod(value: unknown): number | undefined {
  const seconds = typeof value === 'string' ? parseComposeDuration(value.trim()) : undefined;
  return seconds === undefined ? undefined : Math.ceil(seconds);
}

function replicas(service: ServiceDefinition): number | undefined {
  const deploy = service['deploy'];
  const count = isPlainObject(deploy) ? deploy['replicas'] : service['scale'];
  return typeof count === 'number' ? count : undefined;
}

/** Compose labels are either a mapping or a list of `key=value` strings. */
function labelValue(labels: unknown, key: string): string | undefined {
  if (isPlainObject(labels)) {
    const value = labels[key];
    return value === undefined || value === null ? undefined : String(value);
  }
  if (Array.isArray(labels)) {
    for (const entry of labels) {
      if (typeof entry !== 'string') continue;
      const eq = entry.indexOf('=');
      const k = eq === -1 ? entry : entry.slice(0, eq);
      if (k === key) return eq === -1 ? '' : entry.slice(eq + 1);
    }
  }
  return undefined;
}

/** A YAML mapping (not a list, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// yaml's pretty errors end their first line with ':' before the code frame.
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/:$/, '');
}

