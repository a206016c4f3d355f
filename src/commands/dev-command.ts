import type { CliFlags } from '../cli/dev-flags.js';
import { runDevSession } from '../session/run-dev-session.js';
import { createReporter, createRunner, type CliIo } from './cli-io.js';
import { planCommand } from './plan-command.js';

/**
 * `stagecraft dev` (foreground or `--detach`): runs one session and resolves
 * with its exit code once every child it started has ended.
 */
export async function devCommand(flags: CliFlags, io: CliIo): Promise<number> {
  if (flags.dryRun) return planCommand(flags, io);
  const reporter = createReporter(flags.options, flags.verbose, io);
  const { runner, release } = createRunner(reporter, io);
  try {
    const output = await runDevSession({
      options: flags.options,
      runner,
      reporter,
      cwd: io.cwd,
      signals: io.process,
    });
    reporter.report({ type: 'finished', output });
    return output.exitCode;
  } finally {
    release();
  }
}
