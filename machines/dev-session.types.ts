// The data the dev-session machine works on. Everything here is plain data so
// the machine stays pure: `src/` builds these values and supplies the effects.
import type { ServiceSpec } from './service.types.js';

/** The phases of SPEC §3; every compose command belongs to exactly one. */
export type Phase =
  | 'events'
  | 'start'
  | 'attach'
  | 'teardown'
  | 'forcedTeardown'
  | 'exitCodes'
  | 'diagnostics'
  | 'health'
  | 'explain'
  /** `dev logs`, `dev exec` and `dev restart` (SPEC §2 day-two commands), outside any session. */
  | 'logs'
  | 'exec'
  | 'restart';

/** One command the plan built; the runner executes exactly this argv. */
export interface PlannedCommand {
  readonly phase: Phase;
  readonly argv: readonly string[];
}

/**
 * Removing a project: every container (one-off `run` ones included), network and anonymous
 * volume labelled with it, and nothing else (named volumes stay). compose's `down` without
 * `-f` works from the labels alone, so it needs no compose file, valid or not.
 */
export interface TeardownPlan {
  /** `E ps --all --no-trunc --filter label=com.docker.compose.project=P --format {{.Names}}\t{{.Mounts}}`: read before `down` (the anonymous volumes to remove) and after (nothing may be left). */
  readonly containers: PlannedCommand;
  /** `E network ls --filter label=com.docker.compose.project=P --format {{.Name}}`: read before and after `down`. */
  readonly networks: PlannedCommand;
  /** `C -p P down --remove-orphans [--timeout G]`: no `-f`, so no compose file is read. */
  readonly down: PlannedCommand;
  /** `E volume rm --force`: the anonymous volumes the project's containers had are appended at run time (one already gone is no failure). */
  readonly removeVolumes: PlannedCommand;
}

/** What a teardown found and removed (read before it ran). */
export interface Removal {
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  /** Anonymous volumes of the project's containers. */
  readonly volumes: readonly string[];
}

/** The bound of the failure diagnostics (`ps`, `logs --tail`, health): best effort, never holding the rollback. */
export const diagnoseDeadlineMs = 30_000;

/** The bound of a forced teardown (kill, down --timeout 0, the listings): past it, abandoned. */
export const forcedTeardownDeadlineMs = 20_000;

/** compose's stop timeout for a service that sets no `stop_grace_period`. */
export const defaultStopGraceSeconds = 10;

/** The whole deterministic plan of one session (SPEC §3). */
export interface DevPlan {
  readonly projectName: string;
  /** `--compose-command` as argv (`C` in SPEC §3). */
  readonly compose: readonly string[];
  readonly composeFile: string;
  /** `C -p P -f F events --json`: followed from before `up` (foreground, and `--wait`). */
  readonly events: PlannedCommand;
  readonly start: PlannedCommand;
  /** `logs --follow --timestamps`; re-attached with `--since <time>` appended. */
  readonly attach: PlannedCommand;
  /**
   * `--grace`: the stop timeout the teardown gives every service; absent when unset (each one's
   * `stop_grace_period` holds), so the plan reads back from session.json as it was written.
   */
  readonly graceSeconds?: number;
  /** The longest `stop_grace_period` of compose.yaml's services (compose's default, 10 s, for one that sets none). */
  readonly stopGraceSeconds: number;
  /** SPEC §3 teardown: by the project's label, whatever profiles were active or the file's state. */
  readonly teardown: TeardownPlan;
  /** `C -p P kill`, then the teardown with `down --timeout 0`. */
  readonly forcedTeardown: { readonly kill: PlannedCommand; readonly teardown: TeardownPlan };
  readonly exitCodes: PlannedCommand;
  /** `logs --tail 50`; the failed services are appended at run time. */
  readonly diagnostics: PlannedCommand;
  /** The engine's `inspect` of a container's health; the container id is appended at run time. */
  readonly health: PlannedCommand;
  /** `C version`: run only after a failure, to say what is wrong. */
  readonly explain: PlannedCommand;
  /** Every service of compose.yaml, sorted: what readiness and the ended stack are judged by. */
  readonly services: readonly ServiceSpec[];
  /** Traefik services `--no-traefik` leaves out of `up`'s service list, sorted. */
  readonly leftOut: readonly string[];
  /** Services `up` should leave running or exited 0: not left out by --no-traefik, no `deploy.replicas: 0`, not behind an inactive profile. */
  readonly expectedServices: readonly string[];
  /** Services that would be expected but for `deploy.replicas: 0` (or `scale: 0`): no container, never at fault. */
  readonly scaledToZero: readonly string[];
  /** The `image:` of each expected service that names one, to tell which one compose failed on. */
  readonly serviceImages: Readonly<Record<string, string>>;
}

export type SessionMode = 'foreground' | 'detach';

/** The flags a session runs with, already parsed (not yet validated). */
export interface DevOptions {
  readonly devDir: string;
  readonly projectName: string | undefined;
  readonly mode: SessionMode;
  readonly noTraefik: boolean;
  readonly wait: boolean;
  readonly waitTimeoutSeconds: number;
  /** `--start-timeout`: how long `up` (pulls and builds included) may take before the start fails. */
  readonly startTimeoutSeconds: number;
  /** `--grace`; undefined (the default): each service's `stop_grace_period` holds. */
  readonly graceSeconds: number | undefined;
  readonly keepOnFailure: boolean;
  readonly composeCommand: string;
  /** The active profiles: COMPOSE_PROFILES as compose reads it (comma-separated, trimmed; `*`: every profile). */
  readonly profiles: readonly string[];
}

/** Where a followed log stream got to, so a re-attach loses and repeats no line. */
export interface LogCursor {
  /**
   * `logs --since` this: the earliest of the containers' last line times and the session's
   * first engine event. Undefined when no event bounds a container not seen yet: all again.
   */
  readonly since: string | undefined;
  /** Each service's last line time: lines up to it were shown already. */
  readonly seen: Readonly<Record<string, string>>;
}

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** How one service's container ended, read from `ps --all --format json`. */
export interface ServiceExit {
  readonly service: string;
  readonly state: string;
  readonly exitCode: number;
}

/**
 * Expected failures, as data. Actors reject with one of these; anything else
 * they reject with is a bug and becomes `internal`.
 */
export type SessionFailure =
  | { readonly kind: 'input'; readonly message: string }
  | { readonly kind: 'compose-unavailable'; readonly message: string }
  | { readonly kind: 'engine-unreachable'; readonly message: string }
  | { readonly kind: 'locked'; readonly message: string }
  | { readonly kind: 'command-failed'; readonly message: string }
  | {
      readonly kind: 'start-failed';
      readonly message: string;
      /** What compose said on stderr, for the diagnostics to find the service at fault. */
      readonly stderrTail: string;
      /** Services found at fault by the diagnostics, once they ran. */
      readonly services: readonly string[];
      /** Set when --start-timeout ended the start: its seconds. */
      readonly timedOutSeconds?: number;
    }
  | { readonly kind: 'services-failed'; readonly services: readonly ServiceExit[] }
  | { readonly kind: 'internal'; readonly message: string };

/** A session file left by a process that is gone (SPEC §6): its stack may still run. */
export interface StaleSession {
  readonly project: string;
  readonly pid: number;
  readonly state: string;
  /** The stale session's plan: reconciling runs its teardown. */
  readonly plan: DevPlan;
}

/** What claiming the lock found: it is ours, and maybe a stale session. */
export interface ClaimResult {
  readonly stale: StaleSession | undefined;
}

export type FinalState = 'detached' | 'stopped' | 'failed' | 'abandoned';

/** What the machine hands back when it reaches a final state: all the CLI reads. */
export interface DevSessionOutput {
  readonly finalState: FinalState;
  readonly exitCode: number;
  readonly projectName: string | undefined;
  readonly mode: SessionMode;
  /** The first thing that went wrong, if anything did. */
  readonly failure: SessionFailure | undefined;
  /** A teardown that failed after `failure` (rollback) or after a STOP. */
  readonly teardownFailure: SessionFailure | undefined;
  readonly signal: StopSignal | undefined;
  /** Set when the stack may still exist: the command that removes it. */
  readonly leftBehind: readonly string[] | undefined;
}
