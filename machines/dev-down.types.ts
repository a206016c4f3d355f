// The data the dev-down machine works on: plain values that `src/` builds (reading
// session.json, the plan, the lock) and the machine decides over.
import type { DevPlan, SessionFailure, StopSignal } from './dev-session.types.js';

/**
 * The live stagecraft session named by session.json, as `src/` verified it (its start
 * time and command line match); never a pid that was merely read from the file.
 */
export interface SessionHolder {
  readonly pid: number;
  /** Its start time (clock ticks since boot), checked again before every signal. */
  readonly pidStartTicks: number | null;
  readonly project: string;
  /** `foreground`, `detach`, or `down` (another `dev down`). */
  readonly mode: string;
  /** The machine state it last recorded, dotted; for messages only. */
  readonly state: string;
  /** The tags of that state (`tearingDown`, …); undefined when the record predates tags. */
  readonly tags: readonly string[] | undefined;
}

/** What reading session.json found. */
export interface RecordSurvey {
  /** The project a valid record names (live or stale); undefined without a record. */
  readonly recordedProject: string | undefined;
  /** Set when a live stagecraft session other than this process holds the record. */
  readonly holder: SessionHolder | undefined;
}

/** What `dev down` tears down after taking the lock. */
export interface LockTaken {
  /**
   * The teardown plan of the other project a stale record named, rebuilt from the
   * current flags and that project's name; undefined when it named this project or none.
   */
  readonly stalePlan: DevPlan | undefined;
}

/** `sent`: the holder was signalled; `gone`: it had ended (or is no stagecraft session any more). */
export type SignalResult = 'sent' | 'gone';

/** SPEC §5 as data: the exit codes reach the machine through its input, so it imports no values. */
export interface ExitCodeTable {
  readonly ok: number;
  readonly failures: Readonly<Record<SessionFailure['kind'], number>>;
  /** 128 + n for each stop signal. */
  readonly signals: Readonly<Record<StopSignal, number>>;
}

export type DevDownOutcome = 'done' | 'failed' | 'interrupted';

/** All the command reads once the machine has ended. */
export interface DevDownOutput {
  readonly outcome: DevDownOutcome;
  readonly exitCode: number;
  readonly failure: SessionFailure | undefined;
  readonly signal: StopSignal | undefined;
  readonly projectName: string | undefined;
}
