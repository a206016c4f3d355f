import { projectNamePattern } from '../plan/check-flags.js';
import { ConfigIssues, type ConfigIssue, type ConfigPath } from './config-issues.js';
import { boolean, hostname, isMapping, optional, port, readMapping, reader, required, unknownKeys, type Mapping } from './config-values.js';
import {
  appRoles,
  defaultDomains,
  defaultTraefik,
  reservedNamesFor,
  type AppRole,
  type AppService,
  type DevSettings,
  type StagecraftConfig,
  type TraefikSettings,
} from './stagecraft-config.js';
import { validateAppService } from './validate-app-service.js';
import { validateExtraServices } from './validate-extra-services.js';

/** The keys stagecraft.yml may have at its top, besides `x-…`. */
export const rootKeys: readonly string[] = ['project', 'backend', 'frontend', 'services', 'dev'];

/** What validation gives back: the config, or every problem found (never both). */
export type ConfigValidation =
  | { readonly ok: true; readonly config: StagecraftConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

const projectName = reader('a compose project name: lower-case letters, digits, "_" and "-", starting with a letter or digit', (v) =>
  typeof v === 'string' && projectNamePattern.test(v) ? v : undefined,
);

function readProject(root: Mapping, issues: ConfigIssues): { name: string } | undefined {
  const value = root['project'];
  if (value === undefined || value === null) {
    issues.add(['project'], 'missing; expected a mapping with the project name, such as `project: { name: shop }`');
    return undefined;
  }
  const project = readMapping(value, ['project'], issues, ['name']);
  const name = project && required(project, 'name', ['project'], issues, projectName);
  return name === undefined ? undefined : { name };
}

function readApps(root: Mapping, issues: ConfigIssues): Partial<Record<AppRole, AppService>> {
  const apps: Partial<Record<AppRole, AppService>> = {};
  for (const role of appRoles) {
    const value = root[role];
    if (value === undefined || value === null) continue;
    const service = validateAppService(value, [role], issues);
    if (service !== undefined) apps[role] = service;
  }
  if (appRoles.every((role) => root[role] === undefined || root[role] === null)) {
    issues.add([], 'expected a `backend` or a `frontend` (or both); stagecraft routes to them');
  }
  return apps;
}

const traefikKeys = ['enabled', 'http', 'https'] as const;

function readTraefik(value: unknown, path: ConfigPath, issues: ConfigIssues): TraefikSettings {
  if (value === undefined || value === null) return defaultTraefik;
  if (typeof value === 'boolean') return { ...defaultTraefik, enabled: value };
  const mapping = readMapping(value, path, issues, traefikKeys);
  if (mapping === undefined) return defaultTraefik;
  const settings: TraefikSettings = {
    enabled: optional(mapping, 'enabled', path, issues, boolean) ?? defaultTraefik.enabled,
    http: optional(mapping, 'http', path, issues, port) ?? defaultTraefik.http,
    https: optional(mapping, 'https', path, issues, port) ?? defaultTraefik.https,
  };
  if (settings.http === settings.https) issues.add([...path, 'https'], `expected a port other than http's (${settings.http})`);
  return settings;
}

function readDev(root: Mapping, issues: ConfigIssues): DevSettings {
  const value = root['dev'];
  const dev = value === undefined || value === null ? {} : (readMapping(value, ['dev'], issues, ['domains', 'traefik']) ?? {});
  const domainsValue = dev['domains'];
  const domainsMapping =
    domainsValue === undefined || domainsValue === null ? {} : (readMapping(domainsValue, ['dev', 'domains'], issues, appRoles) ?? {});
  const domains = {
    frontend: optional(domainsMapping, 'frontend', ['dev', 'domains'], issues, hostname) ?? defaultDomains.frontend,
    backend: optional(domainsMapping, 'backend', ['dev', 'domains'], issues, hostname) ?? defaultDomains.backend,
  };
  if (domains.frontend === domains.backend) {
    issues.add(['dev', 'domains', 'backend'], `expected a domain other than the frontend's (${domains.frontend})`);
  }
  return { domains, traefik: readTraefik(dev['traefik'], ['dev', 'traefik'], issues) };
}

/** Top-level `x-…` keys are free, as in compose: a place for YAML anchors. */
function withoutExtensions(root: unknown): unknown {
  if (!isMapping(root)) return root;
  const keys = Object.keys(root);
  if (!keys.some((key) => key.startsWith('x-'))) return root;
  const mapping: Record<string, unknown> = {};
  for (const key of keys) if (!key.startsWith('x-')) mapping[key] = root[key];
  return mapping;
}

/** The keys that are neither in `mapping` nor extensions. */
function missingFrom(mapping: Mapping, keys: Iterable<string>): string[] {
  const missing: string[] = [];
  for (const key of keys) if (!key.startsWith('x-') && !Object.hasOwn(mapping, key)) missing.push(key);
  return missing;
}

/**
 * Checks a parsed stagecraft.yml and applies the defaults. Pure; never throws for
 * bad input: every problem comes back as a `ConfigIssue` with the path to the key.
 * `namedOnly`: more top-level keys, none of `rootKeys`, whose values were not parsed
 * (read-config sets aside the lines of unknown keys); a key also in `root` counts once.
 */
export function validateConfig(root: unknown, namedOnly: Iterable<string> = []): ConfigValidation {
  const issues = new ConfigIssues();
  const mapping = readMapping(withoutExtensions(root), [], issues, rootKeys);
  if (mapping === undefined) return { ok: false, issues: issues.list };
  unknownKeys(missingFrom(mapping, namedOnly), [], issues, rootKeys);
  const project = readProject(mapping, issues);
  const apps = readApps(mapping, issues);
  const dev = readDev(mapping, issues);
  // With stagecraft's Traefik off, the project may have a Traefik of its own named `traefik`.
  const services = mapping['services'] === undefined || mapping['services'] === null
    ? {}
    : validateExtraServices(mapping['services'], ['services'], issues, reservedNamesFor(dev.traefik.enabled));
  if (issues.list.length > 0 || project === undefined || services === undefined) return { ok: false, issues: issues.list };
  return { ok: true, config: { project, apps, services, dev } };
}
