// The last step of `npm run build`: writes the V8 code cache of each CLI bundle
// (dist/src/**/*.cjs.cache, read by src/bundle-loader/load-bundle.ts) from training runs of the
// built CLI, then checks that V8 takes them. Why: bench/RESULTS.md ("code cache").
//
// The runs use a stack of one service in a temp directory and a `docker` that prints nothing
// and exits 0, first on PATH: nothing reaches an engine. A cache holds the code its run
// compiled, so the runs are the commands whose start is felt: `dev --detach` (cli.cjs,
// core.cjs, dev-command.cjs: the start of every session), `dev down` (yargs-cli.cjs,
// down-command.cjs), `dev status`. A bundle's cache comes from the first run that loaded it.
// The check runs them again, and `dev plan`, and fails the build when a bundle loaded without
// its cache or V8 refused it (a flag changed before the write, another node).
// Bundles no run loads (the other commands, the inspector) have no cache: compiled as before.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist/src/cli.js');
const preload = path.join(root, 'scripts/code-cache/record-bundles.cjs');
const runs = [['dev', '--detach'], ['dev', 'down'], ['dev', 'status']];

const work = mkdtempSync(path.join(tmpdir(), 'stagecraft-code-cache-'));
try {
  const bin = path.join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const stack = path.join(work, 'stack');
  mkdirSync(path.join(stack, '.stagecraft/dev'), { recursive: true });
  writeFileSync(path.join(stack, '.stagecraft/dev/compose.yaml'), 'name: code-cache-training\nservices:\n  app:\n    image: busybox\n');
  // The user's own settings stay out: no STAGECRAFT_* variable, no NODE_OPTIONS (V8 flags there would be the cache's).
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('STAGECRAFT_') && key !== 'NODE_OPTIONS'));
  const run = (args, mode, extra = {}) =>
    execFileSync(process.execPath, ['--require', preload, cli, ...args], {
      cwd: stack,
      env: { ...env, ...extra, PATH: `${bin}${path.delimiter}${env.PATH ?? ''}`, STAGECRAFT_CODE_CACHE: mode },
      stdio: ['ignore', 'ignore', 'pipe'],
    });

  for (const file of readdirSync(path.join(root, 'dist/src'), { recursive: true })) {
    if (String(file).endsWith('.cjs.cache')) rmSync(path.join(root, 'dist/src', String(file)));
  }
  for (const args of runs) run(args, 'write');

  const report = path.join(work, 'report.jsonl');
  for (const args of [...runs, ['dev', 'plan']]) run(args, 'check', { STAGECRAFT_CODE_CACHE_REPORT: report });
  const bundles = readFileSync(report, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const refused = bundles.filter(({ cacheGiven, cacheRejected }) => !cacheGiven || cacheRejected);
  if (refused.length > 0) {
    const names = [...new Set(refused.map(({ bundle }) => path.relative(root, bundle)))].join(', ');
    throw new Error(`code cache: loaded without its cache or refused by V8: ${names}`);
  }
  const cached = [...new Set(bundles.map(({ bundle }) => path.relative(root, bundle)))];
  console.log(`code cache: ${cached.length} bundles (${cached.join(', ')})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
