// The port a compose service listens on inside its container, for `port:` of an app
// section (Traefik routes there). Compose files rarely say it in one place, so the
// evidence is looked for where it usually is, most explicit first.

/** A port, and where it was found, worded for a comment in stagecraft.yml. */
export interface FoundPort {
  readonly port: number;
  readonly evidence: string;
}

type Mapping = Readonly<Record<string, unknown>>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asPort(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * The container port of one `ports:` entry: `80`, `8080:80`, `127.0.0.1:8080:80/tcp`,
 * `3000-3001:3000-3001` (its first), or `{ target: 80 }`. Undefined for UDP and for what
 * compose interpolates (`${PORT}:80` is fine, `8080:${PORT}` is not known).
 */
export function containerPort(entry: unknown): number | undefined {
  if (typeof entry === 'number') return asPort(String(entry));
  if (isMapping(entry)) {
    if (entry['protocol'] !== undefined && entry['protocol'] !== 'tcp') return undefined;
    return asPort(String(entry['target']));
  }
  if (typeof entry !== 'string') return undefined;
  const [spec, protocol] = entry.split('/');
  if (protocol !== undefined && protocol !== 'tcp') return undefined;
  const target = spec?.slice(spec.lastIndexOf(':') + 1);
  return asPort(target?.split('-')[0]);
}

/** The host port of a short `ports:` entry (`8080:80` → 8080), when written as a number. */
export function hostPort(entry: unknown): number | undefined {
  if (isMapping(entry)) return asPort(String(entry['published']).split('-')[0]);
  if (typeof entry !== 'string') return undefined;
  const parts = (entry.split('/')[0] ?? '').split(':');
  return parts.length < 2 ? undefined : asPort(parts[parts.length - 2]?.split('-')[0]);
}

function describe(entry: unknown): string {
  return typeof entry === 'string' || typeof entry === 'number' ? String(entry) : JSON.stringify(entry);
}

function fromPorts(service: Mapping): FoundPort | undefined {
  const ports = service['ports'];
  if (!Array.isArray(ports)) return undefined;
  for (const entry of ports) {
    const port = containerPort(entry);
    if (port !== undefined) return { port, evidence: `it publishes ${describe(entry)}` };
  }
  return undefined;
}

function fromExpose(service: Mapping): FoundPort | undefined {
  const expose = service['expose'];
  if (!Array.isArray(expose)) return undefined;
  for (const entry of expose) {
    const port = asPort(String(entry).split('/')[0]?.split('-')[0]);
    if (port !== undefined) return { port, evidence: `it exposes ${describe(entry)}` };
  }
  return undefined;
}

function words(value: unknown): string {
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? value.map(String).join(' ') : '';
}

const urlPort = /\bhttps?:\/\/[^\s/:'"]+:(\d{1,5})\b/;

function fromHealthcheck(service: Mapping): FoundPort | undefined {
  const check = service['healthcheck'];
  const match = isMapping(check) ? urlPort.exec(words(check['test'])) : null;
  const port = asPort(match?.[1]);
  return port === undefined ? undefined : { port, evidence: `its healthcheck calls ${match?.[0]}` };
}

function environmentValue(service: Mapping, name: string): string | undefined {
  const env = service['environment'];
  if (isMapping(env)) return env[name] === undefined || env[name] === null ? undefined : String(env[name]);
  if (!Array.isArray(env)) return undefined;
  const entry = env.map(String).find((item) => item.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

function fromEnvironment(service: Mapping): FoundPort | undefined {
  const port = asPort(environmentValue(service, 'PORT'));
  return port === undefined ? undefined : { port, evidence: `PORT=${port} is in its environment` };
}

// `-p 8080`, `--port 3000`, `--port=3000`, `0.0.0.0:8000` (runserver, gunicorn --bind, uvicorn).
const commandPort = /(?:^|\s)(?:-p|--port)(?:\s+|=)(\d{1,5})(?=\s|$)|\b0\.0\.0\.0:(\d{1,5})\b/;

function fromCommand(service: Mapping): FoundPort | undefined {
  const match = commandPort.exec(words(service['command']));
  const port = asPort(match?.[1] ?? match?.[2]);
  return port === undefined ? undefined : { port, evidence: `its command listens on ${port} (\`${match?.[0].trim()}\`)` };
}

/**
 * Where `service` listens, looked for in this order: the container side of `ports`,
 * `expose`, a URL in its healthcheck, `PORT` in its environment, `-p`/`--port` or
 * `0.0.0.0:<port>` in its command. Undefined when none says.
 */
export function findPort(service: Mapping): FoundPort | undefined {
  return fromPorts(service) ?? fromExpose(service) ?? fromHealthcheck(service) ?? fromEnvironment(service) ?? fromCommand(service);
}
