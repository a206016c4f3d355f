import type { PlannedCommand } from '../../machines/dev-session.types.js';
import type { ComposeFailure, ComposeFailureKind } from './compose-runner.js';

/** How a child process ended, as the adapter saw it. */
export interface ProcessEnd {
  /** Node's spawn error code (`ENOENT`, `EACCES`), when the program did not start. */
  readonly spawnCode: string | undefined;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly canceled: boolean;
  readonly stderrTail: string;
}

// What docker and compose print for these cases (docker CLI 20–28, compose v2).
const composeMissing = [/is not a docker command/, /unknown command:? "?compose"?/i, /unknown shorthand flag: 'p'/];
const daemonDown = [/Cannot connect to the Docker daemon/, /error during connect/, /Is the docker daemon running\?/];
// compose 2.x refusing the project before it talks to the engine (it exits 14 or 15 then).
const composeRejected = [
  /^validating .+: /m,
  /^env file .+ not found/m,
  /error while interpolating/,
  /invalid compose project/,
  /^(?:parsing .+: )?yaml: /m,
  /has neither an image nor a build context/,
];

function kindOf(end: ProcessEnd): ComposeFailureKind | undefined {
  if (end.spawnCode !== undefined) return 'docker-missing';
  if (end.canceled) return 'canceled';
  if (end.exitCode === 0) return undefined;
  if (composeMissing.some((re) => re.test(end.stderrTail))) return 'compose-missing';
  if (daemonDown.some((re) => re.test(end.stderrTail))) return 'daemon-down';
  if (composeRejected.some((re) => re.test(end.stderrTail))) return 'compose-rejected';
  return 'exit-non-zero';
}

/** Reads a process end as success (`undefined`) or a typed failure. Pure. */
export function classifyEnd(command: PlannedCommand, end: ProcessEnd): ComposeFailure | undefined {
  const kind = kindOf(end);
  if (kind === undefined) return undefined;
  return {
    type: 'compose-failure',
    kind,
    command,
    exitCode: end.exitCode,
    signal: end.signal,
    stderrTail: end.spawnCode !== undefined ? `${command.argv[0]}: ${end.spawnCode}` : end.stderrTail,
  };
}
