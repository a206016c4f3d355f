// Pure: a parsed compose file → the stagecraft.yml init writes, with the comments that
// say why each service went where. The chosen backend and frontend become app sections
// (app-section.ts), every other service an extra service as written; the generated
// compose.yaml is then the compose file again, plus what stagecraft adds (README).
import { isMapping, type Mapping } from '../config/config-values.js';
import { defaultDomains, defaultTraefik, type AppRole } from '../config/stagecraft-config.js';
import { inputFailure } from '../util/input-failure.js';
import { appSection } from './app-section.js';
import { chooseRoles, type RoleChoice, type Roles } from './choose-roles.js';
import { reduceCompose } from './compose-notes.js';
import { composeProjectName, projectNameFor } from './project-name.js';
import { renameReferences, type Rewrite } from './rename-services.js';
import { wrap } from './init-yaml.js';
import { hostPort } from './service-port.js';

/** What init writes: the document, its comments, and what the CLI says about it. */
export interface InitConfig {
  /** The stagecraft.yml document, keys in the order written. */
  readonly value: Record<string, unknown>;
  /** `#` lines on top of the file. */
  readonly header: readonly string[];
  /** `#` lines before each top-level key. */
  readonly comments: Readonly<Record<string, readonly string[]>>;
  /** One line: which service took which role, and the rest. */
  readonly summary: string;
  /** What stagecraft.yml could not hold, each one line (also in the header). */
  readonly notes: readonly string[];
}

const appRolesInOrder: readonly AppRole[] = ['backend', 'frontend'];

function servicesOf(root: unknown, file: string): Record<string, Mapping> {
  if (!isMapping(root)) throw inputFailure(`${file} is not a compose file: expected a mapping with a top-level \`services\` key`);
  const services = root['services'];
  if (!isMapping(services) || Object.keys(services).length === 0) {
    throw inputFailure(`${file} has no services; add one, or run \`stagecraft init\` in an empty directory for a starter`);
  }
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service)) throw inputFailure(`${file}: service ${name} is not a mapping of compose keys`);
  }
  return services as Record<string, Mapping>;
}

/** Traefik's host ports: 80 and 443, unless the project publishes them itself. */
function traefikSetting(services: Readonly<Record<string, Mapping>>, roles: Roles): { value: unknown; lines: string[] } {
  if (roles.traefik.length > 0) {
    return {
      value: false,
      lines: [`The project has its own Traefik (${roles.traefik.join(', ')}), so stagecraft's is off; routing stays as it was.`],
    };
  }
  const taken = new Set(Object.values(services).flatMap((s) => (Array.isArray(s['ports']) ? s['ports'].map(hostPort) : [])));
  const http = [80, 8080, 8000, 8888, 9080].find((port) => !taken.has(port)) ?? 18080;
  const https = [443, 8443, 9443, 4443].find((port) => !taken.has(port)) ?? 18443;
  const routes = appRolesInOrder.filter((role) => roles[role] !== undefined).map((role) => `http://${defaultDomains[role]} to the ${role}`);
  const lines = [
    `Traefik (traefik:v3, pulled on first use) routes ${routes.join(' and ')}; ` +
      `add ${routes.length > 1 ? 'both domains' : 'the domain'} to /etc/hosts as 127.0.0.1. ` +
      '`stagecraft dev --no-traefik` runs the stack without it.',
  ];
  if (http === defaultTraefik.http && https === defaultTraefik.https) return { value: true, lines };
  lines.push(`The project publishes ${[80, 443].filter((p) => taken.has(p)).join(' and ')} itself, so Traefik takes ${http} and ${https}.`);
  return { value: { enabled: true, http, https }, lines };
}

function sentence(clauses: readonly string[]): string {
  return `${clauses.join('; ')}.`;
}

function roleLines(role: AppRole, choice: RoleChoice, rewrites: readonly Rewrite[], hasCompose: boolean): string[] {
  const lines = [`${role}: the compose service ${choice.service}, because ${sentence(choice.reasons)}`];
  if (choice.service !== role) {
    const followed = rewrites.filter((r) => r.from === choice.service).map((r) => `${r.key} of ${r.service}`);
    lines.push(
      `It is generated as the service ${role}; ${choice.service} stays its host name (a network alias)` +
        (followed.length > 0 ? `, and the references to it (${followed.join(', ')}) now name ${role}.` : '.'),
    );
  }
  if (hasCompose) lines.push(`Under compose: the keys of ${choice.service} that the section's own fields do not hold, as written.`);
  return lines;
}

/**
 * The stagecraft.yml for the compose document `root` read from `file` in a directory
 * named `directoryName`. Throws an `input` failure (one sentence) when `root` is not a
 * compose file with services. The result is not validated here; init-command.ts
 * parses the text it writes with the real validator.
 */
export function configFromCompose(root: unknown, file: string, directoryName: string): InitConfig {
  const original = servicesOf(root, file);
  const { services: reduced, notes } = reduceCompose(root as Mapping, original, file);
  const roles = chooseRoles(Object.entries(reduced));
  const renames = new Map<string, string>();
  for (const role of appRolesInOrder) {
    const choice = roles[role];
    if (choice !== undefined && choice.service !== role) renames.set(choice.service, role);
  }
  const { services, rewrites } = renameReferences(reduced, renames);
  const name = composeProjectName((root as Mapping)['name']);
  const value: Record<string, unknown> = { project: { name: name ?? projectNameFor(directoryName) } };
  const comments: Record<string, string[]> = {};
  if (name === undefined) comments['project'] = [`${file} names no project, so this is its directory's name, as compose takes it.`];
  const chosen = new Set<string>();
  for (const role of appRolesInOrder) {
    const choice = roles[role];
    if (choice === undefined) continue;
    const section = appSection(choice.service, services[choice.service] ?? {}, choice.port, role);
    value[role] = section;
    comments[role] = roleLines(role, choice, rewrites, section['compose'] !== undefined);
    chosen.add(choice.service);
  }
  const extras = Object.keys(services).filter((service) => !chosen.has(service));
  if (extras.length > 0) {
    value['services'] = Object.fromEntries(extras.map((service) => [service, services[service]]));
    comments['services'] = [`The other services of ${file}, as written (relative paths are rebased when generated).`];
  }
  const traefik = traefikSetting(reduced, roles);
  value['dev'] = { traefik: traefik.value };
  comments['dev'] = traefik.lines;
  const summary = [
    ...appRolesInOrder.flatMap((role) => {
      const choice = roles[role];
      return choice === undefined ? [] : [`${role} ${choice.service} (port ${choice.port}${choice.portGuessed ? ', a guess' : ''})`];
    }),
    ...(extras.length > 0 ? [`extra services ${extras.join(', ')}`] : []),
  ].join(', ');
  return { value, header: header(file, notes), comments, summary, notes };
}

function header(file: string, notes: readonly string[]): string[] {
  return [
    `stagecraft.yml, written by \`stagecraft init\` from ${file} (not read again).`,
    '`stagecraft dev` generates .stagecraft/dev/compose.yaml from this file and runs the stack;',
    '`stagecraft dev generate` only writes the files. Paths are relative to this file.',
    '',
    'How the backend and the frontend were chosen (Traefik routes a domain to each):',
    '- a service named backend or frontend, or labelled dev.stagecraft.role so, takes that role;',
    '- otherwise only a service with a port it listens on can take one (published, exposed, in a',
    '  healthcheck URL, PORT in its environment, -p/--port in its command), never Traefik, an',
    '  image of a database, cache, queue or proxy, nor a service behind a profile;',
    '- a frontend shows by its name (web, ui, front, client, www, site…), a static web server image',
    '  (nginx, httpd, caddy) or a dev-server port (3000, 4200, 5173); a backend by its name (api,',
    '  back, server, service…) or an API port (8000, 8080, 5000, 4000, 9000); names weigh most;',
    '- with no such sign anywhere, the first service with a port is the backend.',
    'Each role says why below. To choose otherwise, move services between the sections.',
    ...(notes.length === 0 ? [] : ['', `Not carried over from ${file}:`, ...notes.flatMap((note) => wrap(note).map((line, i) => `${i === 0 ? '-' : ' '} ${line}`))]),
  ];
}
