// CLI start: `stagecraft dev plan` against bare `node -e 0`, alternating, run as the
// installed bin is (the file itself, through its shebang), stdout read through a pipe.
// Also shown, without a target: plan with a stagecraft.yml to generate from, and
// `dev --help` (the yargs path).
import { cpSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { timedSync } from './lib/proc.mjs';
import { service, stackDir } from './lib/stacks.mjs';
import { formatMs, summarize } from './lib/stats.mjs';

export const name = 'cli-start';

const kB = (file) => `${(statSync(file).size / 1024).toFixed(0)} kB`;

/** The sizes of the two bundles `dev plan` runs and of their code caches, beside the bin `cli`. */
function planLoads(cli) {
  const bundles = ['cli.cjs', 'chunks/core.cjs'].map((file) => path.join(path.dirname(cli), file));
  return `${bundles.map(kB).join(' + ')}; caches ${bundles.map((file) => kB(`${file}.cache`)).join(' + ')}`;
}

export async function run(ctx) {
  const runs = ctx.runs ?? 40;
  const dir = stackDir({ web: service(['sleep', '1']), api: service(['sleep', '1']), worker: service(['sleep', '1']) });
  const withConfig = path.join(dir, 'with-config');
  mkdirSync(withConfig);
  cpSync(path.join(ctx.root, 'examples/quickstart'), withConfig, { recursive: true });
  const env = ctx.cliEnv;
  const cases = [
    { label: 'node -e 0', file: process.execPath, args: ['-e', '0'], cwd: dir },
    { label: 'stagecraft dev plan', file: ctx.cli, args: ['dev', 'plan'], cwd: dir, check: '# start' },
    { label: 'stagecraft dev plan (generating from stagecraft.yml)', file: ctx.cli, args: ['dev', 'plan'], cwd: withConfig, check: '# start' },
    { label: 'stagecraft dev --help (yargs)', file: ctx.cli, args: ['dev', '--help'], cwd: dir, check: 'dev plan' },
  ];
  const samples = cases.map(() => []);
  for (let i = 0; i < runs + 3; i++) {
    cases.forEach((c, j) => {
      const result = timedSync(c.file, c.args, { cwd: c.cwd, env });
      if (result.code !== 0 || (c.check && !result.stdout.includes(c.check))) {
        throw new Error(`${c.label} failed (${result.code}): ${result.stderr.slice(0, 500)}`);
      }
      if (i >= 3) samples[j].push(result.ms); // the first rounds warm the page cache
    });
  }
  const [baseline, plan, ...others] = samples.map(summarize);
  const ratio = plan.median / baseline.median;
  return {
    name,
    title: 'CLI start: `stagecraft dev plan` vs `node -e 0`',
    baseline: { label: 'node -e 0', text: formatMs(baseline), value: baseline },
    subject: { label: 'stagecraft dev plan', text: formatMs(plan), value: plan },
    ratio,
    target: '≤ 1.5×',
    met: ratio <= 1.5,
    extra: [
      ...others.map((s, k) => ({ label: cases[k + 2].label, text: `${formatMs(s)}, ${(s.median / baseline.median).toFixed(2)}×` })),
      // What `dev plan` loads: a command left out of scripts/bundle.mjs's lazy entries lands here.
      { label: 'what `dev plan` loads (dist/src/cli.cjs, chunks/core.cjs; their code caches)', text: planLoads(ctx.cli) },
    ],
  };
}
