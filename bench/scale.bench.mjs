// scale: a 30-service stack. Start: `stagecraft dev --detach` against `docker compose up
// --detach`; stop: Ctrl+C → exit of a foreground `stagecraft dev` against `docker compose
// down` (of the stack started with `up --detach`). Same method as start and stop, each run
// a project of its own, alternating.
import { service, stackDir } from './lib/stacks.mjs';
import { timeComparison } from './lib/stats.mjs';
import { compareStart } from './start.bench.mjs';
import { compareStop } from './stop.bench.mjs';

export const name = 'scale';

/** `count` services s01…sNN that come up at once and stop at once. */
export function manyServices(count) {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => {
      const id = `s${String(i + 1).padStart(2, '0')}`;
      return [id, service(['sh', '-c', `echo ${id} up; exec sleep 86400`])];
    }),
  );
}

export async function run(ctx) {
  const runs = ctx.runs ?? 3;
  const count = 30;
  const dir = stackDir(manyServices(count));
  const start = await compareStart(ctx, { dir, runs, label: 'scale' });
  const stop = await compareStop(ctx, { dir, runs, label: 'scale-stop' });
  return [
    timeComparison({
      name: 'scale-start',
      title: `scale start: \`stagecraft dev --detach\` vs \`docker compose up --detach\` (${count} services)`,
      baseline: 'docker compose up --detach',
      subject: 'stagecraft dev --detach',
      ...start,
      limit: 1.1,
    }),
    timeComparison({
      name: 'scale-stop',
      title: `scale stop: SIGINT to exit of \`stagecraft dev\` vs \`docker compose down\` (${count} services)`,
      baseline: 'docker compose down',
      subject: 'stagecraft dev, SIGINT → exit',
      ...stop,
      limit: 1.1,
    }),
  ];
}
