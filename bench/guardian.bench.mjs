// guardian: what the guardian of a foreground session costs (issue 14 item 6). A foreground
// `stagecraft dev` from spawn to its "streaming its logs" line, with its guardian, against
// the same with `--no-guardian` (the order alternates); the memory of the watcher that holds
// the pipe for the whole session (RSS, and PSS/private from /proc/<pid>/smaps_rollup); and,
// after a SIGKILL of the CLI, the peak RSS of the guardian proper (node, started only then)
// and the time until it has removed the stack and exited.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { exited, killGroup, memoryOf, waitFor } from './lib/proc.mjs';
import { projectName, removeProject, stackDir } from './lib/stacks.mjs';
import { alternate, formatMb, formatMs, summarize } from './lib/stats.mjs';
import { threeServices } from './start.bench.mjs';

export const name = 'guardian';

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** The processes of the guardian of a session started in `dir`: its watcher (a shell), and node once started. */
function guardianProcesses(dir) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== dir) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((arg) => arg.endsWith('/dist/src/guardian/guardian-main.js'))) found.push({ pid: Number(entry), node: argv[0] === process.execPath });
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** Pss and Private_Clean + Private_Dirty of a process, in kB. */
function sharedAware(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { pss: kb('Pss'), private: kb('Private_Clean') + kb('Private_Dirty') };
}

const projectGone = (project) => {
  const ps = spawn('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  ps.stdout.setEncoding('utf8').on('data', (c) => (out += c));
  return exited(ps).then(() => out.trim() === '');
};

export async function run(ctx) {
  const runs = ctx.runs ?? 8;
  const dir = stackDir(threeServices);
  const memory = { rss: [], pss: [], private: [], peak: [] };
  const teardowns = [];

  /** One foreground session up to its "streaming" line (timed); `after` decides how it ends. */
  const session = (args, after) => async () => {
    const project = projectName('guardian');
    const started = now();
    const child = spawn(ctx.cli, ['dev', '-p', project, ...args], { cwd: dir, env: ctx.cliEnv, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    await waitFor(() => stderr.includes('streaming its logs') || child.exitCode !== null, 'the session to be up', 60_000, 5);
    const ms = now() - started;
    if (child.exitCode !== null) throw new Error(`stagecraft dev ended early (${child.exitCode}): ${stderr}`);
    await after(child, project);
    removeProject(project);
    return ms;
  };

  const stopped = async (child) => {
    killGroup(child.pid, 'SIGINT');
    const [code] = await exited(child);
    if (code !== 130) throw new Error(`stagecraft dev exited ${code} after SIGINT`);
    await waitFor(() => guardianProcesses(dir).length === 0, 'the watcher to exit', 10_000);
  };

  // With the guardian: read its watcher's memory once the session is up, then SIGKILL the CLI,
  // follow the guardian's peak RSS and time its teardown.
  const guarded = async (child, project) => {
    const [watcher] = await waitFor(() => (guardianProcesses(dir).length === 1 ? guardianProcesses(dir) : undefined), 'the watcher', 5000);
    const rss = memoryOf(watcher.pid);
    const { pss, private: own } = sharedAware(watcher.pid);
    memory.rss.push(rss.rss);
    memory.pss.push(pss);
    memory.private.push(own);
    const killedAt = now();
    process.kill(child.pid, 'SIGKILL');
    await exited(child);
    let peak = 0;
    await waitFor(
      async () => {
        for (const p of guardianProcesses(dir)) if (p.node) peak = Math.max(peak, memoryOf(p.pid)?.hwm ?? 0);
        return guardianProcesses(dir).length === 0 && (await projectGone(project));
      },
      'the guardian to tear down',
      60_000,
      20,
    );
    teardowns.push(now() - killedAt);
    memory.peak.push(peak);
  };

  const { baseline, subject } = await alternate(runs, session(['--no-guardian'], stopped), session([], guarded));
  const b = summarize(baseline);
  const s = summarize(subject);
  const ratio = s.median / b.median;
  const mb = (values) => formatMb(summarize(values).median);
  return {
    name,
    title: 'guardian: foreground `stagecraft dev` to "streaming its logs", with its guardian vs --no-guardian (3 services)',
    baseline: { label: 'stagecraft dev --no-guardian', text: formatMs(b, 0), value: b },
    subject: { label: 'stagecraft dev (guardian)', text: formatMs(s, 0), value: s },
    ratio,
    target: '≤ 1.05×',
    met: ratio <= 1.05,
    extra: [
      { label: 'start overhead (median difference)', text: `${(s.median - b.median).toFixed(0)} ms` },
      { label: 'watcher memory for the whole session (median)', text: `RSS ${mb(memory.rss)}, PSS ${mb(memory.pss)}, private ${mb(memory.private)}` },
      { label: 'guardian (node) peak RSS while it tears down (median)', text: mb(memory.peak) },
      { label: 'SIGKILL of the CLI → stack removed, guardian exited', text: formatMs(summarize(teardowns), 0) },
    ],
  };
}
