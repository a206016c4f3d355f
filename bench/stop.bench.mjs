// stop: Ctrl+C (SIGINT to the process group, as a terminal sends it) to the exit of a
// foreground `stagecraft dev`, against `docker compose down` of the same stack started
// with `docker compose up --detach`. Only the stop is timed; each run has its own project.
import { spawn } from 'node:child_process';
import { exited, killGroup, timed, waitFor } from './lib/proc.mjs';
import { compose, composeFile, projectName, removeProject, stackDir } from './lib/stacks.mjs';
import { alternate, summarize, timeComparison } from './lib/stats.mjs';
import { threeServices } from './start.bench.mjs';

export const name = 'stop';

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** A foreground `stagecraft dev` in `dir`, once it says the stack is up (its stderr so far in `stderr()`). */
export async function foregroundSession(ctx, dir, project, args = [], upTimeoutMs = 120_000) {
  const child = spawn(ctx.cli, ['dev', '-p', project, ...args], { cwd: dir, env: ctx.cliEnv, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  await waitFor(() => stderr.includes('streaming its logs') || child.exitCode !== null, 'the session to be up', upTimeoutMs, 10);
  if (child.exitCode !== null) throw new Error(`stagecraft dev ended early (${child.exitCode}): ${stderr}`);
  return { child, stderr: () => stderr };
}

/** `docker compose down` against Ctrl+C → exit of a foreground session, on the stack in `dir`. */
export async function compareStop(ctx, { dir, runs, label }) {
  const composeDown = async () => {
    const project = projectName(`${label}-compose`);
    compose(dir, project, ['up', '--detach']);
    const result = await timed('docker', ['compose', '-p', project, '-f', composeFile, 'down'], { cwd: dir });
    if (result.code !== 0) throw new Error(`compose down failed: ${result.stderr}`);
    removeProject(project);
    return result.ms;
  };
  const stagecraftStop = async () => {
    const project = projectName(`${label}-stagecraft`);
    const { child, stderr } = await foregroundSession(ctx, dir, project);
    // Let `logs --follow` attach, as it would have long before anyone presses Ctrl+C.
    await new Promise((r) => setTimeout(r, 500));
    const started = now();
    killGroup(child.pid, 'SIGINT');
    const [code] = await exited(child);
    const ms = now() - started;
    if (code !== 130) throw new Error(`stagecraft dev exited ${code} after SIGINT (expected 130): ${stderr()}`);
    removeProject(project);
    return ms;
  };
  const { baseline, subject } = await alternate(runs, composeDown, stagecraftStop);
  return { b: summarize(baseline), s: summarize(subject) };
}

export async function run(ctx) {
  const runs = ctx.runs ?? 8;
  const { b, s } = await compareStop(ctx, { dir: stackDir(threeServices), runs, label: 'stop' });
  return timeComparison({
    name,
    title: 'stop: SIGINT to exit of `stagecraft dev` vs `docker compose down` (3 services)',
    baseline: 'docker compose down',
    subject: 'stagecraft dev, SIGINT → exit',
    b,
    s,
    limit: 1.15,
  });
}
