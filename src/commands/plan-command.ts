import { exitCodeForFailure, ExitCode } from '../../machines/exit-code.js';
import { toFailure } from '../../machines/dev-session.output.js';
import type { CliFlags } from '../cli/dev-flags.js';
import { formatPlan } from '../plan/format-plan.js';
import { loadPlan } from '../plan/load-plan.js';
import { createReporter, type CliIo } from './cli-io.js';

/** `stagecraft dev plan` and `--dry-run`: prints the plan to stdout, runs nothing. */
export async function planCommand(flags: CliFlags, io: CliIo): Promise<number> {
  const reporter = createReporter(flags.options, flags.verbose, io);
  try {
    const plan = await loadPlan(flags.options, io.cwd);
    reporter.report({ type: 'planned', plan, options: flags.options });
    io.stdout.write(formatPlan(plan, flags.options.mode, flags.options.keepOnFailure, flags.options.wait));
    return ExitCode.ok;
  } catch (error) {
    const failure = toFailure(error);
    reporter.report({ type: 'error', failure });
    return exitCodeForFailure(failure);
  }
}
