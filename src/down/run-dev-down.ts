import type { EventEmitter } from 'node:events';
import { createActor } from 'xstate';
import { devDownMachine, type DevDownEmitted } from '../../machines/dev-down.machine.js';
import type { DevDownOutput } from '../../machines/dev-down.types.js';
import type { DevOptions } from '../../machines/dev-session.types.js';
import { exitCodeTable } from '../../machines/exit-code.js';
import type { Reporter } from '../output/reporter.js';
import { runUntilFinal } from '../signals/run-until-final.js';
import type { createDevDownActors } from './dev-down-actors.js';

export interface RunDevDownOptions {
  readonly options: DevOptions;
  readonly actors: ReturnType<typeof createDevDownActors>;
  readonly reporter: Reporter;
  /** Emits SIGINT/SIGTERM/SIGHUP: `process` in production, an EventEmitter in tests. */
  readonly processLike: EventEmitter;
}

/** What the machine says, in the words the reporter prints. */
function report(event: DevDownEmitted, reporter: Reporter, options: DevOptions): void {
  switch (event.type) {
    case 'planned':
      return reporter.report({ type: 'planned', plan: event.plan, options });
    case 'holderFound': {
      const { holder } = event;
      const waiting = event.waiting === 'asked' ? 'asked it to stop, waiting' : 'it is tearing down already; waiting';
      return reporter.report({
        type: 'notice',
        message: `project ${holder.project} has a live session (pid ${holder.pid}, ${holder.state}); ${waiting}`,
      });
    }
    case 'forcingHolder':
      return reporter.report({
        type: 'warning',
        message: `the live session (pid ${event.holder.pid}) has not ended in ${event.waitedSeconds} s; asking it again, to force its teardown`,
      });
    case 'removed':
      return reporter.report(event);
  }
}

/**
 * Runs the dev-down machine with `actors` until it ends; each stop signal of `processLike`
 * becomes a STOP (and is swallowed after the end). Resolves with the machine's output
 * (failures included); rejects only for a bug that stopped the machine itself.
 */
export function runDevDown(run: RunDevDownOptions): Promise<DevDownOutput> {
  const machine = devDownMachine.provide({ actors: run.actors });
  const actor = createActor(machine, { input: { graceSeconds: run.options.graceSeconds, exitCodes: exitCodeTable } });
  actor.on('*', (event) => report(event, run.reporter, run.options));
  return runUntilFinal(actor, run.processLike);
}
