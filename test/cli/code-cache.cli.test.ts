// The built CLI runs its bundles from the V8 code cache the build wrote beside them
// (src/bundle-loader/load-bundle.ts, scripts/train-code-cache.mjs): for each command below,
// every bundle it loads is given its cache and V8 takes it, under the flags a user's node
// runs with (a `dev` session changes one at run time; the caches were written without it).
// The build checks the same on its own runs; this checks the CLI the other tests run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useCliRigs, type CliRig } from './cli-harness.js';

const rig = useCliRigs();
const root = fileURLToPath(new URL('../../', import.meta.url));
const recorder = path.join(root, 'scripts/code-cache/record-bundles.cjs');

interface Loaded {
  readonly bundle: string;
  readonly cacheGiven: boolean;
  readonly cacheRejected: boolean;
}

/** Runs `dev <args>` with the recorder preloaded; resolves with its exit code and the bundles it compiled. */
async function bundlesOf(r: CliRig, args: readonly string[]): Promise<{ code: number; loaded: Loaded[] }> {
  const report = path.join(r.root, `bundles-${args.join('-') || 'dev'}.jsonl`);
  const { code } = await r.run(args, { env: { NODE_OPTIONS: `--require ${recorder}`, STAGECRAFT_CODE_CACHE: 'check', STAGECRAFT_CODE_CACHE_REPORT: report } });
  const loaded = readFileSync(report, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Loaded)
    .map((entry) => ({ ...entry, bundle: path.relative(path.join(root, 'dist/src'), entry.bundle) }));
  return { code, loaded };
}

const fromCache = (...bundles: string[]): Loaded[] => bundles.map((bundle) => ({ bundle, cacheGiven: true, cacheRejected: false }));

test('`dev plan`, `dev --detach`, `dev down` and `dev status` load each of their bundles from its cache', async () => {
  const r = rig('minimal');
  expect(await bundlesOf(r, ['plan'])).toEqual({ code: 0, loaded: fromCache('cli.cjs', 'chunks/core.cjs') });
  expect(await bundlesOf(r, ['--detach'])).toEqual({ code: 0, loaded: fromCache('cli.cjs', 'chunks/core.cjs', 'commands/dev-command.cjs') });
  expect(await bundlesOf(r, ['status'])).toEqual({ code: 0, loaded: fromCache('cli.cjs', 'chunks/core.cjs', 'cli/yargs-cli.cjs', 'commands/status-command.cjs') });
  expect(await bundlesOf(r, ['down'])).toEqual({ code: 0, loaded: fromCache('cli.cjs', 'chunks/core.cjs', 'cli/yargs-cli.cjs', 'commands/down-command.cjs') });
});
