// Pure judgements over the services' statuses (SPEC §4): has the stack ended, which
// service failed the wait, which are not ready yet. The session machine's guards and
// actions call these; they read only plain data.
import type { DevPlan, ServiceExit, SessionFailure } from './dev-session.types.js';
import { waitingFor, type ServiceSpec, type ServiceStatus } from './service.types.js';

type Statuses = Readonly<Record<string, ServiceStatus>>;

const sorted = (statuses: Statuses): ServiceStatus[] =>
  Object.values(statuses).sort((a, b) => a.service.localeCompare(b.service));

/** The stack has ended: it has services, and none runs or will run again. */
export function stackEnded(statuses: Statuses): boolean {
  const all = Object.values(statuses);
  return all.length > 0 && all.every((s) => !s.active);
}

/**
 * The stack ended by itself: every service exited for good, none because someone stopped it
 * (a `compose restart` stops them all for a moment, then starts them again).
 */
export function stackEndedByItself(statuses: Statuses): boolean {
  return stackEnded(statuses) && Object.values(statuses).every((s) => s.state !== 'stopped');
}

/** An ended stack's failure: the services whose last exit was non-zero (SPEC §4), or none. */
export function endedStackFailure(statuses: Statuses): SessionFailure | undefined {
  const failed: ServiceExit[] = sorted(statuses)
    .filter((s) => s.state === 'exited' && s.exitCode !== undefined && s.exitCode !== 0)
    .map((s) => ({ service: s.service, state: s.state, exitCode: s.exitCode ?? 0 }));
  return failed.length === 0 ? undefined : { kind: 'services-failed', services: failed };
}

function why(status: ServiceStatus): string {
  return status.state === 'unhealthy' ? 'turned unhealthy' : `exited with code ${status.exitCode ?? '?'}`;
}

/** A service exited non-zero or turned unhealthy while `--wait` waited: the start failed, naming it. */
export function serviceFailedFailure(plan: DevPlan, statuses: Statuses): SessionFailure {
  const failed = sorted(statuses).filter((s) => s.failed);
  const what = failed.map((s) => `${s.service} ${why(s)}`).join(', ');
  return {
    kind: 'start-failed',
    message: `starting project ${plan.projectName} failed: ${what} before the stack was ready`,
    stderrTail: '',
    services: failed.map((s) => s.service),
  };
}

/** `--wait-timeout` passed: the start failed, naming every service not ready and what it waits for. */
export function notReadyFailure(plan: DevPlan, statuses: Statuses, timeoutSeconds: number): SessionFailure {
  const waiting = sorted(statuses).filter((s) => !s.ready);
  const what = waiting.map((s) => `${s.service} (${waitingFor(s)})`).join(', ');
  return {
    kind: 'start-failed',
    message: `project ${plan.projectName} was not ready after ${timeoutSeconds} s: ${what}; raise --wait-timeout if it needs longer`,
    stderrTail: '',
    services: waiting.map((s) => s.service),
  };
}

/** The spec of `service` in the plan; one compose.yaml does not name (a `run`, a foreign label) gets defaults. */
export function specOf(plan: Pick<DevPlan, 'services'>, service: string): ServiceSpec {
  return (
    plan.services.find((s) => s.name === service) ?? {
      name: service,
      healthcheck: false,
      restart: { kind: 'no' },
      profiled: false,
    }
  );
}
