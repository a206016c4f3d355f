import type { PlannedCommand } from '../../machines/dev-session.types.js';
import { errorLines } from './compose-progress.js';

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

/**
 * Parses the output of the plan's `ps` command; when it is not JSON, throws the
 * `command-failed` failure that says so (an old or foreign compose prints a table).
 */
export function parsePsOutput(command: PlannedCommand, stdout: string): ContainerState[] {
  try {
    return parsePs(stdout);
  } catch {
    throw {
      kind: 'command-failed',
      message: `could not read the output of \`${command.argv.join(' ')}\` as JSON; is the compose command compose v2?`,
    } as const;
  }
}

/** What compose said when `up` failed, and how to recognise a service in it. */
export interface StartErrorHints {
  /** compose's stderr from the failed `up`. */
  readonly stderr: string;
  readonly projectName: string;
  readonly serviceImages: Readonly<Record<string, string>>;
}

function namedInErrors(service: string, hints: StartErrorHints): boolean {
  const image = hints.serviceImages[service];
  const container = new RegExp(`\\b${escapeRegExp(hints.projectName)}[-_]${escapeRegExp(service)}[-_]\\d+\\b`);
  // A whole image reference only: `shop/api` must not match `shop/api-worker`, nor `redis` match `org/redis`.
  const imageRef = image === undefined ? undefined : new RegExp(`(?<![\\w./-])${escapeRegExp(image)}(?![\\w/-]|\\.\\w)`);
  return errorLines(hints.stderr).some((line) => container.test(line) || (imageRef?.test(line) ?? false));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The services at fault after a failed start, sorted, by the first rule that
 * finds any: (1) containers that exited non-zero, died, keep restarting or are
 * unhealthy; (2) services whose container or image compose's error lines name
 * (a missing image fails before the container exists); (3) services expected
 * but never created.
 */
export function failedServices(
  expected: readonly string[],
  containers: readonly ContainerState[],
  hints: StartErrorHints,
): string[] {
  const isBad = (c: ContainerState): boolean =>
    (c.state === 'exited' && c.exitCode !== 0) || c.state === 'dead' || c.state === 'restarting' || c.health === 'unhealthy';
  const rules = [
    (service: string) => containers.some((c) => c.service === service && isBad(c)),
    (service: string) => namedInErrors(service, hints),
    (service: string) => !containers.some((c) => c.service === service),
  ];
  for (const rule of rules) {
    const found = expected.filter(rule);
    if (found.length > 0) return [...found].sort();
  }
  return [];
}
