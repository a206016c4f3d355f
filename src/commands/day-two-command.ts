// The frame `dev logs`, `dev exec` and `dev restart` share: find the project, build the command, check the
// services it names, then print it (`--dry-run`) or run it.
import { toFailure } from '../../machines/dev-session.output.js';
import type { PlannedCommand } from '../../machines/dev-session.types.js';
import { ExitCode, exitCodeForFailure } from '../../machines/exit-code.js';
import type { CliFlags } from '../cli/dev-flags.js';
import type { ExecaComposeRunner } from '../compose/execa-compose-runner.js';
import type { Reporter } from '../output/reporter.js';
import type { ProjectTarget } from '../plan/day-two-commands.js';
import { formatSections } from '../plan/format-plan.js';
import { createReporter, type CliIo } from './cli-io.js';
import { createGuardedRunner } from './session-runner.js';
import { checkServices, loadProjectTarget } from './project-target.js';

/** One day-two command: the services it names, its planned command, and how it runs. */
export interface DayTwoCommand {
  /** The `# title` of its `--dry-run` section. */
  readonly title: string;
  /** Services the command names: each must be one of the project's. */
  readonly services: readonly string[];
  /** Builds the command; throws an `input` failure for bad arguments. */
  plan(target: ProjectTarget): PlannedCommand;
  /** Runs it; resolves with the exit code, rejects with a failure. */
  run(command: PlannedCommand, target: ProjectTarget, runner: ExecaComposeRunner, reporter: Reporter): Promise<number>;
}

/**
 * Runs a day-two command on the project (SPEC §2), or prints it with `--dry-run`. Resolves
 * with its exit code: 1 for bad input or an unknown service (listing the services), 2 when
 * compose fails, else what `run` says. Its children have ended when it resolves.
 */
export async function runDayTwoCommand(flags: CliFlags, io: CliIo, day2: DayTwoCommand): Promise<number> {
  const reporter = createReporter(flags.options, flags.verbose, io, flags);
  try {
    const target = await loadProjectTarget(flags.options, io.cwd);
    const command = day2.plan(target);
    if (flags.dryRun) {
      await checkServices(target, day2.services, undefined);
      io.stdout.write(formatSections([{ title: day2.title, commands: [command] }]));
      return ExitCode.ok;
    }
    // Its children (a `logs --follow`, the events stream of a restart) die with the CLI, SIGKILL included.
    const { runner, release, guardian } = createGuardedRunner(reporter, io, flags, 'children');
    try {
      await checkServices(target, day2.services, runner);
      return await day2.run(command, target, runner, reporter);
    } finally {
      release();
      guardian?.end();
    }
  } catch (error) {
    const failure = toFailure(error);
    reporter.report({ type: 'error', failure });
    return exitCodeForFailure(failure);
  }
}
