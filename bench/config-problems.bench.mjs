// Config problems (issue 14 item 7): `stagecraft dev plan` on a 0.79 MB stagecraft.yml with
// 80,000 unknown keys (what took 265 s when each problem was located by a scan, and yaml
// compared every key with each one before it), against the same command on the quickstart's
// config. Also shown: 20,000 and 40,000 keys, so the growth can be read off (linear: ×2 each).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { timedSync } from './lib/proc.mjs';
import { formatMs, summarize } from './lib/stats.mjs';

export const name = 'config-problems';

/** A config that is right but for `count` unknown top-level keys. */
function hostileConfig(count) {
  const keys = Array.from({ length: count }, (_, i) => `k${i}: 1\n`).join('');
  return `project:\n  name: shop\nbackend:\n  provider: generic\n  image: shop/api\n  port: 8080\n${keys}`;
}

export async function run(ctx) {
  const runs = ctx.runs ?? 5;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scbench-config-'));
  try {
    const good = path.join(dir, 'good');
    mkdirSync(good);
    cpSync(path.join(ctx.root, 'examples/quickstart'), good, { recursive: true });
    const sizes = [80_000, 40_000, 20_000];
    for (const count of sizes) writeFileSync(path.join(dir, `keys-${count}.yml`), hostileConfig(count));
    const cases = [
      { label: 'stagecraft dev plan (the quickstart config)', args: ['dev', 'plan'], cwd: good, code: 0, check: '# start' },
      ...sizes.map((count) => ({
        label: `stagecraft dev plan (${count.toLocaleString('en')} unknown keys)`,
        args: ['dev', 'plan', '--config', path.join(dir, `keys-${count}.yml`), '--dev-dir', path.join(dir, `dev-${count}`)],
        cwd: dir,
        code: 1,
        check: `… and ${count - 20} more`,
      })),
    ];
    const samples = cases.map(() => []);
    for (let i = 0; i < runs + 1; i++) {
      cases.forEach((c, j) => {
        const result = timedSync(ctx.cli, c.args, { cwd: c.cwd, env: ctx.cliEnv });
        if (result.code !== c.code || !(result.stdout + result.stderr).includes(c.check)) {
          throw new Error(`${c.label}: exit ${result.code}: ${result.stderr.slice(0, 500)}`);
        }
        if (i >= 1) samples[j].push(result.ms); // the first round warms the page cache
      });
    }
    const [baseline, subject, ...others] = samples.map(summarize);
    const bytes = hostileConfig(80_000).length;
    return {
      name,
      title: `Config problems: \`dev plan\` on a ${(bytes / 1024 / 1024).toFixed(2)} MB stagecraft.yml with 80,000 unknown keys`,
      baseline: { label: cases[0].label, text: formatMs(baseline), value: baseline },
      subject: { label: cases[1].label, text: formatMs(subject), value: subject },
      target: '≤ 1000 ms',
      met: subject.median <= 1000,
      extra: others.map((s, k) => ({ label: cases[k + 2].label, text: formatMs(s) })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
