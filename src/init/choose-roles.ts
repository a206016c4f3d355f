// Which compose services become the backend and the frontend: a heuristic that asks
// nothing. Every step is worded into `reasons`, which init writes into stagecraft.yml
// as comments, so the user sees why and can move a service by hand.
import { labelMap } from '../config/compose-labels.js';
import type { AppRole } from '../config/stagecraft-config.js';
import { traefikRoleLabel } from '../dev-files/compose-model.js';
import { findPort } from './service-port.js';

type Mapping = Readonly<Record<string, unknown>>;

/** A compose service chosen as the backend or the frontend. */
export interface RoleChoice {
  readonly service: string;
  readonly port: number;
  /** No port was found: `port` is a placeholder the user should check. */
  readonly portGuessed: boolean;
  /** Why, one clause each, for comments. */
  readonly reasons: readonly string[];
}

/** The roles chosen, and the project's own Traefik services (stagecraft's is then left off). */
export interface Roles {
  readonly backend: RoleChoice | undefined;
  readonly frontend: RoleChoice | undefined;
  readonly traefik: readonly string[];
}

/** The port written when none was found: the HTTP port. */
export const placeholderPort = 80;

// Databases, caches, queues, mail catchers, proxies and admin tools: part of the stack, never its app.
const infrastructureImage =
  /^(postgres|postgis|mysql|mariadb|percona|mongo|redis|valkey|keydb|memcached|rabbitmq|elasticsearch|opensearch|kibana|logstash|kafka|cp-kafka|zookeeper|cp-zookeeper|nats|minio|mailhog|mailpit|maildev|localstack|cassandra|scylla|neo4j|influxdb|clickhouse|couchdb|couchbase|etcd|consul|vault|prometheus|grafana|jaeger|adminer|phpmyadmin|pgadmin|mongo-express|redis-commander|haproxy|envoy|nginx-proxy|selenium|keycloak|wiremock|azurite|dynamodb-local)/;
const staticServerImage = /^(nginx|nginx-unprivileged|httpd|caddy|lighttpd)$/;
const nameWords: Readonly<Record<AppRole, ReadonlySet<string>>> = {
  frontend: new Set(['front', 'frontend', 'web', 'webapp', 'www', 'ui', 'client', 'site', 'spa', 'portal']),
  backend: new Set(['back', 'backend', 'api', 'server', 'srv', 'service', 'svc', 'gateway', 'graphql', 'rest', 'core']),
};
const usualPorts: Readonly<Record<AppRole, ReadonlySet<number>>> = {
  frontend: new Set([3000, 4200, 5173, 4173, 8081]),
  backend: new Set([8000, 8080, 5000, 4000, 9000, 3001, 8001]),
};
const portKind: Readonly<Record<AppRole, string>> = { frontend: 'dev-server', backend: 'API' };
const weights = { name: 4, image: 2, port: 1 } as const;

/** `docker.io/library/postgres:16` → `postgres`. */
export function imageBase(image: unknown): string {
  if (typeof image !== 'string') return '';
  const last = image.split('@')[0]?.split('/').pop() ?? '';
  return last.split(':')[0]?.toLowerCase() ?? '';
}

/** What the heuristic knows of one service. */
interface Candidate {
  readonly name: string;
  readonly index: number;
  readonly port: ReturnType<typeof findPort>;
  readonly traefik: boolean;
  /** A database, cache, proxy…: its image says so and it builds nothing of its own. */
  readonly infrastructure: boolean;
  readonly profiled: boolean;
  /** Named `backend`/`frontend`, or labelled with that role. */
  readonly forced: AppRole | undefined;
  readonly forcedBy: string;
}

function candidate(name: string, service: Mapping, index: number): Candidate {
  const base = imageBase(service['image']);
  const label = labelMap(service['labels'])[traefikRoleLabel];
  const labelled = label === 'backend' || label === 'frontend' ? label : undefined;
  const named = name === 'backend' || name === 'frontend' ? name : undefined;
  return {
    name,
    index,
    port: findPort(service),
    traefik: name === 'traefik' || base.startsWith('traefik') || label === 'traefik',
    infrastructure: service['build'] === undefined && infrastructureImage.test(base),
    profiled: Array.isArray(service['profiles']) && service['profiles'].length > 0,
    forced: labelled ?? named,
    forcedBy: labelled !== undefined ? `it is labelled ${traefikRoleLabel}: ${labelled}` : `it is named ${named ?? ''}`,
  };
}

/** Evidence that `c` is the `role`, each clause with its weight; none means it is not. */
function evidence(c: Candidate, service: Mapping, role: AppRole): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  let score = 0;
  const word = c.name.toLowerCase().split(/[-_.]+/).find((token) => nameWords[role].has(token));
  if (word !== undefined) {
    score += weights.name;
    reasons.push(`its name says ${role} (${word})`);
  }
  const base = imageBase(service['image']);
  if (role === 'frontend' && staticServerImage.test(base)) {
    score += weights.image;
    reasons.push(`it runs ${base}, a web server for static pages`);
  }
  if (c.port !== undefined && usualPorts[role].has(c.port.port)) {
    score += weights.port;
    reasons.push(`${c.port.port} is a usual ${portKind[role]} port`);
  }
  return { score, reasons };
}

function choice(c: Candidate, reasons: readonly string[]): RoleChoice {
  const port = c.port;
  if (port === undefined) {
    const guess = `no port found (no ports, expose, healthcheck URL, PORT or -p/--port in its command): ${placeholderPort} is a guess, set the port it listens on`;
    return { service: c.name, port: placeholderPort, portGuessed: true, reasons: [...reasons, guess] };
  }
  return { service: c.name, port: port.port, portGuessed: false, reasons: [...reasons, `it listens on ${port.port}: ${port.evidence}`] };
}

/**
 * Chooses the backend and the frontend among `services` (in the compose file's order):
 * 1. a service named `backend`/`frontend`, or labelled `dev.stagecraft.role` so, takes that role;
 * 2. of the others, only those with a port found (service-port.ts) that are neither
 *    Traefik, infrastructure (by image, when they build nothing) nor behind a profile can
 *    take a role; each role goes to the pairing with the most evidence (name 4, static
 *    web server image 2, usual port 1), earlier services first on a tie;
 * 3. with no role taken, the first service with a port is the backend; without one, the
 *    first service neither Traefik nor behind a profile (its port then a guess).
 */
export function chooseRoles(services: ReadonlyArray<readonly [string, Mapping]>): Roles {
  const all = services.map(([name, service], index) => candidate(name, service, index));
  const serviceOf = (c: Candidate) => services[c.index]?.[1] ?? {};
  const traefik = all.filter((c) => c.traefik).map((c) => c.name);
  const forced = (role: AppRole) => all.find((c) => c.forced === role && !c.traefik);
  const chosen: Partial<Record<AppRole, RoleChoice>> = {};
  for (const role of ['backend', 'frontend'] as const) {
    const c = forced(role);
    if (c !== undefined) chosen[role] = choice(c, [c.forcedBy]);
  }
  const taken = new Set(Object.values(chosen).map((c) => c.service));
  const eligible = all.filter((c) => !taken.has(c.name) && c.forced === undefined && c.port !== undefined && !c.traefik && !c.infrastructure && !c.profiled);
  let best = { score: 0, frontend: undefined as Candidate | undefined, backend: undefined as Candidate | undefined };
  const options = [undefined, ...eligible];
  for (const f of chosen.frontend === undefined ? options : [undefined]) {
    for (const b of chosen.backend === undefined ? options : [undefined]) {
      if (f !== undefined && f === b) continue;
      const fs = f === undefined ? 0 : evidence(f, serviceOf(f), 'frontend').score;
      const bs = b === undefined ? 0 : evidence(b, serviceOf(b), 'backend').score;
      if ((f !== undefined && fs === 0) || (b !== undefined && bs === 0)) continue;
      if (fs + bs > best.score) best = { score: fs + bs, frontend: f, backend: b };
    }
  }
  for (const role of ['backend', 'frontend'] as const) {
    const c = best[role];
    if (c !== undefined) chosen[role] = choice(c, evidence(c, serviceOf(c), role).reasons);
  }
  if (chosen.backend === undefined && chosen.frontend === undefined) chosen.backend = fallback(all, eligible);
  return { backend: chosen.backend, frontend: chosen.frontend, traefik };
}

function fallback(all: readonly Candidate[], eligible: readonly Candidate[]): RoleChoice | undefined {
  const first = eligible[0];
  if (first !== undefined) {
    return choice(first, ['no service looks like a frontend or an API (by name, image or port); it is the first service with a port']);
  }
  const usable = all.filter((c) => !c.traefik && !c.profiled);
  const any = usable.find((c) => !c.infrastructure) ?? usable[0];
  return any === undefined
    ? undefined
    : choice(any, ['no service has a port stagecraft could route to; it is the first service, so that the file is valid']);
}
