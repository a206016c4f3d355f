import type { EventEmitter } from 'node:events';
import { createActor } from 'xstate';
import { devRestartMachine, type DevRestartEmitted } from '../../machines/dev-restart.machine.js';
import type { DevRestartOutput, RestartPlan } from '../../machines/dev-restart.types.js';
import type { Reporter } from '../output/reporter.js';
import { runUntilFinal } from '../signals/run-until-final.js';
import type { createDevRestartActors } from './dev-restart-actors.js';

export interface RunDevRestartOptions {
  readonly plan: RestartPlan;
  readonly actors: ReturnType<typeof createDevRestartActors>;
  readonly reporter: Reporter;
  /** Emits SIGINT/SIGTERM/SIGHUP: `process` in production, an EventEmitter in tests. */
  readonly processLike: EventEmitter;
}

/**
 * Runs the restart machine with `actors` until it ends; each stop signal of `processLike`
 * becomes a STOP (and is swallowed after the end). Resolves with the machine's output
 * (failures included); rejects only for a bug that stopped the machine itself.
 */
export function runDevRestart(run: RunDevRestartOptions): Promise<DevRestartOutput> {
  const actor = createActor(devRestartMachine.provide({ actors: run.actors }), { input: run.plan });
  actor.on('*', (event: DevRestartEmitted) => run.reporter.report(event));
  return runUntilFinal(actor, run.processLike);
}
