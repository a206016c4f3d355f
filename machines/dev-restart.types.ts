// The data of `stagecraft dev restart` (SPEC §2): what the restart machine works on and what it
// hands back. Plain data only, as for the other machines: src/ builds these values.
import type { PlannedCommand, SessionFailure, StopSignal } from './dev-session.types.js';
import type { ServiceSpec, ServiceStatus } from './service.types.js';

/** Every command one restart may run; the runner executes exactly these argv. */
export interface RestartPlan {
  readonly projectName: string;
  /** The services named on the command line; empty: every service that has a container. */
  readonly named: readonly string[];
  /** compose.yaml's services (restart policy, healthcheck): what readiness is judged by. */
  readonly services: readonly ServiceSpec[];
  /** `C -p P ps --all --format json`: is the project running, which services have a container. */
  readonly survey: PlannedCommand;
  /** `C -p P [-f F] events --json`: followed from before the restart until the services are ready. */
  readonly events: PlannedCommand;
  /** `C -p P [-f F] restart [--timeout G] [svc…]`. */
  readonly restart: PlannedCommand;
  /** `C -p P [-f F] logs --tail 50`; the failed services are appended at run time. */
  readonly diagnostics: PlannedCommand;
  /** The engine's `inspect` of a container's health; the container id is appended at run time. */
  readonly health: PlannedCommand;
  /** The bound of the `restart` command: the stop grace plus `--start-timeout`. */
  readonly restartTimeoutSeconds: number;
  /** `--wait-timeout`: how long the restarted services may take to be ready. */
  readonly waitTimeoutSeconds: number;
}

export type RestartFinalState = 'restarted' | 'refused' | 'failed' | 'interrupted';

/** What the restart machine hands back: all the CLI reads. */
export interface DevRestartOutput {
  readonly finalState: RestartFinalState;
  readonly exitCode: number;
  readonly projectName: string;
  /** The services restarted (or that were to be). */
  readonly services: readonly string[];
  readonly failure: SessionFailure | undefined;
  readonly signal: StopSignal | undefined;
  /** Each restarted service's last status. */
  readonly statuses: readonly ServiceStatus[];
}
