// Where a `stagecraft dev --detach` start spends its time: the CLI run with a timeline
// preload (timeline-preload.mjs: node's start, each child spawned and its exit, the process
// exit) and `--events <file>` (the machine's transitions, timed by the CLI), each mark in
// wall-clock ms after the bench spawned the CLI; medians over `runs` starts (untimed by the
// benchmark itself: the preload and the events file cost a little).
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { timed } from './proc.mjs';
import { projectName, removeProject } from './stacks.mjs';
import { summarize } from './stats.mjs';

const preload = path.join(import.meta.dirname, 'timeline-preload.mjs');
const wallNow = () => performance.timeOrigin + performance.now();

/** One start's marks, in ms after the spawn. */
async function oneStart(ctx, dir, args) {
  const project = projectName('breakdown');
  const timeline = path.join(os.tmpdir(), `stagecraft-bench-timeline-${process.pid}-${project}.tsv`);
  const events = path.join(os.tmpdir(), `stagecraft-bench-events-${process.pid}-${project}.jsonl`);
  const env = { ...ctx.cliEnv, BENCH_TIMELINE: timeline, NODE_OPTIONS: `${ctx.cliEnv.NODE_OPTIONS ?? ''} --import ${preload}`.trim() };
  try {
    const spawnedAt = wallNow();
    const result = await timed(ctx.cli, ['dev', '--detach', ...args, '-p', project, '--events', events], { cwd: dir, env });
    const closedAt = wallNow();
    if (result.code !== 0) throw new Error(`stagecraft dev --detach failed (${result.code}): ${result.stderr}`);
    const marks = readFileSync(timeline, 'utf8').trim().split('\n').map((line) => {
      const [at, , what] = line.split('\t');
      return { at: Number(at) - spawnedAt, what };
    });
    const transitions = readFileSync(events, 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((e) => e.type === 'transition');
    const transition = (to) => Date.parse(transitions.find((e) => e.to === to)?.time ?? 'x') - spawnedAt;
    const mark = (pattern) => marks.find((m) => pattern.test(m.what))?.at;
    const up = / up --detach/;
    const point = {
      node: mark(/^origin$/),
      preload: mark(/^preload$/),
      validating: transition('validating'),
      claiming: transition('claiming'),
      starting: transition('starting'),
      upSpawned: mark(new RegExp(`^spawn .*${up.source}`)),
      upEnded: mark(new RegExp(`^exit .*${up.source}`)),
      exit: mark(/^process-exit/),
      closed: closedAt - spawnedAt,
    };
    const down = await timed(ctx.cli, ['dev', 'down', '-p', project], { cwd: dir, env: ctx.cliEnv });
    if (down.code !== 0) throw new Error(`stagecraft dev down failed: ${down.stderr}`);
    return point;
  } finally {
    removeProject(project);
    rmSync(timeline, { force: true });
    rmSync(events, { force: true });
  }
}

/**
 * `runs` timed-out starts; resolves with `extra` lines for the result: the median time of each
 * mark after the spawn, and the median length of each step before `up`.
 */
export async function startBreakdown(ctx, dir, runs, args = []) {
  const points = [];
  for (let i = 0; i < runs; i++) points.push(await oneStart(ctx, dir, args));
  const med = (f) => summarize(points.map(f)).median;
  const ms = (v) => `${v.toFixed(0)} ms`;
  const steps = [
    ['exec until node starts', (p) => p.node],
    ['node bootstrap', (p) => p.preload - p.node],
    ['loading the CLI and the session (modules, reporter, machine)', (p) => p.validating - p.preload],
    ['validating (compose.yaml read, plan built)', (p) => p.claiming - p.validating],
    ['claiming (lock, session record)', (p) => p.starting - p.claiming],
    ['starting → `up` spawned', (p) => p.upSpawned - p.starting],
  ];
  return [
    {
      label: `timeline of \`dev --detach\` with a preload (median of ${runs}, ms after the spawn)`,
      text:
        `node started ${ms(med((p) => p.node))}, bootstrapped ${ms(med((p) => p.preload))}, machine started ${ms(med((p) => p.validating))}, ` +
        `\`up\` spawned ${ms(med((p) => p.upSpawned))}, \`up\` ended ${ms(med((p) => p.upEnded))} (\`up\` itself ${ms(med((p) => p.upEnded - p.upSpawned))}), ` +
        `process exit ${ms(med((p) => p.exit))}, seen closed ${ms(med((p) => p.closed))}`,
    },
    { label: 'before `up`, step by step (medians)', text: steps.map(([what, f]) => `${what} ${ms(med(f))}`).join('; ') },
    { label: 'after `up` ended, until the CLI is seen closed (median)', text: ms(med((p) => p.closed - p.upEnded)) },
  ];
}
