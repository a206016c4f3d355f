// The port between the session and compose. No execa here: the session and the
// tests depend on this interface only.
import type { Phase, PlannedCommand } from '../../machines/dev-session.types.js';

/** Why a compose command did not succeed; only the adapter reads process details. */
export type ComposeFailureKind =
  /** The compose command's program (e.g. `docker`) is not on PATH or not executable. */
  | 'docker-missing'
  /** The program runs but has no compose (e.g. `docker: 'compose' is not a docker command`). */
  | 'compose-missing'
  /** Compose runs but cannot reach the engine. */
  | 'daemon-down'
  /** Compose refused the project: compose.yaml invalid (a key, a missing env_file, an unset variable). */
  | 'compose-rejected'
  | 'exit-non-zero'
  /** Stopped through the abort signal (or `stop()`) before it finished. */
  | 'canceled';

/** An expected failure of one command, as data. */
export interface ComposeFailure {
  readonly type: 'compose-failure';
  readonly kind: ComposeFailureKind;
  readonly command: PlannedCommand;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  /** The last lines compose wrote to stderr. */
  readonly stderrTail: string;
}

export interface CommandResult {
  /** Captured stdout (empty for followed commands: their output went to the sink). */
  readonly stdout: string;
  readonly stderrTail: string;
}

/** Receives each line a running command prints, as it prints it: compose's progress, as it goes. */
export type LineListener = (line: string, stream: 'stdout' | 'stderr') => void;

/** Receives a followed command's stdout as text made of whole lines only. */
export type OutputSink = (text: string) => void;

/** A long-running command whose output is being followed. The runner owns the child. */
export interface FollowedProcess {
  /** Resolves when the child exits 0 or was stopped; rejects with a `ComposeFailure` otherwise. */
  readonly done: Promise<CommandResult>;
  /** Ends the child (its whole process group); `done` then resolves. Safe to call twice. */
  stop(): void;
}

/** Told about every command the runner executes: for `--verbose` and event logs. */
export interface ComposeRunnerObserver {
  commandStarted(command: PlannedCommand): void;
  commandOutput(command: PlannedCommand, line: string): void;
  commandEnded(command: PlannedCommand, exitCode: number | undefined, failure: ComposeFailure | undefined): void;
}

/** Runs planned commands; never builds argv itself (SPEC §3: what `plan` prints is what runs). */
export interface ComposeRunner {
  /**
   * Runs to completion and captures stdout. Rejects with a `ComposeFailure` on any failure.
   * With `onLine`, each line of stdout and stderr is also passed on as it comes (and stdout's
   * to the observer too, as compose's own output).
   */
  run(command: PlannedCommand, signal: AbortSignal, onLine?: LineListener): Promise<CommandResult>;
  /** Starts a long-running command whose stdout goes to `sink` as it arrives, whole lines only. */
  follow(command: PlannedCommand, sink: OutputSink): FollowedProcess;
  /**
   * Resolves once every child started so far has exited, or with `phases` every child of those
   * phases. A teardown waits for the start's first: an `up` that was just cancelled may still
   * be creating containers, which a `down` running alongside it would miss; the followers being
   * stopped create nothing, so it need not wait for them. (Cancelled children are SIGKILLed
   * after a bound, so it settles.) With `killAfterMs`, every child still running after that
   * long is SIGKILLed (a forced teardown).
   */
  idle(options?: IdleOptions): Promise<void>;
}

/** What `ComposeRunner.idle` waits for, and how long before it SIGKILLs what is left. */
export interface IdleOptions {
  readonly killAfterMs?: number | undefined;
  readonly phases?: readonly Phase[] | undefined;
}

/** True for the failures the runner rejects with. */
export function isComposeFailure(value: unknown): value is ComposeFailure {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'compose-failure';
}
