// The second step of `npm run build`, after `tsc --noEmit` has type-checked: bundles the
// CLI with esbuild into dist/src/. The bundles are CommonJS (`.cjs`), run by the `bin`
// (dist/src/cli.js, built from src/bin.ts: src/bundle-loader/load-bundle.ts) with V8's code
// cache, which scripts/train-code-cache.mjs, the build's last step, writes beside them.
//
// Start-up time is mostly compiling (bench/RESULTS.md): node compiles every file it loads,
// and each file costs a resolve, a read and a link. So:
// 1. dist/src/cli.cjs, the entry (the fast path, the commands table), loads only
//    dist/src/chunks/core.cjs: what it shares with `dev` and with generation (yaml, the
//    reporter, the dev files, the plan; `dev plan` loads these two files and nothing else).
// 2. dist/src/commands/dev-command.cjs (the session: execa, xstate, the machines) and
//    dist/src/commands/generate-command.cjs (stagecraft.yml, only when there is one): each ONE
//    file, taking the shared modules from core.cjs, so `dev` compiles no second copy of them
//    and loads 3 files. A module of these four files is in one of them only (one instance).
// 3. dist/src/cli/yargs-cli.cjs, the other commands and the inspector (dist/src/inspect/,
//    `dev --inspect` only): each one file (CommonJS has no shared chunks; one of them is
//    loaded at a time), with their own copies of what cli.cjs holds, as the lazily loaded
//    commands always had.
// 4. The guardian (dist/src/guardian/guardian-main.js, run by its own process:
//    src/guardian/spawn-guardian.ts finds it one level up from the commands): an ES module,
//    its teardown in a chunk loaded only when it acts.
// A lazily imported file's `import()` becomes a `require()` of its built bundle, which the
// loader runs.
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
  // CommonJS, so that src/bundle-loader/load-bundle.ts can compile each bundle with V8's code
  // cache (node 20 has none for ES modules). A lazy `import()` becomes a `require()` of the
  // built bundle, which that loader's `require` runs (from its cache too).
  format: 'cjs',
  supported: { 'dynamic-import': false },
  platform: 'node',
  target: 'node20',
  // Each bundle's own location, where its modules read `import.meta.url` (package.json, the guardian's entry).
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__bundleUrl', 'import.meta.filename': '__filename', 'import.meta.dirname': '__dirname' },
  // ws loads these native accelerators when they are installed, and works without them.
  external: ['bufferutil', 'utf-8-validate'],
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
};
/** ES modules, as before: the guardian (its own process, `node dist/src/guardian/guardian-main.js`) and the `bin`, the loader. */
const esmCommon = {
  ...common,
  format: 'esm',
  supported: {},
  define: {},
  // Bundled CommonJS packages (cross-spawn, …) `require` node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
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
      const built = path.join(outdir, path.relative(path.join(root, 'src'), source).replace(/\.ts$/, '.cjs'));
      const relative = path.relative(path.dirname(outfile), built);
      return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
    });
  },
});

// A previous build (an unbundled tsc output, or old chunk hashes) would linger.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });

const builtPath = (entry) => path.join(outdir, entry.replace(/^src\//, '').replace(/\.ts$/, '.cjs'));
const coreOut = path.join(outdir, 'chunks/core.cjs');
/** Every file imported lazily: each build leaves such imports as imports of the built file. */
const allLazy = [...lazyEntries, generateEntry, inspectorEntry];
/** The entry, then what it loads lazily and shares code with through core.cjs; each one file otherwise. */
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

// What cli.cjs shares with the others (yaml, the reporter, the dev files, the plan): core.cjs.
const inputsOf = async ({ entry, outfile, plugins }) =>
  (await build({ ...common, entryPoints: [entry], outfile, plugins, write: false, metafile: true, sourcemap: false })).metafile.inputs;
const usersInputs = await Promise.all(coreUsers.map(inputsOf));
const [cliInputs, ...othersInputs] = usersInputs;
const shared = new Set(Object.keys(cliInputs).filter((file) => othersInputs.some((inputs) => file in inputs)));
/** The shared modules that a module outside `shared` imports: what core.cjs exports. */
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
const esmBoundary = boundaryFiles.filter((file) => !isCjs(file));
const probe = await build({ ...esmCommon, entryPoints: esmBoundary, outdir: path.join(root, 'dist/.probe'), outbase: '.', splitting: true, write: false, metafile: true, sourcemap: false });
for (const output of Object.values(probe.metafile.outputs)) if (output.entryPoint !== undefined) exportsOf.set(output.entryPoint, output.exports);
for (const file of boundaryFiles.filter(isCjs)) exportsOf.set(file, Object.keys(requireFromRoot(path.join(root, file))).filter((name) => name !== '__esModule'));
for (const file of boundaryFiles) if (!exportsOf.has(file)) throw new Error(`bundle: no exports known for ${file}`);
const coreName = (file) => `m${boundaryFiles.indexOf(file)}`;
/** core.cjs's export of `name` from an ES module (named re-exports keep live bindings). */
const coreExport = (file, name) => `${coreName(file)}$${name}`;
/** core.cjs: each boundary module's exports, an ES module's each under its own name, a CommonJS one's as one namespace. */
const coreSource = boundaryFiles
  .map((file) =>
    isCjs(file)
      ? `export * as ${coreName(file)} from ${JSON.stringify(`./${file}`)};`
      : `export { ${exportsOf.get(file).map((name) => `${name} as ${coreExport(file, name)}`).join(', ')} } from ${JSON.stringify(`./${file}`)};`,
  )
  .join('\n');

/** Resolves imports of the boundary modules to core.cjs: a module re-exporting that module's part of it. */
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
  stdin: { contents: coreSource, resolveDir: root, sourcefile: 'core.cjs', loader: 'js' },
  outfile: coreOut,
  plugins: [lazyImportsExternal(allLazy, coreOut)],
});
for (const { entry, outfile, plugins } of coreUsers) await build({ ...common, entryPoints: [entry], outfile, plugins: [...plugins, sharedFromCore(outfile)] });
// The other lazily loaded entries: each one bundle (CommonJS has no shared chunks), loaded one at a time.
for (const entry of [...lazyEntries.filter((entry) => entry !== devEntry), inspectorEntry]) {
  const outfile = builtPath(entry);
  await build({ ...common, entryPoints: [entry], outfile, plugins: [lazyImportsExternal(allLazy, outfile)] });
}
await build({ ...esmCommon, entryPoints: ['src/guardian/guardian-main.ts'], outdir, outbase: 'src', splitting: true, chunkNames: 'chunks/[name]-[hash]' });
// The `bin` (dist/src/cli.js): the loader, which runs cli.cjs.
await build({ ...esmCommon, banner: {}, entryPoints: ['src/bin.ts'], outfile: path.join(outdir, 'cli.js'), legalComments: 'none' });
