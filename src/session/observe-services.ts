// One `C -p P ps --all --format json` read, as the machines take it: each service's latest
// container (a `run` container or one without a service label is not a service's).
import type { ObservedServices } from '../../machines/dev-session.machine.js';
import type { DevPlan, PlannedCommand } from '../../machines/dev-session.types.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import { parsePsOutput } from '../compose/parse-ps.js';
import { runPlanned } from './describe-failure.js';

export async function observeServices(runner: ComposeRunner, command: PlannedCommand, plan: DevPlan, signal: AbortSignal): Promise<ObservedServices> {
  const { stdout } = await runPlanned(runner, command, plan, signal);
  const observed: Record<string, ObservedServices[string]> = {};
  for (const c of parsePsOutput(command, stdout)) {
    if (c.service === '') continue;
    observed[c.service] = { container: c.name, state: c.state, health: c.health, exitCode: c.exitCode };
  }
  return observed;
}
