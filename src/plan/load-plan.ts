import type { DevOptions, DevPlan } from '../../machines/dev-session.types.js';
import { readDevFiles } from '../dev-files/read-dev-files.js';
import { buildPlan } from './build-plan.js';
import { checkFlags } from './check-flags.js';

/**
 * Checks the flags, reads the dev files under `cwd` and builds the plan.
 * Resolves with the plan; rejects with an `input` failure (exit 1).
 */
export async function loadPlan(options: DevOptions, cwd: string): Promise<DevPlan> {
  checkFlags(options); // bad flags fail before any file is read
  const files = await readDevFiles(options.devDir, cwd);
  return buildPlan(files, options);
}
