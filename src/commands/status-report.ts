import type { DevPlan } from '../../machines/dev-session.types.js';
import type { ContainerState } from '../compose/parse-ps.js';
import type { SessionRecord } from '../session-file/session-file.js';

/** `stagecraft dev status --json` (schema documented in the README). */
export interface StatusReport {
  readonly project: string;
  readonly composeFile: string;
  readonly session: {
    readonly state: string;
    readonly mode: string;
    readonly pid: number;
    /** The session's process still runs; false means the file is stale. */
    readonly alive: boolean;
    readonly startedAt: string;
    readonly updatedAt: string;
  } | null;
  /**
   * Every container compose reports, every expected service without one (`absent`) and every
   * service `deploy.replicas: 0` keeps without one (`scaled to 0`), sorted.
   */
  readonly services: readonly {
    readonly service: string;
    readonly container: string | null;
    readonly state: string;
    readonly health: string | null;
    readonly exitCode: number | null;
    readonly status: string;
  }[];
}

export function buildStatusReport(
  plan: DevPlan,
  record: SessionRecord | undefined,
  alive: boolean,
  containers: readonly ContainerState[],
): StatusReport {
  const present = containers.map((c) => ({
    service: c.service,
    container: c.name,
    state: c.state,
    health: c.health === '' ? null : c.health,
    exitCode: c.state === 'exited' ? c.exitCode : null,
    status: c.status,
  }));
  // Without a container: `absent` when one was expected, `scaled to 0` when compose.yaml asks for none.
  const missing = (services: readonly string[], state: string) =>
    services
      .filter((service) => !containers.some((c) => c.service === service))
      .map((service) => ({ service, container: null, state, health: null, exitCode: null, status: '' }));
  const absent = [...missing(plan.expectedServices, 'absent'), ...missing(plan.scaledToZero, 'scaled to 0')];
  return {
    project: plan.projectName,
    composeFile: plan.composeFile,
    session:
      record === undefined || record.project !== plan.projectName
        ? null
        : { state: record.state, mode: record.mode, pid: record.pid, alive, startedAt: record.startedAt, updatedAt: record.updatedAt },
    services: [...present, ...absent].sort(
      (a, b) => a.service.localeCompare(b.service) || (a.container ?? '').localeCompare(b.container ?? ''),
    ),
  };
}

/** The report as an aligned table for a terminal. */
export function formatStatus(report: StatusReport): string {
  const s = report.session;
  const session =
    s === null
      ? 'none'
      : `${s.state} · ${s.mode} · pid ${s.pid} ${s.alive ? '(running)' : '(exited)'} · since ${s.startedAt}`;
  const rows = [
    ['SERVICE', 'CONTAINER', 'STATE', 'HEALTH', 'EXIT'],
    ...report.services.map((r) => [r.service, r.container ?? '-', r.state, r.health ?? '-', r.exitCode === null ? '-' : String(r.exitCode)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const table = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  return [`project  ${report.project} (${report.composeFile})`, `session  ${session}`, '', ...table].join('\n').concat('\n');
}
