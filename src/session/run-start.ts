import type { DevPlan } from '../../machines/dev-session.types.js';
import { ComposeProgressReader } from '../compose/compose-progress-reader.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import { describeFailure } from './describe-failure.js';
import { findPortHolder } from './port-holder.js';
import { describeStartFailure } from './start-failure.js';

/**
 * The start phase: the plan's `up`, its output read as it comes (the reporter gets each
 * service's progress through the runner's observer; what failed building is kept here).
 * Rejects with the failure the user reads: a failed build names its service, step and last
 * lines; a taken port names its holder (SPEC §5).
 */
export async function runStart(runner: ComposeRunner, plan: DevPlan, cwd: string, signal: AbortSignal): Promise<void> {
  const reader = new ComposeProgressReader(plan.projectName);
  try {
    await runner.run(plan.start, signal, (line) => void reader.read(line));
  } catch (error) {
    throw await describeStartFailure(describeFailure(error, plan), {
      plan,
      cwd,
      builds: reader.failedBuilds(),
      findHolder: (conflict) => findPortHolder(conflict, plan, { runner }, signal),
    });
  }
}
