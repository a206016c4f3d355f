// `<dev-dir>/generated.json` lists the files the last generation wrote, so the next
// one removes exactly those it no longer writes, and nothing else in the dev dir.
import path from 'node:path';
import { sessionFileName } from '../session-file/session-file.js';
import { readTextIfExists, writeIfChanged } from '../util/write-file-atomic.js';

/** The manifest's name in the dev dir. */
export const manifestFileName = 'generated.json';

interface Manifest {
  readonly version: 1;
  readonly files: readonly string[];
}

// Never listed, whatever the manifest says: the session's own files and the manifest.
const protectedNames = new Set([sessionFileName, `${sessionFileName}.lock`, manifestFileName]);

/** A manifest entry stagecraft may delete: a plain relative path inside the dev dir, not a protected file. */
export function isRemovable(entry: string): boolean {
  if (entry === '' || entry.startsWith('/') || entry.includes('\\')) return false;
  const segments = entry.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return false;
  return !protectedNames.has(segments[0] as string);
}

/**
 * The files the manifest in `devDir` lists (only removable ones, sorted). No
 * manifest, or one that is not ours, lists nothing: nothing is ever removed on a guess.
 */
export async function readManifest(devDir: string): Promise<string[]> {
  const text = await readTextIfExists(path.join(devDir, manifestFileName));
  if (text === undefined) return [];
  try {
    const manifest = JSON.parse(text) as Partial<Manifest>;
    if (manifest.version !== 1 || !Array.isArray(manifest.files)) return [];
    return manifest.files.filter((entry): entry is string => typeof entry === 'string' && isRemovable(entry)).sort();
  } catch {
    return [];
  }
}

/** Records `files` (sorted, deduplicated) as the generated files, atomically. */
export async function writeManifest(devDir: string, files: readonly string[]): Promise<void> {
  const manifest: Manifest = { version: 1, files: [...new Set(files)].sort() };
  await writeIfChanged(path.join(devDir, manifestFileName), `${JSON.stringify(manifest, null, 2)}\n`);
}
