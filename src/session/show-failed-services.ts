// What a failed service left to read (SPEC §3 diagnostics): its last log lines (`logs --tail 50
// svc…`) and, for one with a healthcheck, its last health-check output (the engine's
// `inspect`). Best effort: a failure here only means less to read. The session's rollback and
// `dev restart` both show it this way.
import type { PlannedCommand } from '../../machines/dev-session.types.js';
import type { ServiceStatus } from '../../machines/service.types.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { Reporter } from '../output/reporter.js';
import { lastHealthOutput } from './health-output.js';

export interface FailedServices {
  /** `C -p P [-f F] logs --tail 50`: the services are appended. */
  readonly diagnostics: PlannedCommand;
  /** `E inspect --format {{json .State.Health}}`: a container id is appended. */
  readonly health: PlannedCommand;
  readonly services: readonly string[];
  /** The services' statuses, for their healthchecks and container ids. */
  readonly statuses: readonly ServiceStatus[];
}

/** Prints `failed`'s last log lines and health-check output; resolves when done or `signal` aborts. */
export async function showFailedServices(runner: ComposeRunner, reporter: Reporter, failed: FailedServices, signal: AbortSignal): Promise<void> {
  const { services } = failed;
  reporter.report({ type: 'diagnostics', services });
  const logs = (text: string): void => reporter.report({ type: 'logs', text });
  const followed = runner.follow({ ...failed.diagnostics, argv: [...failed.diagnostics.argv, ...services] }, logs);
  signal.addEventListener('abort', () => followed.stop(), { once: true });
  await followed.done.catch(() => undefined);
  for (const status of failed.statuses) {
    if (!services.includes(status.service) || !status.healthcheck || status.container === undefined) continue;
    const command = { ...failed.health, argv: [...failed.health.argv, status.container] };
    const result = await runner.run(command, signal).catch(() => undefined);
    const output = result === undefined ? undefined : lastHealthOutput(result.stdout);
    if (output !== undefined) reporter.report({ type: 'healthOutput', service: status.service, output });
  }
}
