// scale: a 30-service stack. Start: `stagecraft dev --detach` against `docker compose up
// --detach`; stop: Ctrl+C → exit of a foreground `stagecraft dev` against `docker compose
// down` (of the stack started with `up --detach`). Same method as start and stop, each run
// a project of its own, alternating.
import { service, stackDir } from './lib/stacks.mjs';
import { formatMs } from './lib/stats.mjs';
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
  const runs = ctx.runs ?? 4;
  const count = 30;
  const dir = stackDir(manyServices(count));
  const start = await compareStart(ctx, { dir, runs, label: 'scale' });
  const stop = await compareStop(ctx, { dir, runs, label: 'scale-stop' });
  const result = (key, title, baseLabel, subjectLabel, { b, s }) => ({
    name: key,
    title,
    baseline: { label: baseLabel, text: formatMs(b, 0), value: b },
    subject: { label: subjectLabel, text: formatMs(s, 0), value: s },
    ratio: s.median / b.median,
    target: '≤ 1.10×',
    met: s.median / b.median <= 1.1,
    extra: [{ label: 'stagecraft overhead (median difference)', text: `${(s.median - b.median).toFixed(0)} ms` }],
  });
  return [
    result('scale-start', `scale start: \`stagecraft dev --detach\` vs \`docker compose up --detach\` (${count} services)`, 'docker compose up --detach', 'stagecraft dev --detach', start),
    result('scale-stop', `scale stop: SIGINT to exit of \`stagecraft dev\` vs \`docker compose down\` (${count} services)`, 'docker compose down', 'stagecraft dev, SIGINT → exit', stop),
  ];
}
