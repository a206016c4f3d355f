// The loader that runs the built bundles with V8's code cache: a bundle runs the same with a
// cache, without one, with a stale one and with one V8 refuses; a bundle's `require` of
// another bundle goes through the loader (each bundle run once); node's modules are node's.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheFileOf, compiledBundlesKey, loadBundle, type CompiledBundle } from '../../src/bundle-loader/load-bundle.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stagecraft-load-bundle-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const compiled = (bundle: string): CompiledBundle | undefined =>
  (globalThis as { [compiledBundlesKey]?: Map<string, CompiledBundle> })[compiledBundlesKey]?.get(bundle);

/** Writes `source` as the bundle `name` in the test's directory and returns its path. */
function bundleFile(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

/** A bundle whose exports tell what it was run with. */
const probeSource = [
  "const os = require('node:os');",
  "require('node:fs').appendFileSync(`${__dirname}/runs`, 'run\\n');",
  'module.exports = { filename: __filename, dirname: __dirname, eol: os.EOL, answer: (() => 6 * 7)() };',
].join('\n');

describe('loadBundle', () => {
  it('runs a bundle with its own __filename and __dirname and node’s modules, and gives its exports; no cache: none given', () => {
    const file = bundleFile('probe.cjs', probeSource);
    expect(loadBundle(file)).toEqual({ filename: file, dirname: dir, eol: '\n', answer: 42 });
    expect(compiled(file)).toMatchObject({ cacheGiven: false, cacheRejected: false });
  });

  it('runs a bundle once: a second load, or a require from another bundle, gets the same exports', () => {
    const probe = bundleFile('probe.cjs', probeSource);
    const user = bundleFile('user.cjs', "module.exports = { probe: require('./probe.cjs') };");
    const first = loadBundle(probe);
    expect((loadBundle(user) as { probe: unknown }).probe).toBe(first);
    expect(loadBundle(probe)).toBe(first);
    expect(readFileSync(path.join(dir, 'runs'), 'utf8')).toBe('run\n');
  });

  it('gives V8 a cache made from the same source, and V8 takes it', () => {
    const trained = bundleFile('trained.cjs', probeSource);
    loadBundle(trained);
    const cache = compiled(trained)!.script.createCachedData();
    const cached = bundleFile('cached.cjs', probeSource);
    writeFileSync(cacheFileOf(cached), cache);
    expect(loadBundle(cached)).toEqual({ filename: cached, dirname: dir, eol: '\n', answer: 42 });
    expect(compiled(cached)).toMatchObject({ cacheGiven: true, cacheRejected: false });
  });

  it('does not read a cache older than its bundle (a rebuild without the training run)', () => {
    const trained = bundleFile('trained.cjs', probeSource);
    loadBundle(trained);
    const cached = bundleFile('rebuilt.cjs', probeSource);
    writeFileSync(cacheFileOf(cached), compiled(trained)!.script.createCachedData());
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(cacheFileOf(cached), earlier, earlier);
    expect(loadBundle(cached)).toMatchObject({ answer: 42 });
    expect(compiled(cached)).toMatchObject({ cacheGiven: false, cacheRejected: false });
  });

  it('runs a bundle whose cache V8 refuses (not a cache, or another source’s)', () => {
    const garbage = bundleFile('garbage.cjs', probeSource);
    writeFileSync(cacheFileOf(garbage), 'not a code cache');
    expect(loadBundle(garbage)).toMatchObject({ answer: 42 });
    expect(compiled(garbage)).toMatchObject({ cacheGiven: true, cacheRejected: true });

    const other = bundleFile('other.cjs', 'module.exports = 1;');
    loadBundle(other);
    const mismatched = bundleFile('mismatched.cjs', probeSource);
    writeFileSync(cacheFileOf(mismatched), compiled(other)!.script.createCachedData());
    expect(loadBundle(mismatched)).toMatchObject({ answer: 42 });
    expect(compiled(mismatched)).toMatchObject({ cacheGiven: true, cacheRejected: true });
  });

  it('passes on what a bundle throws, and what it requires that is not there', () => {
    const thrower = bundleFile('thrower.cjs', "throw new Error('bundle failed');");
    expect(() => loadBundle(thrower)).toThrow('bundle failed');
    // As node's own loader: a bundle that threw is run again when loaded again, not taken as loaded.
    writeFileSync(thrower, 'module.exports = 2;');
    expect(loadBundle(thrower)).toBe(2);
    const missing = bundleFile('missing.cjs', "require('./absent.cjs');");
    expect(() => loadBundle(missing)).toThrow(expect.objectContaining({ code: 'ENOENT', path: path.join(dir, 'absent.cjs') }));
  });
});
