// Pure helpers of the dev-session machine: its context, how failures are read
// from actor errors, and the final output the CLI maps to an exit code.
import { ExitCode, exitCodeForFailure, exitCodeForSignal } from './exit-code.js';
import type {
  DevOptions,
  DevPlan,
  DevSessionOutput,
  FinalState,
  SessionFailure,
  LogCursor,
  StaleSession,
  StopSignal,
} from './dev-session.types.js';
import type { ServiceStatus } from './service.types.js';

/** Why a session stops: a signal, the stack ending by itself, or the engine's events giving out. */
export type StopCause = 'signal' | 'stack-ended' | 'events-lost';

export interface DevSessionContext {
  readonly options: DevOptions;
  readonly plan: DevPlan | undefined;
  /** A session file left by a dead process, found when claiming; cleared once reconciled. */
  readonly stale: StaleSession | undefined;
  readonly failure: SessionFailure | undefined;
  readonly teardownFailure: SessionFailure | undefined;
  readonly signal: StopSignal | undefined;
  readonly stopCause: StopCause | undefined;
  /** Each service's latest status, as its machine reported it. */
  readonly services: Readonly<Record<string, ServiceStatus>>;
  /** Where the log stream got to, for a re-attach. */
  readonly logCursor: LogCursor | undefined;
  /** The engine's time of the first event seen: a floor for a log re-attach's `--since`. */
  readonly firstEventTime: string | undefined;
  /** The command that removes what a rollback kept for inspection (--keep-on-failure). */
  readonly keptForInspection: readonly string[] | undefined;
  /** How many times the events stream ended. */
  readonly eventsLost: number;
  /** `eventsLost` when the stream was last followed again: fewer means it is down now. */
  readonly eventsRestarts: number;
}

const failureKinds: ReadonlySet<string> = new Set<SessionFailure['kind']>([
  'input',
  'compose-unavailable',
  'engine-unreachable',
  'locked',
  'command-failed',
  'start-failed',
  'services-failed',
  'internal',
]);

/**
 * Reads an actor's rejection as a failure. Actors reject with `SessionFailure`
 * values for expected failures; anything else is a bug in stagecraft.
 */
export function toFailure(error: unknown): SessionFailure {
  if (typeof error === 'object' && error !== null && 'kind' in error) {
    const kind = (error as { kind: unknown }).kind;
    if (typeof kind === 'string' && failureKinds.has(kind)) return error as SessionFailure;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { kind: 'internal', message };
}

/** A failure that means compose never ran against the engine: `up` created nothing. */
export function createdNothing(failure: SessionFailure): boolean {
  return failure.kind === 'compose-unavailable' || failure.kind === 'engine-unreachable' || failure.kind === 'input';
}

function exitCodeOf(context: DevSessionContext, finalState: FinalState): number {
  if (finalState === 'detached') return ExitCode.ok;
  if (finalState === 'abandoned') return ExitCode.external;
  const failure = context.failure ?? context.teardownFailure;
  if (failure !== undefined) return exitCodeForFailure(failure);
  if (context.signal !== undefined) return exitCodeForSignal(context.signal);
  return ExitCode.ok;
}

function leftBehindOf(context: DevSessionContext, finalState: FinalState): readonly string[] | undefined {
  // A stale session that was not reconciled (interrupted, or its teardown failed) may still run.
  if (context.stale !== undefined) return context.stale.plan.teardown.down.argv;
  const plan = context.plan;
  if (plan === undefined) return undefined;
  switch (finalState) {
    case 'abandoned':
      return plan.forcedTeardown.teardown.down.argv;
    case 'detached':
      return plan.teardown.down.argv;
    case 'failed': {
      if (context.teardownFailure !== undefined) return plan.teardown.down.argv;
      // Kept for inspection (--keep-on-failure): the rollback left it.
      return context.keptForInspection;
    }
    case 'stopped':
      return undefined;
  }
}

/** The machine's final output (SPEC §4): exit code, final state, project, error. */
export function buildOutput(context: DevSessionContext, finalState: FinalState): DevSessionOutput {
  return {
    finalState,
    exitCode: exitCodeOf(context, finalState),
    projectName: context.plan?.projectName ?? context.options.projectName,
    mode: context.options.mode,
    failure: context.failure,
    teardownFailure: context.teardownFailure,
    signal: context.signal,
    leftBehind: leftBehindOf(context, finalState),
  };
}
