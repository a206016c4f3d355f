// The argv of the day-two commands (SPEC §2): `dev logs`, `dev exec` and `dev restart` run compose on the
// project `dev` runs, without the user retyping `-p`/`-f`. Pure, as build-plan.ts is: what
// `--dry-run` prints is what runs.
import type { RestartPlan } from '../../machines/dev-restart.types.js';
import type { DevOptions, DevPlan, PlannedCommand } from '../../machines/dev-session.types.js';
import { inputFailure } from '../util/input-failure.js';
import { diagnosticsTail } from './build-plan.js';

/** The project a day-two command works on. */
export interface ProjectTarget {
  /** The plan of the project: its compose command and name, and what failure messages cite. */
  readonly plan: DevPlan;
  /** The compose file (`-f`) when the dev files are readable; undefined: the project's containers, by its label alone. */
  readonly composeFile: string | undefined;
  /** compose.yaml's services, when it is readable; undefined: only the engine knows. */
  readonly services: readonly string[] | undefined;
}

/** What `dev logs` was asked for. */
export interface LogsRequest {
  readonly services: readonly string[];
  readonly follow: boolean;
  /** `--tail`: a number of lines, or `all`. */
  readonly tail: string | undefined;
  /** `--since`: a time or a duration, as compose reads it. */
  readonly since: string | undefined;
}

// What compose's `--since` reads (docker's GetTimestamp): a Go duration (`42m`, `1h30m`), a
// Unix time (`1700000000`, with a fraction), or a date with an optional time and zone.
const goDuration = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const unixTime = /^\d+(?:\.\d+)?$/;
const dateTime = /^\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?)?(?:Z|[+-]\d\d:\d\d)?$/;

/** `C -p P -f F`, or `C -p P` when the dev files are gone (compose then works from the project's label). */
function projectArgv(target: ProjectTarget): string[] {
  const { compose, projectName } = target.plan;
  return target.composeFile === undefined ? [...compose, '-p', projectName] : [...compose, '-p', projectName, '-f', target.composeFile];
}

/** Checks `--tail` and `--since`; throws an `input` failure naming the flag. */
function checkLogsFlags(request: LogsRequest): void {
  if (request.tail !== undefined && !/^(?:all|0|[1-9]\d*)$/.test(request.tail)) {
    throw inputFailure(`--tail takes a number of lines or \`all\` (got ${JSON.stringify(request.tail)})`);
  }
  const since = request.since;
  if (since !== undefined && !goDuration.test(since) && !unixTime.test(since) && !dateTime.test(since)) {
    throw inputFailure(
      `--since takes a duration (\`10m\`, \`1h30m\`), a date and time (\`2026-12-01T15:24:10Z\`, \`2026-12-01\`) or a Unix time (got ${JSON.stringify(since)})`,
    );
  }
}

/**
 * `C -p P [-f F] logs [--follow] [--tail N] [--since T] [svc…]`. compose always prints its
 * `api-1  | ` prefix: `--no-log-prefix` is the reporter's, as in a session. Throws an
 * `input` failure for a bad `--tail` or `--since`.
 */
export function logsCommand(target: ProjectTarget, request: LogsRequest): PlannedCommand {
  checkLogsFlags(request);
  const argv = [...projectArgv(target), 'logs'];
  if (request.follow) argv.push('--follow');
  if (request.tail !== undefined) argv.push('--tail', request.tail);
  if (request.since !== undefined) argv.push('--since', request.since);
  return { phase: 'logs', argv: [...argv, ...request.services] };
}

/**
 * `C -p P [-f F] exec [-T] <svc> <cmd…>`: `-T` (no pseudo-terminal) when stdin is not a
 * terminal, as `docker compose exec` needs to read a pipe. compose reads no option after
 * the service, so the command goes as given. Throws an `input` failure for no command.
 */
export function execCommand(target: ProjectTarget, service: string, command: readonly string[], stdinIsTerminal: boolean): PlannedCommand {
  if (command.length === 0) {
    throw inputFailure(`name the command to run in ${service}: stagecraft dev exec ${service} -- <command…> (e.g. -- sh)`);
  }
  return { phase: 'exec', argv: [...projectArgv(target), 'exec', ...(stdinIsTerminal ? [] : ['-T']), service, ...command] };
}

/**
 * Everything `dev restart [svc…]` may run: `C -p P [-f F] restart [--timeout G] [svc…]`
 * (`--timeout` only with `--grace`: unset, each service's `stop_grace_period` holds), the
 * events stream and diagnostics on the same project, and the file-less `ps`. Its bound is
 * the longest stop grace plus `--start-timeout`.
 */
export function restartPlan(target: ProjectTarget, services: readonly string[], options: DevOptions): RestartPlan {
  const project = projectArgv(target);
  const { plan } = target;
  const grace = plan.graceSeconds === undefined ? [] : ['--timeout', String(plan.graceSeconds)];
  const named = [...new Set(services)];
  return {
    projectName: plan.projectName,
    named,
    services: plan.services,
    survey: plan.exitCodes,
    events: { phase: 'events', argv: [...project, 'events', '--json'] },
    restart: { phase: 'restart', argv: [...project, 'restart', ...grace, ...named] },
    diagnostics: { phase: 'diagnostics', argv: [...project, 'logs', '--tail', String(diagnosticsTail)] },
    health: plan.health,
    restartTimeoutSeconds: (plan.graceSeconds ?? plan.stopGraceSeconds) + options.startTimeoutSeconds,
    waitTimeoutSeconds: options.waitTimeoutSeconds,
  };
}

/**
 * The `input` failure for services `known` does not have, listing the known ones; undefined
 * when every one of `named` is known.
 */
export function unknownServicesFailure(named: readonly string[], known: readonly string[], projectName: string) {
  const unknown = named.filter((service) => !known.includes(service));
  if (unknown.length === 0) return undefined;
  const names = unknown.map((service) => JSON.stringify(service)).join(', ');
  const services = known.length === 0 ? 'it has none (no container exists; start it with `stagecraft dev`)' : `its services: ${[...known].sort().join(', ')}`;
  return inputFailure(`no service ${names} in project ${projectName}; ${services}`);
}
