import type { StopSignal } from '../../machines/dev-session.types.js';
import type { CliFlags } from '../cli/dev-flags.js';
import { logsCommand as logsArgv, type LogsRequest } from '../plan/day-two-commands.js';
import { exitCodeAfterStop } from '../signals/asked-stop.js';
import { forwardStopSignals } from '../signals/forward-stop-signals.js';
import { describeFailure } from '../session/describe-failure.js';
import type { CliIo } from './cli-io.js';
import { runDayTwoCommand } from './day-two-command.js';

/**
 * `stagecraft dev logs [svc…] [-f] [--tail N] [--since T]`: the project's logs, through the
 * plan's project and file, into the reporter as a session's (prefix colours, `--no-log-prefix`).
 * Exit 0 once compose ends them or Ctrl+C does (nothing to tear down); 1 for bad input or a
 * service the project does not have; 2 when compose fails.
 */
export function logsCommand(flags: CliFlags, request: LogsRequest, io: CliIo): Promise<number> {
  return runDayTwoCommand(flags, io, {
    title: 'logs',
    services: request.services,
    plan: (target) => logsArgv(target, request),
    run: async (command, target, runner, reporter) => {
      const followed = runner.follow(command, (text) => reporter.report({ type: 'logs', text }));
      let stoppedBy: StopSignal | undefined;
      // A signal only ends the stream (compose runs in its own process group, so it is ours to stop).
      const unlisten = forwardStopSignals(io.process, (signal) => {
        stoppedBy ??= signal;
        followed.stop();
      });
      try {
        await followed.done;
      } catch (error) {
        if (stoppedBy === undefined) throw describeFailure(error, target.plan);
      } finally {
        unlisten();
      }
      return exitCodeAfterStop(stoppedBy);
    },
  });
}
