// Pure: stagecraft.yml (validated) → the compose.yaml document, as a plain value whose
// key order is the order written. Services are sorted by name; maps stagecraft builds
// (environment, labels, volumes) are sorted by key; lists keep the config's order.
import { labelMap } from '../config/compose-labels.js';
import { appRoles, type AppRole, type AppService, type StagecraftConfig } from '../config/stagecraft-config.js';
import { traefikRoleLabel } from '../dev-files/compose-model.js';
import { namedVolumeOf, rebaseExtraService, rebasePath, rebaseVolume } from './relocate-paths.js';
import { traefikConfigMount, traefikContainerPorts } from './traefik-config.js';

/** The Traefik image; `dev.traefik: false` leaves the service out. */
export const traefikImage = 'traefik:v3';

type ComposeService = Record<string, unknown>;

function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key] as T]));
}

function healthcheckOf(app: AppService): Record<string, unknown> | undefined {
  const check = app.healthcheck;
  if (check === undefined) return undefined;
  const entries: [string, unknown][] = [
    ['test', check.test],
    ['interval', check.interval],
    ['timeout', check.timeout],
    ['retries', check.retries],
    ['start_period', check.startPeriod],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

/**
 * One app service. `init: true` puts a tiny init first in the container, so the app
 * gets SIGTERM on `down` even when it runs as a shell's child, and zombies are reaped.
 */
function appService(role: AppRole, app: AppService, base: string): ComposeService {
  const service: ComposeService = {};
  if (app.image !== undefined) service['image'] = app.image;
  if (app.build !== undefined) {
    const { context, dockerfile } = app.build;
    service['build'] = dockerfile === undefined ? { context: rebasePath(base, context) } : { context: rebasePath(base, context), dockerfile };
  }
  service['init'] = true;
  if (app.command !== undefined) service['command'] = app.command;
  if (app.workdir !== undefined) service['working_dir'] = app.workdir;
  if (Object.keys(app.env).length > 0) service['environment'] = sortedRecord(app.env);
  if (app.volumes.length > 0) service['volumes'] = app.volumes.map((volume) => rebaseVolume(base, volume));
  service['expose'] = [String(app.port)];
  const healthcheck = healthcheckOf(app);
  if (healthcheck !== undefined) service['healthcheck'] = healthcheck;
  service['labels'] = { [traefikRoleLabel]: role };
  return withComposeKeys(service, rebaseExtraService(base, app.compose));
}

/**
 * The app service with its `compose:` keys added (validation saw to it that none sets
 * a key the section's own fields set): labels and expose are merged with stagecraft's
 * own (its role label stays); any other key, `init` included, is taken as written.
 */
function withComposeKeys(service: ComposeService, compose: Readonly<Record<string, unknown>>): ComposeService {
  const { labels, ...rest } = service;
  const merged: ComposeService = rest;
  let allLabels = labels as Record<string, string>;
  for (const [key, value] of Object.entries(compose)) {
    if (key === 'labels') allLabels = sortedRecord({ ...labelMap(value), ...allLabels });
    else if (key === 'expose' && Array.isArray(value)) merged['expose'] = [...new Set([...(merged['expose'] as string[]), ...value.map(String)])];
    else merged[key] = value;
  }
  // The role label last, as in every app service.
  merged['labels'] = allLabels;
  return merged;
}

/** Traefik with `<dev-dir>/traefik` mounted as its config dir, publishing the two entrypoints. */
function traefikService(config: StagecraftConfig): ComposeService {
  const { http, https } = config.dev.traefik;
  return {
    image: traefikImage,
    ports: [`${http}:${traefikContainerPorts.http}`, `${https}:${traefikContainerPorts.https}`],
    volumes: [`./traefik:${traefikConfigMount}:ro`],
    labels: { [traefikRoleLabel]: 'traefik' },
  };
}

function namedVolumes(services: Readonly<Record<string, ComposeService>>): string[] {
  const names = new Set<string>();
  for (const service of Object.values(services)) {
    const volumes = service['volumes'];
    if (!Array.isArray(volumes)) continue;
    for (const volume of volumes) {
      const name = namedVolumeOf(volume);
      if (name !== undefined) names.add(name);
    }
  }
  return [...names].sort();
}

/**
 * The compose.yaml document for `config`. `base` leads from the compose file's
 * directory to stagecraft.yml's (posix, e.g. `../..`): every relative path is
 * rebased through it. Top-level `name`, no `version`; every service on the one
 * project network (`default`); named volumes the services use are declared.
 */
export function composeFromConfig(config: StagecraftConfig, base: string): Record<string, unknown> {
  const services: Record<string, ComposeService> = {};
  for (const role of appRoles) {
    const app = config.apps[role];
    if (app !== undefined) services[role] = appService(role, app, base);
  }
  for (const [name, service] of Object.entries(config.services)) services[name] = rebaseExtraService(base, service);
  if (config.dev.traefik.enabled) services['traefik'] = traefikService(config);
  const compose: Record<string, unknown> = {
    name: config.project.name,
    services: sortedRecord(services),
    networks: { default: {} },
  };
  const volumes = namedVolumes(services);
  if (volumes.length > 0) compose['volumes'] = Object.fromEntries(volumes.map((name) => [name, {}]));
  return compose;
}
