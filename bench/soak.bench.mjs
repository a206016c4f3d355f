// memory soak (opt-in: `npm run bench -- --soak`, 10 minutes; `--soak-minutes N`): a
// foreground `stagecraft dev` follows a service that logs ~2,000 lines a second, into the
// counting consumer. Its RSS, and the RSS of all its children summed (the events stream, the
// log follower, the guardian's watcher), are read every 5 s; the result is each at the start
// (after a minute's warm-up), at the end, and its trend over the second half. No growth: for
// both, the end is within 5 MB of the start and the trend is under 0.5 MB a minute.
import { startLogPipeline } from './lib/log-pipeline.mjs';
import { descendants, exited, killGroup, memoryOf, waitFor } from './lib/proc.mjs';
import { projectName, removeProject, service, stackDir } from './lib/stacks.mjs';
import { formatMb, slope } from './lib/stats.mjs';

export const name = 'soak';

/** The RSS of every process below `pid` (the events stream, the log follower, the guardian's watcher), summed, in kB. */
function childrenRss(pid) {
  return descendants(pid)
    .map((child) => memoryOf(child)?.rss)
    .filter((rss) => Number.isFinite(rss))
    .reduce((a, b) => a + b, 0);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function run(ctx) {
  const minutes = ctx.soakMinutes ?? 10;
  // Bursts of 200 numbered lines, then 0.1 s of rest: a steady ~2,000 lines a second.
  // `$$`: a literal `$` for the shell; compose would interpolate a single one.
  const ticker = 'i=0; while :; do i=$$((i+1)); echo "$$i"; if [ $$((i % 200)) -eq 0 ]; then usleep 100000; fi; done';
  const dir = stackDir({ ticker: service(['sh', '-c', ticker]) });
  const project = projectName('soak');
  const pipeline = startLogPipeline({
    file: ctx.cli,
    args: ['dev', '-p', project],
    cwd: dir,
    env: ctx.cliEnv,
    expect: Number.MAX_SAFE_INTEGER,
    progressMs: 5000,
  });
  const pid = pipeline.follower.pid;
  const samples = [];
  try {
    await waitFor(() => pipeline.stderr().includes('streaming its logs'), 'the session to be up', 60_000);
    const started = Date.now();
    while (Date.now() - started < minutes * 60_000) {
      await sleep(5000);
      const memory = memoryOf(pid);
      if (memory === undefined) throw new Error(`stagecraft dev ended during the soak: ${pipeline.stderr().slice(-1000)}`);
      samples.push({ minute: (Date.now() - started) / 60_000, rss: memory.rss, hwm: memory.hwm, children: childrenRss(pid) });
      ctx.log(`  soak ${samples.at(-1).minute.toFixed(1)} min: RSS ${formatMb(memory.rss)}, children ${formatMb(samples.at(-1).children)}`);
    }
  } finally {
    killGroup(pid, 'SIGINT');
    await exited(pipeline.follower);
    killGroup(pipeline.consumer.pid, 'SIGTERM');
    await exited(pipeline.consumer);
    removeProject(project);
  }
  const progress = pipeline.progress.at(-1) ?? { lines: 0, bad: 0 };
  const warm = samples.find((s) => s.minute >= Math.min(1, minutes / 2)) ?? samples[0];
  const end = samples.at(-1);
  const half = samples.filter((s) => s.minute >= minutes / 2);
  const trend = slope(half.map((s) => s.minute), half.map((s) => s.rss)); // kB per minute
  const childTrend = slope(half.map((s) => s.minute), half.map((s) => s.children));
  const grew = (key, t) => end[key] - warm[key] > 5 * 1024 || t >= 512;
  const met = !grew('rss', trend) && !grew('children', childTrend) && progress.bad === 0;
  const childPeak = Math.max(...samples.map((s) => s.children));
  return {
    name,
    title: `memory soak: ${minutes} minutes of \`stagecraft dev\` with a steady log stream`,
    subject: {
      label: 'stagecraft dev, RSS',
      short:
        `CLI ${formatMb(warm.rss)} at ${warm.minute.toFixed(0)} min → ${formatMb(end.rss)} at ${end.minute.toFixed(0)} min; ` +
        `children ${formatMb(warm.children)} → ${formatMb(end.children)}`,
      text:
        `first sample ${formatMb(samples[0].rss)}, at ${warm.minute.toFixed(1)} min ${formatMb(warm.rss)}, ` +
        `at the end (${end.minute.toFixed(1)} min) ${formatMb(end.rss)}; peak ${formatMb(end.hwm)}; ` +
        `trend over the second half ${(trend / 1024).toFixed(2)} MB/min`,
      value: { samples },
    },
    target: 'no growth of either (end within 5 MB of the start, trend < 0.5 MB/min)',
    met,
    extra: [
      {
        label: 'its children together (events stream, log follower, guardian watcher: RSS summed)',
        text:
          `first sample ${formatMb(samples[0].children)}, at ${warm.minute.toFixed(1)} min ${formatMb(warm.children)}, at the end ${formatMb(end.children)}; ` +
          `peak ${formatMb(childPeak)}; trend over the second half ${(childTrend / 1024).toFixed(2)} MB/min`,
      },
      {
        label: 'lines delivered',
        text: `${progress.lines.toLocaleString('en')}, ${progress.bad} out of sequence or cut${progress.firstBad ? ` (first: ${JSON.stringify(progress.firstBad)})` : ''}`,
      },
      { label: 'RSS samples (every 5 s)', text: samples.filter((_, i) => i % 12 === 11).map((s) => `${s.minute.toFixed(0)} min ${formatMb(s.rss)}`).join(', ') },
    ],
  };
}
