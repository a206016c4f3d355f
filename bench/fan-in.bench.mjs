// fan-in: 10 services each print 100,000 numbered lines at once. Rate: as in `logs`, the
// engine has stored every line before either reader starts; then `docker compose logs
// --follow`, and `stagecraft dev` (whose attach step runs that command with --timestamps and
// cuts the times out), each write into a real pipe read by the same counting consumer, which
// checks every line whole and each service's numbers 1…100,000 in order, none lost or
// repeated (the services' lines interleave). Memory, sampled every 100 ms during each run:
// the CLI's own peak RSS (VmHWM), and its children together (the events stream, the log
// follower, the guardian's watcher; each a `docker` CLI with its compose plugin below it, or a
// shell): the peak of their RSS summed at one moment, once 10% of the lines are in. The same
// for compose alone, for scale.
// Also `docker compose logs --follow --timestamps` read directly: the part of the gap that is
// the engine's times (which stagecraft needs to follow again without loss), not stagecraft.
// Re-attach: a session that starts the stack itself (the lines printed while it follows),
// whose `logs --follow` child is killed (SIGKILL to its process group) once the consumer has
// 30% of the lines: the session follows again from its cursor, and every line must still
// arrive once, in order.
import { spawnSync } from 'node:child_process';
import { startLogPipeline } from './lib/log-pipeline.mjs';
import { commandOf, descendants, exited, killGroup, sampleTreeMemory, waitFor } from './lib/proc.mjs';
import { compose, composeFile, projectName, removeProject, service, stackDir } from './lib/stacks.mjs';
import { formatMb, formatRate, summarize } from './lib/stats.mjs';

export const name = 'fan-in';

const services = 10;
const perService = 100_000;

function fanInServices() {
  return Object.fromEntries(
    Array.from({ length: services }, (_, i) => [`s${String(i + 1).padStart(2, '0')}`, service(['sh', '-c', `seq 1 ${perService}; exec sleep 86400`])]),
  );
}

/** Throws unless the consumer's report has every line of every service, whole, once, in order. */
function checkReport(what, report, stderr) {
  const complete =
    report !== undefined &&
    report.lines === services * perService &&
    report.bad === 0 &&
    Object.keys(report.perService).length === services &&
    Object.values(report.perService).every((s) => s.lines === perService && s.last === perService);
  if (!complete) throw new Error(`${what}: ${JSON.stringify(report)}; stderr: ${stderr.slice(-1000)}`);
}

/** Follows into the consumer until it has every line; memory sampled meanwhile. */
async function follow({ file, args, cwd, env, during }) {
  const lines = services * perService;
  const pipeline = startLogPipeline({ file, args, cwd, env, expect: lines, progressMs: 20 });
  const memory = sampleTreeMemory(pipeline.follower.pid);
  // The children's peak while the lines flow (from the 10% mark on), apart from the start's
  // short-lived `up` and `ps`, which may still be running when the first lines arrive.
  const flowing = waitFor(() => (pipeline.progress.at(-1)?.lines ?? 0) >= (services * perService) / 10, '10% of the lines', 240_000, 10).then(() => memory.mark());
  const happened = during?.(pipeline);
  const report = await Promise.race([
    pipeline.done,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${file} ${args.join(' ')}: no report after 240 s`)), 240_000)),
  ]);
  await flowing;
  const tree = memory.stop();
  killGroup(pipeline.follower.pid, 'SIGINT');
  const [code] = await exited(pipeline.follower);
  killGroup(pipeline.consumer.pid, 'SIGTERM');
  await exited(pipeline.consumer);
  checkReport(args.join(' '), report, pipeline.stderr());
  return { report, code, tree, stderr: pipeline.stderr(), happened: await happened };
}

/** Kills the session's `logs --follow` child once the consumer has `share` of the lines; resolves with what it saw. */
async function killFollowerMidway(pipeline, share) {
  const lines = services * perService;
  await waitFor(() => (pipeline.progress.at(-1)?.lines ?? 0) >= lines * share, `${share * 100}% of the lines`, 240_000, 20);
  const follower = descendants(pipeline.follower.pid).find((pid) => / logs --follow/.test(commandOf(pid)) && !/ logs --follow.* --since/.test(commandOf(pid)) && /^docker /.test(commandOf(pid)));
  if (follower === undefined) throw new Error('no `logs --follow` child of the session found');
  const at = pipeline.progress.at(-1).lines;
  killGroup(follower, 'SIGKILL');
  // The session follows again (after its half-second pause): a new `logs --follow` child.
  const again = await waitFor(
    () => descendants(pipeline.follower.pid).find((pid) => pid !== follower && / logs --follow/.test(commandOf(pid)) && /^docker /.test(commandOf(pid))),
    'the session to follow the logs again',
    30_000,
    20,
  );
  return { killedAtLine: at, again: commandOf(again).replace(/^.* logs /, 'logs ') };
}

export async function run(ctx) {
  const runs = ctx.runs ?? 3;
  const lines = services * perService;
  const dir = stackDir(fanInServices());
  const baseline = [];
  const subject = [];
  const stamped = [];
  const trees = { compose: [], stagecraft: [] };
  for (let i = 0; i < runs; i++) {
    const project = projectName('fan-in');
    compose(dir, project, ['up', '--detach']);
    await waitFor(
      () => compose(dir, project, ['logs', '--tail', '1']).split('\n').filter((l) => new RegExp(`\\| ${perService}$`).test(l)).length === services,
      `${perService} lines from each of the ${services} services in the log`,
      240_000,
      500,
    );
    // One untimed read of the whole log first, so no reader pays for a cold one.
    spawnSync('docker', ['compose', '-p', project, '-f', composeFile, 'logs'], { cwd: dir, stdio: 'ignore', timeout: 240_000 });
    // The two compose readers alternate which goes first.
    const sides = [
      async () => {
        // What stagecraft's attach step runs: compose's own cost of the engine's times.
        const ts = await follow({ file: 'docker', args: ['compose', '-p', project, '-f', composeFile, 'logs', '--follow', '--timestamps'], cwd: dir });
        stamped.push(lines / ts.report.seconds);
      },
      async () => {
        const base = await follow({ file: 'docker', args: ['compose', '-p', project, '-f', composeFile, 'logs', '--follow'], cwd: dir });
        baseline.push(lines / base.report.seconds);
        trees.compose.push(base.tree);
      },
      async () => {
        const sc = await follow({ file: ctx.cli, args: ['dev', '-p', project], cwd: dir, env: ctx.cliEnv });
        if (sc.code !== 130) throw new Error(`stagecraft dev exited ${sc.code} after SIGINT: ${sc.stderr}`);
        subject.push(lines / sc.report.seconds);
        trees.stagecraft.push(sc.tree);
      },
    ];
    // stagecraft last: its Ctrl+C removes the stack (as in the logs benchmark).
    for (const side of i % 2 === 0 ? [sides[0], sides[1], sides[2]] : [sides[1], sides[0], sides[2]]) await side();
    removeProject(project);
  }

  // The re-attach run: stagecraft starts the stack; its follower is killed at 30%.
  // A failed check is reported (the target not met), not thrown: the rates above still count.
  const project = projectName('fan-in-reattach');
  let reattach;
  let reattachProblem;
  try {
    reattach = await follow({ file: ctx.cli, args: ['dev', '-p', project], cwd: dir, env: ctx.cliEnv, during: (p) => killFollowerMidway(p, 0.3) });
    if (reattach.code !== 130) reattachProblem = `stagecraft dev exited ${reattach.code} after SIGINT`;
  } catch (error) {
    reattachProblem = error.message.replace(/; stderr: [\s\S]*/, '');
  }
  removeProject(project);

  const b = summarize(baseline);
  const s = summarize(subject);
  const t = summarize(stamped);
  const ratio = s.median / b.median;
  const mb = (values) => formatMb(Math.max(...values));
  const own = trees.stagecraft.map((t) => t.ownHwm);
  const children = trees.stagecraft.map((t) => t.childrenPeakSinceMark);
  const childrenAll = trees.stagecraft.map((t) => t.childrenPeak);
  const childList = trees.stagecraft
    .at(-1)
    .children.map((c) => `${c.command.replace(/\s+/g, ' ').replace(/ -p \S+( -f \S+)?/, '').slice(0, 60)} ${formatMb(c.hwm)}`)
    .join('; ');
  return [
    {
      name,
      title: `fan-in: ${services} services × ${perService.toLocaleString('en')} lines through \`stagecraft dev\` vs \`docker compose logs --follow\``,
      baseline: { label: 'docker compose logs --follow', text: formatRate(b), value: b },
      subject: { label: 'stagecraft dev', text: formatRate(s), value: s },
      ratio,
      target: '≥ 0.95×, every line once and whole, also across the re-attach',
      met: ratio >= 0.95 && reattachProblem === undefined,
      extra: [
        {
          label: 'docker compose logs --follow --timestamps (the command stagecraft runs, read directly)',
          text: `${formatRate(t)}, ${(t.median / b.median).toFixed(2)}× compose without --timestamps; stagecraft ${(s.median / t.median).toFixed(2)}× of it`,
        },
        { label: 'lines checked', text: `${lines.toLocaleString('en')} per run, each whole, each service's 1…${perService.toLocaleString('en')} in order, none lost or repeated` },
        {
          label: 're-attach run (stagecraft starts the stack, its `logs --follow` killed at 30%)',
          text:
            reattachProblem === undefined
              ? `killed at line ${reattach.happened.killedAtLine.toLocaleString('en')}, followed again with \`${reattach.happened.again}\`; ` +
                `all ${lines.toLocaleString('en')} lines arrived whole and in order, none lost or repeated; ${formatRate(summarize([lines / reattach.report.seconds]))} including the pause`
              : `**failed**: ${reattachProblem}`,
        },
      ],
    },
    {
      name: 'fan-in-memory',
      title: `memory during the fan-in run: the CLI, and its children together`,
      subject: {
        label: 'stagecraft dev, peak RSS (max over runs)',
        short: `CLI ${mb(own)}; children ${mb(children)}`,
        text:
          `the CLI ${mb(own)} (runs: ${own.map(formatMb).join(', ')}); its children together while the lines flow (from 10% on) ${mb(children)} ` +
          `(runs: ${children.map(formatMb).join(', ')}), over the whole session with the start's \`up\` and \`ps\` ${mb(childrenAll)}`,
        value: { own, children },
      },
      target: 'CLI ≤ 80 MB',
      met: Math.max(...own) <= 80 * 1024,
      extra: [
        { label: 'children of the last run, each at its peak', text: childList },
        {
          label: 'for scale, `docker compose logs --follow` alone (the docker CLI; its compose plugin)',
          text: `${mb(trees.compose.map((t) => t.ownHwm))}; ${mb(trees.compose.map((t) => t.childrenPeakSinceMark))}`,
        },
      ],
    },
  ];
}
