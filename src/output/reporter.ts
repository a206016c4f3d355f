import type { DevSessionEmitted } from '../../machines/dev-session.machine.js';
import type { DevSessionOutput, PlannedCommand, SessionFailure } from '../../machines/dev-session.types.js';
import type { ComposeRunnerObserver } from '../compose/compose-runner.js';

/** Everything a session tells its user, as data; reporters decide how it looks. */
export type SessionEvent =
  | DevSessionEmitted
  | {
      readonly type: 'transition';
      readonly from: string | undefined;
      /** The event that caused it (`STOP`, `xstate.done.actor.start`); none for the initial state. */
      readonly event: string | undefined;
      readonly to: string;
    }
  | { readonly type: 'command'; readonly command: PlannedCommand }
  | { readonly type: 'commandOutput'; readonly command: PlannedCommand; readonly line: string }
  | { readonly type: 'commandEnded'; readonly command: PlannedCommand; readonly exitCode: number | undefined }
  /** Container log text from compose: whole lines, each ending in a newline. */
  | { readonly type: 'logs'; readonly text: string }
  | { readonly type: 'diagnostics'; readonly services: readonly string[] }
  /** A failed service's last health-check output (`docker inspect`). */
  | { readonly type: 'healthOutput'; readonly service: string; readonly output: string }
  | { readonly type: 'finished'; readonly output: DevSessionOutput }
  /** A command other than a session failed (`dev down`, `dev plan`). */
  | { readonly type: 'error'; readonly failure: SessionFailure }
  | { readonly type: 'notice'; readonly message: string }
  | { readonly type: 'warning'; readonly message: string };

export interface Reporter {
  report(event: SessionEvent): void;
}

/** Feeds the runner's command notifications into a reporter. */
export function observerFor(reporter: Reporter): ComposeRunnerObserver {
  return {
    commandStarted: (command) => reporter.report({ type: 'command', command }),
    commandOutput: (command, line) => reporter.report({ type: 'commandOutput', command, line }),
    commandEnded: (command, exitCode) => reporter.report({ type: 'commandEnded', command, exitCode }),
  };
}
