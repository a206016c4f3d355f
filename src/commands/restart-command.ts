import type { CliFlags } from '../cli/dev-flags.js';
import { restartPlan } from '../plan/day-two-commands.js';
import { createDevRestartActors } from '../restart/dev-restart-actors.js';
import { runDevRestart } from '../restart/run-dev-restart.js';
import type { CliIo } from './cli-io.js';
import { runDayTwoCommand } from './day-two-command.js';

/**
 * `stagecraft dev restart [svc…]`: the restart machine (machines/dev-restart.machine.ts) on
 * the running project: `restart` the services named (all that have a container when none is),
 * then wait until each is ready again by the start's rules. Exit 0 when they are; 1 when the
 * project is not running or a service is unknown or has no container; 2 when the restart
 * fails or a restarted service fails or is not ready within --wait-timeout (named, with its
 * last log lines); 128+n on a stop signal (the services keep running).
 */
export function restartCommand(flags: CliFlags, services: readonly string[], io: CliIo): Promise<number> {
  return runDayTwoCommand(flags, io, {
    title: 'restart (then wait until the services restarted are ready, up to --wait-timeout)',
    services,
    plan: (target) => restartPlan(target, services, flags.options).restart,
    run: async (_command, target, runner, reporter) => {
      const plan = restartPlan(target, services, flags.options);
      const actors = createDevRestartActors({ runner, reporter, plan: target.plan });
      const output = await runDevRestart({ plan, actors, reporter, processLike: io.process });
      // The machine has stopped its children (the events stream, an interrupted restart): they end before it answers.
      await runner.idle();
      if (output.failure !== undefined) reporter.report({ type: 'error', failure: output.failure });
      return output.exitCode;
    },
  });
}
