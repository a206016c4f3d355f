// start: `stagecraft dev --detach` on a 3-service stack against `docker compose up
// --detach` on the same files. Each run has a project of its own; the teardown after it
// is not timed. The order alternates (compose first, then stagecraft first). After the
// timed runs, a few more stagecraft starts with a timeline (bench/lib/start-breakdown.mjs)
// show where its time before and after `up` goes.
import { startBreakdown } from './lib/start-breakdown.mjs';
import { timed } from './lib/proc.mjs';
import { composeFile, projectName, removeProject, service, stackDir } from './lib/stacks.mjs';
import { alternate, summarize, timeComparison } from './lib/stats.mjs';

export const name = 'start';

/** Three services that come up at once and stop at once. */
export const threeServices = {
  web: service(['sh', '-c', 'echo web up; exec sleep 86400']),
  api: service(['sh', '-c', 'echo api up; exec sleep 86400']),
  worker: service(['sh', '-c', 'echo worker up; exec sleep 86400']),
};

/**
 * `docker compose up --detach <composeArgs>` against `stagecraft dev --detach <stagecraftArgs>`
 * in `dir`, `runs` of each, alternating; each run a project of its own, removed after it
 * (untimed). Resolves with both summaries.
 */
export async function compareStart(ctx, { dir, runs, label, composeArgs = [], stagecraftArgs = [] }) {
  const composeUp = async () => {
    const project = projectName(`${label}-compose`);
    const result = await timed('docker', ['compose', '-p', project, '-f', composeFile, 'up', '--detach', ...composeArgs], { cwd: dir });
    if (result.code !== 0) throw new Error(`compose up failed: ${result.stderr}`);
    removeProject(project);
    return result.ms;
  };
  const stagecraftUp = async () => {
    const project = projectName(`${label}-stagecraft`);
    const result = await timed(ctx.cli, ['dev', '--detach', ...stagecraftArgs, '-p', project], { cwd: dir, env: ctx.cliEnv });
    if (result.code !== 0) throw new Error(`stagecraft dev --detach failed (${result.code}): ${result.stderr}`);
    // `dev down` also removes the session file, so the next run starts clean.
    const down = await timed(ctx.cli, ['dev', 'down', '-p', project], { cwd: dir, env: ctx.cliEnv });
    if (down.code !== 0) throw new Error(`stagecraft dev down failed: ${down.stderr}`);
    removeProject(project);
    return result.ms;
  };
  const { baseline, subject } = await alternate(runs, composeUp, stagecraftUp);
  return { b: summarize(baseline), s: summarize(subject) };
}

export async function run(ctx) {
  // `up` itself varies by ±15% from run to run on this machine (the engine, other sessions):
  // with 8 runs a side the median's ratio moved by ±0.04 between runs of one build; 16 halve that.
  const runs = ctx.runs ?? 16;
  const dir = stackDir(threeServices);
  const { b, s } = await compareStart(ctx, { dir, runs, label: 'start' });
  const breakdown = await startBreakdown(ctx, dir, Math.min(runs, 5));
  return timeComparison({
    name,
    title: 'start: `stagecraft dev --detach` vs `docker compose up --detach` (3 services)',
    baseline: 'docker compose up --detach',
    subject: 'stagecraft dev --detach',
    b,
    s,
    limit: 1.15,
    extra: breakdown,
  });
}
