import { constants } from 'node:os';
import type { CliFlags } from '../cli/dev-flags.js';
import type { TerminalProcess } from '../compose/execa-compose-runner.js';
import { execCommand as execArgv } from '../plan/day-two-commands.js';
import { forwardStopSignals } from '../signals/forward-stop-signals.js';
import { describeFailure } from '../session/describe-failure.js';
import type { CliIo } from './cli-io.js';
import { runDayTwoCommand } from './day-two-command.js';

/** What `dev exec` was asked to run. */
export interface ExecRequest {
  readonly service: string;
  readonly command: readonly string[];
  /** stagecraft's stdin is a terminal: compose gives the command one too (else `-T`). */
  readonly stdinIsTerminal: boolean;
}

/**
 * `stagecraft dev exec <svc> -- <cmd…>`: runs the command in the service's container on the
 * terminal (src/compose/execa-compose-runner.ts runOnTerminal) and exits with its exit code
 * (128+n when a signal ended it). 1 for bad input or an unknown service; 2 when compose
 * cannot be run. Signals are the command's: no session stops on them.
 */
export function execCommand(flags: CliFlags, request: ExecRequest, io: CliIo): Promise<number> {
  return runDayTwoCommand(flags, io, {
    title: request.stdinIsTerminal ? 'exec' : 'exec (stdin is not a terminal: -T)',
    services: [request.service],
    plan: (target) => execArgv(target, request.service, request.command, request.stdinIsTerminal),
    run: async (command, target, runner) => {
      let child: TerminalProcess | undefined;
      // The listeners keep stagecraft alive, waiting for the command's exit code. Ctrl+C and
      // a hangup reach the command from the terminal itself (it shares the foreground process
      // group); SIGTERM, which `kill` sends to stagecraft's pid alone, is passed on.
      const unlisten = forwardStopSignals(io.process, (signal) => {
        if (signal === 'SIGTERM') child?.signal(signal);
      });
      try {
        child = runner.runOnTerminal(command);
        const end = await child.done;
        return end.exitCode ?? 128 + (constants.signals[end.signal as NodeJS.Signals] ?? 0);
      } catch (error) {
        throw describeFailure(error, target.plan);
      } finally {
        unlisten();
      }
    },
  });
}
