// wait: `stagecraft dev --detach --wait` against `docker compose up --detach --wait` on a
// 3-service stack whose healthchecks pass only after about a second (each service touches
// its ready file 1 s after it starts; checked every 0.5 s). stagecraft decides readiness
// itself from the engine's event stream (SPEC §4); compose polls. Each run has a project of
// its own, removed after it (untimed); the order alternates.
import { image, stackDir } from './lib/stacks.mjs';
import { timeComparison } from './lib/stats.mjs';
import { compareStart } from './start.bench.mjs';

export const name = 'wait';

/** A service that becomes healthy about `readyAfter` seconds after it starts. */
export function slowHealthy(readyAfter = 1) {
  return {
    image,
    pull_policy: 'never',
    init: true,
    command: ['sh', '-c', `sleep ${readyAfter}; touch /tmp/ready; exec sleep 86400`],
    healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ready'], interval: '500ms', timeout: '2s', retries: 30 },
  };
}

export async function run(ctx) {
  const runs = ctx.runs ?? 6;
  const dir = stackDir({ web: slowHealthy(), api: slowHealthy(), worker: slowHealthy() });
  const { b, s } = await compareStart(ctx, { dir, runs, label: 'wait', composeArgs: ['--wait'], stagecraftArgs: ['--wait'] });
  return timeComparison({
    name,
    title: 'wait: `stagecraft dev --detach --wait` vs `docker compose up --detach --wait` (3 services with healthchecks, healthy after ~1 s)',
    baseline: 'docker compose up --detach --wait',
    subject: 'stagecraft dev --detach --wait',
    b,
    s,
    limit: 1.05,
  });
}
