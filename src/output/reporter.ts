import type { DevRestartEmitted } from '../../machines/dev-restart.machine.js';
import type { DevSessionEmitted } from '../../machines/dev-session.machine.js';
import type { DevSessionOutput, PlannedCommand, SessionFailure } from '../../machines/dev-session.types.js';
import { ComposeProgressReader, type ComposeProgress } from '../compose/compose-progress-reader.js';
import type { ComposeRunnerObserver } from '../compose/compose-runner.js';
import { ComposeWarnings } from './compose-warnings.js';

/** Everything a session tells its user, as data; reporters decide how it looks. */
export type SessionEvent =
  | DevSessionEmitted
  /** `dev restart`: what it restarts, that they are ready, or where a stop signal found it. */
  | Extract<DevRestartEmitted, { type: 'restarting' | 'restarted' | 'restartInterrupted' }>
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
  /** What compose said a service is doing while `up` or `down` ran (pulling, building step k/n, removed…). */
  | { readonly type: 'progress'; readonly progress: ComposeProgress }
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

/** The project a compose command of the plan is about (`C -p P …`), if it names one. */
function projectOf(command: PlannedCommand): string | undefined {
  const at = command.argv.indexOf('-p');
  return at === -1 ? undefined : command.argv[at + 1];
}

/** The phases whose compose output says how each service is getting on. */
const progressPhases: ReadonlySet<PlannedCommand['phase']> = new Set(['start', 'teardown', 'forcedTeardown']);

/**
 * Feeds the runner's command notifications into a reporter, and reads the progress of each
 * service out of the output of `up` and `down` (the lines compose prints as it works).
 */
export function observerFor(reporter: Reporter): ComposeRunnerObserver {
  const readers = new Map<PlannedCommand, ComposeProgressReader>();
  const warnings = new ComposeWarnings();
  return {
    commandStarted: (command) => {
      const project = projectOf(command);
      if (project !== undefined && progressPhases.has(command.phase)) readers.set(command, new ComposeProgressReader(project));
      reporter.report({ type: 'command', command });
    },
    commandOutput: (command, line) => {
      reporter.report({ type: 'commandOutput', command, line });
      const warning = warnings.fresh(line);
      if (warning !== undefined) reporter.report({ type: 'warning', message: `compose: ${warning}` });
      for (const progress of readers.get(command)?.read(line) ?? []) reporter.report({ type: 'progress', progress });
    },
    commandEnded: (command, exitCode) => {
      readers.delete(command);
      reporter.report({ type: 'commandEnded', command, exitCode });
    },
  };
}
