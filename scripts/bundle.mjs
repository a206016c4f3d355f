// The second half of `npm run build`, after `tsc --noEmit` has type-checked: bundles the
// CLI with esbuild into dist/src/, where `bin` points (dist/src/cli.js).
//
// Two builds, because start-up time is mostly module loading (bench/RESULTS.md):
// 1. dist/src/cli.js: the entry, as ONE file: the plan fast path, `dev plan`/`--dry-run`,
//    generation from stagecraft.yml and yaml. `stagecraft dev plan` loads nothing else.
// 2. dist/src/cli/yargs-cli.js and dist/src/commands/{dev,down,status,machine,init,logs,exec,inspect,restart}-command.js:
//    what the entry imports lazily (yargs; the session, execa, xstate), with the code they
//    share split into dist/src/chunks/. The entry's imports of them are left as imports.
//    The guardian (dist/src/guardian/guardian-main.js) is an entry of this build too, run by
//    its own process only (src/guardian/spawn-guardian.ts finds it one level up from the
//    commands and the chunks); what it loads once its CLI has died is split off with the rest.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'dist/src');
/** Imported lazily by the entry; built by the second build, at the same path under dist/src. */
const lazyEntries = ['src/cli/yargs-cli.ts', ...['dev', 'down', 'status', 'machine', 'init', 'logs', 'exec', 'inspect', 'restart'].map((c) => `src/commands/${c}-command.ts`)];

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Bundled CommonJS packages (yaml, cross-spawn, …) `require` node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // ws loads these native accelerators when they are installed, and works without them.
  external: ['bufferutil', 'utf-8-validate'],
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
};

/** Leaves the entry's dynamic imports of the lazy entries as imports of their built files. */
const lazyEntriesExternal = {
  name: 'lazy-entries-external',
  setup(b) {
    const wanted = new Set(lazyEntries.map((file) => path.join(root, file)));
    b.onResolve({ filter: /\.js$/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const source = path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      if (!wanted.has(source)) return undefined;
      const built = path.relative(path.join(root, 'src'), source).replace(/\.ts$/, '.js');
      return { path: `./${built}`, external: true };
    });
  },
};

// A previous build (an unbundled tsc output, or old chunk hashes) would linger.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });

await build({ ...common, entryPoints: ['src/cli.ts'], outfile: path.join(outdir, 'cli.js'), plugins: [lazyEntriesExternal] });
await build({
  ...common,
  entryPoints: [...lazyEntries, 'src/guardian/guardian-main.ts'],
  outdir,
  outbase: 'src',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
