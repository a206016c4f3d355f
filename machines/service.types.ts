// The data of one service's lifecycle (SPEC §4): what compose.yaml says about it,
// what the engine said it did, and the status each service machine reports to the
// session. Plain data only: the machines stay pure.

/** A service's restart policy (`restart:` or `deploy.restart_policy`). */
export interface RestartPolicy {
  readonly kind: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  /** `on-failure:N`: at most N restarts; unset, no limit. */
  readonly maxRetries?: number;
}

/** What the session needs to know of one compose service. */
export interface ServiceSpec {
  readonly name: string;
  /** Has a healthcheck in compose.yaml (not disabled): ready means healthy. */
  readonly healthcheck: boolean;
  readonly restart: RestartPolicy;
  /** Behind a profile: started only when the profile is active, so not expected by default. */
  readonly profiled: boolean;
}

/** One line of `compose events --json`, typed (src/compose/compose-events.ts parses it). */
export type EngineEvent =
  | { readonly action: 'create' | 'start' | 'kill' | 'destroy'; readonly service: string; readonly container: string; readonly time: string }
  | { readonly action: 'die'; readonly service: string; readonly container: string; readonly time: string; readonly exitCode: number }
  | {
      readonly action: 'health';
      readonly service: string;
      readonly container: string;
      readonly time: string;
      readonly health: 'healthy' | 'unhealthy';
    };

/** The states of the service machine, by name (the session records and reports them). */
export type ServiceState =
  | 'pending'
  | 'created'
  | 'starting'
  | 'running'
  | 'healthy'
  | 'unhealthy'
  | 'stopping'
  | 'restarting'
  | 'exited'
  | 'stopped'
  | 'removed';

/** What a service machine tells the session on each change of state. */
export interface ServiceStatus {
  readonly service: string;
  readonly state: ServiceState;
  /** Ready by SPEC §4: healthy (healthcheck), running (none), or exited 0 for good. */
  readonly ready: boolean;
  /** Still running or about to (pending, created, starting, restarting…): the stack has not ended. */
  readonly active: boolean;
  /** Exited non-zero for good, or unhealthy. */
  readonly failed: boolean;
  /** From the last `die` event. */
  readonly exitCode: number | undefined;
  /** Restarts seen so far. */
  readonly restarts: number;
  /** The container the last event was about (for `docker inspect`). */
  readonly container: string | undefined;
  readonly healthcheck: boolean;
}

/** Why a service that is not ready is not: for the `--wait` timeout's message. */
export function waitingFor(status: ServiceStatus): string {
  switch (status.state) {
    case 'pending':
      return 'not created yet';
    case 'created':
      return 'created, not started';
    case 'starting':
      return 'waiting for healthy';
    case 'unhealthy':
      return 'unhealthy';
    case 'restarting':
      return `restarting (${status.restarts})`;
    case 'stopping':
      return 'being stopped';
    case 'exited':
      return `exited with code ${status.exitCode ?? '?'}`;
    case 'stopped':
      return `stopped (exit code ${status.exitCode ?? '?'})`;
    case 'removed':
      return 'its container was removed';
    case 'running':
    case 'healthy':
      return 'ready';
  }
}
