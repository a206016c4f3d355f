// start: `stagecraft dev --detach` on a 3-service stack against `docker compose up
// --detach` on the same files. Each run has a project of its own; the teardown after it
// is not timed. The order alternates (compose first, then stagecraft first).
import { timed } from './lib/proc.mjs';
import { composeFile, projectName, removeProject, service, stackDir } from './lib/stacks.mjs';
import { alternate, formatMs, summarize } from './lib/stats.mjs';

export const name = 'start';

/** Three services that come up at once and stop at once. */
export const threeServices = {
  web: service(['sh', '-c', 'echo web up; exec sleep 86400']),
  api: service(['sh', '-c', 'echo api up; exec sleep 86400']),
  worker: service(['sh', '-c', 'echo worker up; exec sleep 86400']),
};

export async function run(ctx) {
  const runs = ctx.runs ?? 8;
  const dir = stackDir(threeServices);
  const composeUp = async () => {
    const project = projectName('start-compose');
    const result = await timed('docker', ['compose', '-p', project, '-f', composeFile, 'up', '--detach'], { cwd: dir });
    if (result.code !== 0) throw new Error(`compose up failed: ${result.stderr}`);
    removeProject(project);
    return result.ms;
  };
  const stagecraftUp = async () => {
    const project = projectName('start-stagecraft');
    const result = await timed(ctx.cli, ['dev', '--detach', '-p', project], { cwd: dir, env: ctx.cliEnv });
    if (result.code !== 0) throw new Error(`stagecraft dev --detach failed (${result.code}): ${result.stderr}`);
    // `dev down` also removes the session file, so the next run starts clean.
    const down = await timed(ctx.cli, ['dev', 'down', '-p', project], { cwd: dir, env: ctx.cliEnv });
    if (down.code !== 0) throw new Error(`stagecraft dev down failed: ${down.stderr}`);
    removeProject(project);
    return result.ms;
  };
  const { baseline, subject } = await alternate(runs, composeUp, stagecraftUp);
  const b = summarize(baseline);
  const s = summarize(subject);
  const ratio = s.median / b.median;
  return {
    name,
    title: 'start: `stagecraft dev --detach` vs `docker compose up --detach` (3 services)',
    baseline: { label: 'docker compose up --detach', text: formatMs(b, 0), value: b },
    subject: { label: 'stagecraft dev --detach', text: formatMs(s, 0), value: s },
    ratio,
    target: '≤ 1.15×',
    met: ratio <= 1.15,
    extra: [{ label: 'stagecraft overhead (median difference)', text: `${(s.median - b.median).toFixed(0)} ms` }],
  };
}
