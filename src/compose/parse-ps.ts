import type { ServiceExit } from '../../machines/dev-session.types.js';

/** One container as `compose ps --all --format json` describes it. */
export interface ContainerState {
  readonly name: string;
  readonly service: string;
  /** `running`, `exited`, `created`, `restarting`, `dead`, … */
  readonly state: string;
  /** `healthy`, `unhealthy`, `starting`, or empty without a healthcheck. */
  readonly health: string;
  readonly exitCode: number;
  readonly status: string;
}

function readContainer(raw: unknown): ContainerState {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const text = (key: string): string => (typeof r[key] === 'string' ? (r[key] as string) : '');
  return {
    name: text('Name'),
    service: text('Service'),
    state: text('State'),
    health: text('Health'),
    exitCode: typeof r['ExitCode'] === 'number' ? r['ExitCode'] : 0,
    status: text('Status'),
  };
}

/**
 * Parses `ps --format json` output: one JSON object per line (compose ≥ 2.21)
 * or one JSON array (older compose). Throws a `SyntaxError` on anything else.
 */
export function parsePs(stdout: string): ContainerState[] {
  const text = stdout.trim();
  if (text === '') return [];
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).map(readContainer);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => readContainer(JSON.parse(line)));
}

/** Each service's exit, for a stack that ended by itself; sorted by service. */
export function serviceExits(containers: readonly ContainerState[]): ServiceExit[] {
  return containers
    .map((c) => ({ service: c.service, state: c.state, exitCode: c.exitCode }))
    .sort((a, b) => a.service.localeCompare(b.service) || a.exitCode - b.exitCode);
}

/**
 * The services at fault after a failed start: those that exited non-zero, died,
 * keep restarting or are unhealthy; when there are none, those expected but
 * never created (a missing image stops compose before it creates the rest, and
 * dependents of a crashed service are never created either). Sorted.
 */
export function failedServices(expected: readonly string[], containers: readonly ContainerState[]): string[] {
  const isBad = (c: ContainerState): boolean =>
    (c.state === 'exited' && c.exitCode !== 0) || c.state === 'dead' || c.state === 'restarting' || c.health === 'unhealthy';
  const bad = expected.filter((service) => containers.some((c) => c.service === service && isBad(c)));
  if (bad.length > 0) return [...bad].sort();
  return expected.filter((service) => !containers.some((c) => c.service === service)).sort();
}
