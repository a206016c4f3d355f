// logs: a service prints 1,000,000 numbered lines; how fast they reach the counting
// consumer through `docker compose logs --follow` alone, and through `stagecraft dev`
// (whose attach step runs that same command). Every line is checked whole, in order,
// none lost. The lines are written and stored by the engine before either reader starts,
// so both read the same stored log as fast as they can. Rate: lines over the time from
// the first line to the last at the consumer. Also the peak RSS of the CLI (VmHWM), and
// `docker compose logs --follow --timestamps` read directly: what stagecraft's attach step
// runs (the engine's times are its cursor), so the part of the gap that is compose's own.
import { startLogPipeline } from './lib/log-pipeline.mjs';
import { exited, killGroup, memoryOf, waitFor } from './lib/proc.mjs';
import { compose, composeFile, projectName, removeProject, service, stackDir } from './lib/stacks.mjs';
import { formatMb, formatRate, summarize } from './lib/stats.mjs';

export const name = 'logs';

/** Follows until the consumer has every line; returns its report and the follower's peak RSS. */
async function follow({ file, args, cwd, env, lines }) {
  const pipeline = startLogPipeline({ file, args, cwd, env, expect: lines });
  const report = await Promise.race([
    pipeline.done,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${file} ${args.join(' ')}: no report after 180 s`)), 180_000)),
  ]);
  // VmHWM: the peak RSS of the process so far, kept by the kernel.
  const memory = memoryOf(pipeline.follower.pid);
  killGroup(pipeline.follower.pid, 'SIGINT');
  const [code] = await exited(pipeline.follower);
  killGroup(pipeline.consumer.pid, 'SIGTERM');
  await exited(pipeline.consumer);
  if (report === undefined || report.lines !== lines || report.bad !== 0) {
    throw new Error(`${args.join(' ')}: ${JSON.stringify(report)}; stderr: ${pipeline.stderr().slice(-1000)}`);
  }
  return { report, code, hwm: memory?.hwm ?? 0, stderr: pipeline.stderr() };
}

export async function run(ctx) {
  const runs = ctx.runs ?? 3;
  const lines = ctx.logLines ?? 1_000_000;
  const dir = stackDir({ gen: service(['sh', '-c', `seq 1 ${lines}; exec sleep 86400`]) });
  const baseline = [];
  const stamped = [];
  const subject = [];
  const hwms = [];
  for (let i = 0; i < runs; i++) {
    const project = projectName('logs');
    compose(dir, project, ['up', '--detach']);
    const last = () => compose(dir, project, ['logs', '--no-log-prefix', '--tail', '1', 'gen']).replaceAll('\u001b[2K', '').trim();
    await waitFor(() => last() === String(lines), `${lines} lines in the log`, 180_000, 500);
    // The two compose readers alternate which goes first.
    const readers = [
      async () => {
        const base = await follow({ file: 'docker', args: ['compose', '-p', project, '-f', composeFile, 'logs', '--follow'], cwd: dir, lines });
        baseline.push(lines / base.report.seconds);
      },
      async () => {
        const ts = await follow({ file: 'docker', args: ['compose', '-p', project, '-f', composeFile, 'logs', '--follow', '--timestamps'], cwd: dir, lines });
        stamped.push(lines / ts.report.seconds);
      },
    ];
    for (const read of i % 2 === 0 ? readers : [...readers].reverse()) await read();
    const sc = await follow({ file: ctx.cli, args: ['dev', '-p', project], cwd: dir, env: ctx.cliEnv, lines });
    if (sc.code !== 130) throw new Error(`stagecraft dev exited ${sc.code} after SIGINT: ${sc.stderr}`);
    subject.push(lines / sc.report.seconds);
    hwms.push(sc.hwm);
    removeProject(project);
  }
  const b = summarize(baseline);
  const t = summarize(stamped);
  const s = summarize(subject);
  const ratio = s.median / b.median;
  const peak = Math.max(...hwms);
  return [
    {
      name,
      title: `logs: ${lines.toLocaleString('en')} lines through \`stagecraft dev\` vs \`docker compose logs --follow\``,
      baseline: { label: 'docker compose logs --follow', text: formatRate(b), value: b },
      subject: { label: 'stagecraft dev', text: formatRate(s), value: s },
      ratio,
      target: '≥ 0.95×',
      met: ratio >= 0.95,
      extra: [
        {
          label: 'docker compose logs --follow --timestamps (the command stagecraft runs, read directly)',
          text: `${formatRate(t)}, ${(t.median / b.median).toFixed(2)}× compose without --timestamps; stagecraft ${(s.median / t.median).toFixed(2)}× of it`,
        },
        { label: 'lines checked', text: `${lines.toLocaleString('en')} per run, each whole and in sequence, none lost` },
      ],
    },
    {
      name: 'memory',
      title: 'memory: peak RSS of the CLI during the logs run',
      subject: { label: 'stagecraft dev, VmHWM', short: formatMb(peak), text: `${formatMb(peak)} (runs: ${hwms.map(formatMb).join(', ')})`, value: peak },
      target: '≤ 80 MB',
      met: peak <= 80 * 1024,
    },
  ];
}
