// latency: how soon stagecraft says what the engine did. Each service of the stack waits for
// a file the bench makes in it (`docker exec … touch /tmp/quit`), then exits; the engine's
// time of its exit (its `die` event, ns) is the start, the bench's clock when it reads the
// line (or sees the process end) the end: both the same wall clock.
// - exit-latency: one of two services exits 3 (the other keeps running) under a foreground
//   `stagecraft dev`: its exit → the "exited with code 3" line on stagecraft's stderr; against
//   `docker compose up` (attached), whose own "exited with code 3" line on its stdout.
// - end-latency: both services exit 0 (the stack ends by itself): the last exit → the session
//   saying so ("…has exited; removing the stack"), and → the session's exit (after it has
//   removed the stack); against the attached `docker compose up` exiting (it removes nothing),
//   and `docker compose down` of that ended stack timed after it, for scale.
import { spawn, spawnSync } from 'node:child_process';
import { exited, killGroup, timed, waitFor } from './lib/proc.mjs';
import { image, projectName, removeProject, stackDir } from './lib/stacks.mjs';
import { alternate, formatMs, summarize } from './lib/stats.mjs';

const wallNow = () => performance.timeOrigin + performance.now();

/** A service that runs until /tmp/quit exists in it, then exits `code`. */
function quitter(code) {
  return { image, pull_policy: 'never', init: true, command: ['sh', '-c', `echo ready; while [ ! -f /tmp/quit ]; do usleep 10000; done; exit ${code}`] };
}

/**
 * The engine's `die` events of `project` from `sinceMs` on (epoch ms): `diedAt(container)`
 * waits for that container's and resolves with its time (ns from the engine, as ms).
 */
function dieEvents(project, sinceMs) {
  const child = spawn(
    'docker',
    ['events', '--since', (sinceMs / 1000).toFixed(3), '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'event=die', '--format', '{{.TimeNano}} {{.Actor.Attributes.name}}'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const died = new Map();
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const [nano, name] = line.split(' ');
      if (!died.has(name)) died.set(name, Number(BigInt(nano) / 1000n) / 1000);
    }
  });
  return {
    diedAt: (container) => waitFor(() => died.get(container), `the die event of ${container}`, 30_000, 5),
    stop: () => child.kill(),
  };
}

const quit = (container) => {
  const result = spawnSync('docker', ['exec', container, 'touch', '/tmp/quit'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker exec ${container} failed: ${result.stderr}`);
};

/** A foreground process (its stdout and stderr, with the wall-clock time each text first appeared). */
function watched(file, args, { cwd, env }) {
  const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  const seenAt = [];
  const take = (chunk) => {
    text += chunk;
    seenAt.push({ at: wallNow(), length: text.length });
  };
  child.stdout.setEncoding('utf8').on('data', take);
  child.stderr.setEncoding('utf8').on('data', take);
  let exitAt;
  child.once('exit', () => (exitAt = wallNow()));
  return {
    child,
    text: () => text,
    exitAt: () => exitAt,
    /** When `pattern` was first in the output (undefined: not yet). */
    when(pattern) {
      const match = pattern.exec(text);
      if (match === null) return undefined;
      return seenAt.find((s) => s.length >= match.index + match[0].length).at;
    },
  };
}

async function measure(ctx, dir, { baseline, ended }) {
  const project = projectName(ended ? 'end' : 'exit');
  const proc = baseline
    ? watched('docker', ['compose', '-p', project, '-f', '.stagecraft/dev/compose.yaml', 'up'], { cwd: dir })
    : watched(ctx.cli, ['dev', '-p', project], { cwd: dir, env: ctx.cliEnv });
  try {
    // Up and attached: both services said `ready` (and stagecraft that it streams the logs).
    const up = baseline ? /keep-1 .*\| ready[\s\S]*quit-1 .*\| ready|quit-1 .*\| ready[\s\S]*keep-1 .*\| ready/ : /streaming its logs[\s\S]*\| ready[\s\S]*\| ready/;
    await waitFor(() => up.test(proc.text()) || proc.exitAt() !== undefined, 'the stack to be up and attached', 120_000, 10);
    if (proc.exitAt() !== undefined) throw new Error(`ended early: ${proc.text().slice(-1000)}`);
    const quitting = ended ? ['keep', 'quit'] : ['quit'];
    const events = dieEvents(project, wallNow() - 1000);
    let last;
    try {
      for (const s of quitting) quit(`${project}-${s}-1`);
      if (!ended) {
        const line = /quit(?:-1)? exited with code 3/;
        await waitFor(() => proc.when(line), 'the exit to be reported', 30_000, 5);
        const ms = proc.when(line) - (await events.diedAt(`${project}-quit-1`));
        killGroup(proc.child.pid, 'SIGINT');
        await exited(proc.child);
        return ms;
      }
      await waitFor(() => proc.exitAt(), 'the session to exit', 60_000, 5);
      last = Math.max(...(await Promise.all(quitting.map((s) => events.diedAt(`${project}-${s}-1`)))));
    } finally {
      events.stop();
    }
    const said = baseline ? undefined : proc.when(/has exited; removing the stack/) - last;
    const [code] = await exited(proc.child);
    if (!baseline && code !== 0) throw new Error(`stagecraft dev exited ${code} after its stack ended: ${proc.text().slice(-1000)}`);
    // compose's own removal of the ended stack, for scale beside stagecraft's teardown.
    const down = baseline ? await timed('docker', ['compose', '-p', project, '-f', '.stagecraft/dev/compose.yaml', 'down'], { cwd: dir }) : undefined;
    return { exit: proc.exitAt() - last, said, down: down?.ms };
  } finally {
    killGroup(proc.child.pid, 'SIGKILL');
    removeProject(project);
  }
}

export const name = 'latency';

export async function run(ctx) {
  const runs = ctx.runs ?? 4;
  const exitDir = stackDir({ keep: quitter(0), quit: quitter(3) });
  const exit = await alternate(runs, () => measure(ctx, exitDir, { baseline: true, ended: false }), () => measure(ctx, exitDir, { baseline: false, ended: false }));
  const endDir = stackDir({ keep: quitter(0), quit: quitter(0) });
  const end = await alternate(runs, () => measure(ctx, endDir, { baseline: true, ended: true }), () => measure(ctx, endDir, { baseline: false, ended: true }));
  const eb = summarize(exit.baseline);
  const es = summarize(exit.subject);
  const nb = summarize(end.baseline.map((r) => r.exit));
  const ns = summarize(end.subject.map((r) => r.exit));
  const said = summarize(end.subject.map((r) => r.said));
  const teardown = summarize(end.subject.map((r) => r.exit - r.said));
  const down = summarize(end.baseline.map((r) => r.down));
  return [
    {
      name: 'exit-latency',
      title: "exit latency: a service's exit (the engine's time) → stagecraft's line saying so",
      baseline: { label: 'docker compose up (attached), its "exited with code" line', text: formatMs(eb, 0), value: eb },
      subject: { label: 'stagecraft dev, its "exited with code" line', text: formatMs(es, 0), value: es },
      target: '< 1 s',
      met: es.median < 1000,
    },
    {
      name: 'end-latency',
      title: "end latency: the last exit of a stack that ended by itself → the session's exit",
      baseline: { label: 'docker compose up (attached) exits (removes nothing)', text: formatMs(nb, 0), value: nb },
      subject: { label: 'stagecraft dev exits, the stack removed', short: formatMs(ns, 0), text: formatMs(ns, 0), value: ns },
      target: '< 1 s',
      met: ns.median < 1000,
      extra: [
        { label: 'of which: the last exit → stagecraft says the stack has ended ("…has exited; removing the stack")', text: formatMs(said, 0) },
        { label: 'of which: that line → exit (its teardown: listings, `down`, listings again)', text: formatMs(teardown, 0) },
        { label: 'for scale: `docker compose down` of the same ended stack, after compose exited', text: formatMs(down, 0) },
      ],
    },
  ];
}
