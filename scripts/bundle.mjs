// The second half of `npm run build`, after `tsc --noEmit` has type-checked: bundles the
// CLI with esbuild into dist/src/, where `bin` points (dist/src/cli.js).
//
// Start-up time is mostly module loading (bench/RESULTS.md): node compiles every file it
// loads, and each file costs a resolve, a read and a link. So:
// 1. dist/src/cli.js, the entry (the fast path, the commands table), loads only
//    dist/src/chunks/core.js: what it shares with `dev` and with generation (yaml, the
//    reporter, the dev files, the plan; `dev plan` loads these two files and nothing else).
// 2. dist/src/commands/dev-command.js (the session: execa, xstate, the machines) and
//    dist/src/commands/generate-command.js (stagecraft.yml, only when there is one): each ONE
//    file, taking the shared modules from core.js, so `dev` compiles no second copy of them
//    and loads 3 files. A module of these four files is in one of them only (one instance).
// 3. dist/src/cli/yargs-cli.js, the other commands, the inspector (dist/src/inspect/, `dev
//    --inspect` only) and the guardian (dist/src/guardian/guardian-main.js, run by its own
//    process: src/guardian/spawn-guardian.ts finds it one level up from the commands and the
//    chunks): one build with the code they share split into dist/src/chunks/. They have their
//    own copies of what cli.js holds, as the lazily loaded commands always had.
// Imports of lazily loaded files are left as imports of their built files.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const requireFromRoot = createRequire(path.join(root, 'package.json'));
const outdir = path.join(root, 'dist/src');
/** Imported lazily by the entry; each built at the same path under dist/src. */
const devEntry = 'src/commands/dev-command.ts';
/** `dev --inspect`'s inspector (ws, superjson), imported lazily by `dev`. */
const inspectorEntry = 'src/inspect/session-inspector.ts';
/** Generation from stagecraft.yml (only when there is one). */
const generateEntry = 'src/commands/generate-command.ts';
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

/**
 * Leaves dynamic imports of the lazily loaded files (`lazy`, source paths) as imports of their
 * built files, written relative to `outfile`, the file being built.
 */
const lazyImportsExternal = (lazy, outfile) => ({
  name: 'lazy-imports-external',
  setup(b) {
    const wanted = new Set(lazy.map((file) => path.join(root, file)));
    b.onResolve({ filter: /\.js$/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const source = path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      if (!wanted.has(source)) return undefined;
      const built = path.join(outdir, path.relative(path.join(root, 'src'), source).replace(/\.ts$/, '.js'));
      const relative = path.relative(path.dirname(outfile), built);
      return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
    });
  },
});

// A previous build (an unbundled tsc output, or old chunk hashes) would linger.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });

const builtPath = (entry) => path.join(outdir, entry.replace(/^src\//, '').replace(/\.ts$/, '.js'));
const coreOut = path.join(outdir, 'chunks/core.js');
/** Every file imported lazily: each build leaves such imports as imports of the built file. */
const allLazy = [...lazyEntries, generateEntry, inspectorEntry];
/** The entry, then what it loads lazily and shares code with through core.js; each one file otherwise. */
const coreUsers = [
  'src/cli.ts',
  // `dev`: its inspector (--inspect only) stays a file of its own.
  devEntry,
  // Generation from stagecraft.yml, before `dev`/`dev plan` when there is one, and `dev generate`.
  generateEntry,
].map((entry) => {
  const outfile = builtPath(entry);
  return { entry, outfile, plugins: [lazyImportsExternal(allLazy, outfile)] };
});

// What cli.js shares with the others (yaml, the reporter, the dev files, the plan): core.js.
const inputsOf = async ({ entry, outfile, plugins }) =>
  (await build({ ...common, entryPoints: [entry], outfile, plugins, write: false, metafile: true, sourcemap: false })).metafile.inputs;
const usersInputs = await Promise.all(coreUsers.map(inputsOf));
const [cliInputs, ...othersInputs] = usersInputs;
const shared = new Set(Object.keys(cliInputs).filter((file) => othersInputs.some((inputs) => file in inputs)));
/** The shared modules that a module outside `shared` imports: what core.js exports. */
const boundary = new Set();
for (const inputs of usersInputs) {
  for (const [file, input] of Object.entries(inputs)) {
    for (const imported of input.imports) {
      if (imported.external) continue;
      if (shared.has(file) && !shared.has(imported.path)) throw new Error(`bundle: shared ${file} imports ${imported.path}, which is not shared`);
      if (!shared.has(file) && shared.has(imported.path)) boundary.add(imported.path);
    }
  }
}
const boundaryFiles = [...boundary].sort();
const formatOf = (file) => usersInputs.find((inputs) => file in inputs)[file].format;
const isCjs = (file) => formatOf(file) === 'cjs';
/** Each boundary module's export names. */
const exportsOf = new Map();
const esm = boundaryFiles.filter((file) => !isCjs(file));
const probe = await build({ ...common, entryPoints: esm, outdir: path.join(root, 'dist/.probe'), outbase: '.', splitting: true, write: false, metafile: true, sourcemap: false });
for (const output of Object.values(probe.metafile.outputs)) if (output.entryPoint !== undefined) exportsOf.set(output.entryPoint, output.exports);
for (const file of boundaryFiles.filter(isCjs)) exportsOf.set(file, Object.keys(requireFromRoot(path.join(root, file))).filter((name) => name !== '__esModule'));
for (const file of boundaryFiles) if (!exportsOf.has(file)) throw new Error(`bundle: no exports known for ${file}`);
const coreName = (file) => `m${boundaryFiles.indexOf(file)}`;
/** core.js's export of `name` from an ES module (named re-exports keep live bindings). */
const coreExport = (file, name) => `${coreName(file)}$${name}`;
/** core.js: each boundary module's exports, an ES module's each under its own name, a CommonJS one's as one namespace. */
const coreSource = boundaryFiles
  .map((file) =>
    isCjs(file)
      ? `export * as ${coreName(file)} from ${JSON.stringify(`./${file}`)};`
      : `export { ${exportsOf.get(file).map((name) => `${name} as ${coreExport(file, name)}`).join(', ')} } from ${JSON.stringify(`./${file}`)};`,
  )
  .join('\n');

/** Resolves imports of the boundary modules to core.js: a module re-exporting that module's part of it. */
const sharedFromCore = (outfile) => ({
  name: 'shared-from-core',
  setup(b) {
    const core = path.relative(path.dirname(outfile), coreOut);
    const coreImport = core.startsWith('.') ? core : `./${core}`;
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.fromCore || args.kind === 'entry-point' || args.path.startsWith('node:')) return undefined;
      if (args.namespace === 'core' && args.path === coreImport) return { path: coreImport, external: true };
      const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { fromCore: true } });
      if (resolved.errors.length > 0 || resolved.external) return undefined;
      const file = path.relative(root, resolved.path).split(path.sep).join('/');
      return boundary.has(file) ? { path: file, namespace: 'core' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'core' }, (args) => {
      const names = exportsOf.get(args.path);
      const from = JSON.stringify(coreImport);
      if (!isCjs(args.path)) {
        return { contents: `export { ${names.map((name) => `${coreExport(args.path, name)} as ${name}`).join(', ')} } from ${from};`, loader: 'js', resolveDir: root };
      }
      const lines = [`import { ${coreName(args.path)} as m } from ${from};`, `export const { ${names.filter((name) => name !== 'default').join(', ')} } = m;`, 'export default m.default;'];
      return { contents: lines.join('\n'), loader: 'js', resolveDir: root };
    });
  },
});

await build({
  ...common,
  stdin: { contents: coreSource, resolveDir: root, sourcefile: 'core.js', loader: 'js' },
  outfile: coreOut,
  plugins: [lazyImportsExternal(allLazy, coreOut)],
});
for (const { entry, outfile, plugins } of coreUsers) await build({ ...common, entryPoints: [entry], outfile, plugins: [...plugins, sharedFromCore(outfile)] });
await build({
  ...common,
  entryPoints: [...lazyEntries.filter((entry) => entry !== devEntry), inspectorEntry, 'src/guardian/guardian-main.ts'],
  outdir,
  outbase: 'src',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
