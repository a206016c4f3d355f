import type { DevPlan, PlannedCommand } from '../../machines/dev-session.types.js';
import { engineOf } from './build-plan.js';

/**
 * One JSON object per container: its name and the compose labels that say whose it is
 * (`.Labels` joins them with commas, and a label's value may hold one: read them one by one).
 */
export const portHolderFormat =
  '{"name":{{json .Names}},"project":{{json (.Label "com.docker.compose.project")}},"configFiles":{{json (.Label "com.docker.compose.project.config_files")}}}';

/**
 * The engine's running containers that publish host port `port` (SPEC §5: a taken port names
 * its holder). Run only after `up` failed on that port, like the explain phase's commands.
 */
export function portHolderCommand(plan: DevPlan, port: number): PlannedCommand {
  return { phase: 'explain', argv: [...engineOf(plan.compose), 'ps', '--filter', `publish=${port}`, '--format', portHolderFormat] };
}
