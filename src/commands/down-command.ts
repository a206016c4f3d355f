import { toFailure } from '../../machines/dev-session.output.js';
import { exitCodeForFailure, exitCodeForSignal, ExitCode } from '../../machines/exit-code.js';
import type { StopSignal } from '../../machines/dev-session.types.js';
import type { CliFlags } from '../cli/dev-flags.js';
import { loadPlan } from '../plan/load-plan.js';
import { describeFailure } from '../session/describe-failure.js';
import { forwardStopSignals } from '../signals/forward-stop-signals.js';
import { createReporter, createRunner, type CliIo } from './cli-io.js';

/**
 * `stagecraft dev down`: one `down --remove-orphans --timeout G` for the
 * project. Idempotent: compose exits 0 for a project that is already gone.
 * A stop signal cancels it (exit 128+n).
 */
export async function downCommand(flags: CliFlags, io: CliIo): Promise<number> {
  const reporter = createReporter(flags.options, flags.verbose, io);
  const { runner, release } = createRunner(reporter, io);
  const abort = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const stopForwarding = forwardStopSignals(io.process, (signal) => {
    stoppedBy ??= signal;
    abort.abort();
  });
  try {
    const plan = await loadPlan(flags.options, io.cwd);
    reporter.report({ type: 'planned', plan, options: flags.options });
    try {
      await runner.run(plan.teardown, abort.signal);
    } catch (error) {
      if (stoppedBy !== undefined) return exitCodeForSignal(stoppedBy);
      throw describeFailure(error, plan);
    }
    reporter.report({ type: 'notice', message: `removed project ${plan.projectName}` });
    return ExitCode.ok;
  } catch (error) {
    const failure = toFailure(error);
    reporter.report({ type: 'error', failure });
    return exitCodeForFailure(failure);
  } finally {
    stopForwarding();
    release();
  }
}
