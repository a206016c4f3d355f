import { holderTearingDown } from '../../machines/dev-down.machine.js';
import { toFailure } from '../../machines/dev-session.output.js';
import type { DevPlan } from '../../machines/dev-session.types.js';
import { exitCodeForFailure, ExitCode } from '../../machines/exit-code.js';
import type { CliFlags } from '../cli/dev-flags.js';
import { createDevDownActors, surveyRecord, type DevDownDeps } from '../down/dev-down-actors.js';
import { loadDownPlan, planForProject } from '../down/down-plan.js';
import { runDevDown } from '../down/run-dev-down.js';
import type { Reporter } from '../output/reporter.js';
import { formatSections, teardownSection, type PlanSection } from '../plan/format-plan.js';
import { procProcessControl } from '../session-file/process-control.js';
import { heldElsewhere, ProjectLock } from '../session-file/project-lock.js';
import { sessionFilePath } from '../session-file/session-file.js';
import { SessionLock } from '../session-file/session-lock.js';
import { lockedFailure } from '../session/session-claims.js';
import { createReporter, type CliIo } from './cli-io.js';
import { createRunner } from './cli-runner.js';

/** `dev down --dry-run`: what the machine would do, in `dev plan`'s format; it runs and signals nothing. */
async function downPlan(deps: Omit<DevDownDeps, 'runner' | 'lock'>, locks: ProjectLock): Promise<string> {
  const survey = await surveyRecord(deps);
  const plan: DevPlan = await loadDownPlan(deps.options, deps.cwd, survey.recordedProject);
  const elsewhere = await heldElsewhere(locks, plan.projectName, deps.sessionFile);
  if (elsewhere !== undefined) {
    const failure = lockedFailure(elsewhere);
    return formatSections([{ title: `nothing: it would exit 4, because ${failure.message}`, commands: [] }]);
  }
  const sections: PlanSection[] = [];
  const { holder, recordedProject } = survey;
  if (holder !== undefined) {
    const session = `the live session (pid ${holder.pid}, ${holder.state})`;
    const first = holderTearingDown(holder) ? `wait for ${session} to finish its teardown` : `ask ${session} to stop with SIGTERM, and wait for it`;
    sections.push({ title: `first: ${first}`, commands: [] });
  } else if (
    recordedProject !== undefined &&
    recordedProject !== plan.projectName &&
    (await locks.holder(recordedProject)) === undefined
  ) {
    const stale = planForProject(deps.options, recordedProject, `the stale session file ${deps.sessionFile}`);
    sections.push(teardownSection(`teardown of ${recordedProject}`, 'named by the stale session file', stale.teardown));
  }
  sections.push(teardownSection('teardown', undefined, plan.teardown));
  return formatSections(sections);
}

function reportFailure(error: unknown, reporter: Reporter): number {
  const failure = toFailure(error);
  reporter.report({ type: 'error', failure });
  return exitCodeForFailure(failure);
}

/**
 * `stagecraft dev down`: the dev-down machine (machines/dev-down.machine.ts) with the real
 * effects. A live session holding the project is asked to stop first; then, holding the
 * lock, `down --remove-orphans --timeout G` for the project (and for another project a
 * stale session file names), and the session file is removed. Idempotent. A stop signal
 * cancels it (exit 128+n). Resolves with the exit code.
 */
export async function downCommand(flags: CliFlags, io: CliIo): Promise<number> {
  const reporter = createReporter(flags.options, flags.verbose, io);
  const sessionFile = sessionFilePath(flags.options.devDir, io.cwd);
  const locks = new ProjectLock(io.env);
  const base = { options: flags.options, cwd: io.cwd, sessionFile, processes: procProcessControl, reporter, ownPid: process.pid, locks };
  if (flags.dryRun) {
    try {
      io.stdout.write(await downPlan(base, locks));
      return ExitCode.ok;
    } catch (error) {
      return reportFailure(error, reporter);
    }
  }
  const { runner, release } = createRunner(reporter, io);
  // The stack must be removable even when the dev dir is read-only or full: a record that
  // cannot be written is a warning here, not a failure.
  const warnUnrecorded = (message: string): void => reporter.report({ type: 'warning', message });
  const lock = new SessionLock(sessionFile, 'down', { lock: locks, warnUnrecorded });
  try {
    const actors = createDevDownActors({ ...base, runner, lock });
    const output = await runDevDown({ options: flags.options, actors, reporter, processLike: io.process });
    if (output.failure !== undefined) reporter.report({ type: 'error', failure: output.failure });
    return output.exitCode;
  } catch (error) {
    return reportFailure(error, reporter);
  } finally {
    release();
  }
}
