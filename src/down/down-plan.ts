// The plans `dev down` tears down with. Every argv comes from the current flags and a
// project name, never from session.json (issue 11 item 8): a record names at most the
// project, which is checked against compose's pattern before it reaches argv.
import { toFailure } from '../../machines/dev-session.output.js';
import type { DevOptions, DevPlan } from '../../machines/dev-session.types.js';
import { composeFileIn } from '../dev-files/read-dev-files.js';
import { buildPlan } from '../plan/build-plan.js';
import { checkProjectName } from '../plan/check-flags.js';
import { loadPlan } from '../plan/load-plan.js';

/**
 * The plan of `project` with the current flags, as if the dev files named it and held
 * no service: its teardown is the one `dev` would run (teardown takes no service list).
 * Throws an `input` failure for bad flags or a project name compose would refuse.
 */
export function planForProject(options: DevOptions, project: string, source: string): DevPlan {
  checkProjectName(project, source);
  const devDir = options.devDir;
  return buildPlan({ devDir, composeFile: composeFileIn(devDir), name: project, services: [] }, { ...options, projectName: project });
}

/**
 * The dev files' plan; when they are gone or invalid (an `input` failure), the plan of the
 * project `--project-name` or else the session file names, so `dev down` and `dev status`
 * work with a broken or deleted compose file.
 */
export async function loadDownPlan(options: DevOptions, cwd: string, recordedProject: string | undefined): Promise<DevPlan> {
  try {
    return await loadPlan(options, cwd);
  } catch (error) {
    // `--project-name` (or the record) names the project: its teardown needs no dev files.
    const project = options.projectName ?? recordedProject;
    if (project === undefined || toFailure(error).kind !== 'input') throw error;
    return planForProject(options, project, options.projectName === undefined ? 'the session file' : '--project-name');
  }
}
