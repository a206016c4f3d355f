import type { ExitCodeTable } from './dev-down.types.js';
import type { SessionFailure, StopSignal } from './dev-session.types.js';

/** The exit codes of SPEC §5. */
export const ExitCode = {
  ok: 0,
  input: 1,
  external: 2,
  internal: 3,
  locked: 4,
} as const;

const signalNumbers: Record<StopSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** 128 + n, the shell's convention for "ended by signal n". */
export function exitCodeForSignal(signal: StopSignal): number {
  return 128 + signalNumbers[signal];
}

// A Record over every failure kind: adding a kind without a code fails to compile.
const failureExitCodes: Record<SessionFailure['kind'], number> = {
  input: ExitCode.input,
  locked: ExitCode.locked,
  internal: ExitCode.internal,
  'compose-unavailable': ExitCode.external,
  'engine-unreachable': ExitCode.external,
  'command-failed': ExitCode.external,
  'start-failed': ExitCode.external,
  'services-failed': ExitCode.external,
};

/** The exit code a failure maps to (SPEC §5). */
export function exitCodeForFailure(failure: SessionFailure): number {
  return failureExitCodes[failure.kind];
}

/** The same table as data, for a machine that takes it through its input (machines/dev-down.machine.ts). */
export const exitCodeTable: ExitCodeTable = {
  ok: ExitCode.ok,
  failures: failureExitCodes,
  signals: { SIGHUP: exitCodeForSignal('SIGHUP'), SIGINT: exitCodeForSignal('SIGINT'), SIGTERM: exitCodeForSignal('SIGTERM') },
};
