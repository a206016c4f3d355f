// wait: `stagecraft dev --detach --wait` against `docker compose up --detach --wait` on a
// 3-service stack whose healthchecks pass only after about a second (each service touches
// its ready file 1 s after it starts; checked every 0.5 s). stagecraft decides readiness
// itself from the engine's event stream (SPEC §4); compose polls. Each run has a project of
// its own, removed after it (untimed); the order alternates.
import { image, stackDir } from './lib/stacks.mjs';
import { formatMs } from './lib/stats.mjs';
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
  const ratio = s.median / b.median;
  return {
    name,
    title: 'wait: `stagecraft dev --detach --wait` vs `docker compose up --detach --wait` (3 services with healthchecks, healthy after ~1 s)',
    baseline: { label: 'docker compose up --detach --wait', text: formatMs(b, 0), value: b },
    subject: { label: 'stagecraft dev --detach --wait', text: formatMs(s, 0), value: s },
    ratio,
    target: '≤ 1.05×',
    met: ratio <= 1.05,
    extra: [{ label: 'stagecraft overhead (median difference)', text: `${(s.median - b.median).toFixed(0)} ms` }],
  };
}
