import path from 'node:path';
import { readConfig } from '../config/read-config.js';
import { fsFailure } from '../util/fs-failure.js';
import { generateDevFiles } from './generate-dev-files.js';
import { writeDevFiles, type WriteOutcome } from './write-dev-files.js';

/** Where to read the config and write the dev files; both relative to `cwd` (or absolute). */
export interface GenerateRequest {
  readonly configFile: string;
  readonly devDir: string;
  readonly cwd: string;
}

/** `missing`: there is no config file, nothing was written. */
export type GenerateResult = { readonly kind: 'missing' } | { readonly kind: 'generated'; readonly outcome: WriteOutcome };

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

/**
 * Reads the config, generates the dev files and writes them into the dev dir.
 * Resolves with what was written; rejects with an `input` failure for a bad config
 * or a dev dir that cannot be written, and with anything else for a bug.
 */
export async function generateFromConfig(request: GenerateRequest): Promise<GenerateResult> {
  const configPath = path.resolve(request.cwd, request.configFile);
  const devDir = path.resolve(request.cwd, request.devDir);
  const config = await readConfig(configPath, request.configFile);
  if (config === undefined) return { kind: 'missing' };
  // Relative, so the files do not depend on where the checkout lives (SPEC §3).
  const configFromDevDir = toPosix(path.relative(devDir, configPath));
  const files = generateDevFiles(config, configFromDevDir);
  try {
    return { kind: 'generated', outcome: await writeDevFiles(devDir, files) };
  } catch (error) {
    throw writeFailure(error, request);
  }
}

/** The file the error names (relative to `cwd` when it is inside it), else the dev dir as given. */
function failedPath(error: unknown, { devDir, cwd }: GenerateRequest): string {
  const at = (error as NodeJS.ErrnoException | undefined)?.path;
  if (at === undefined) return devDir;
  const relative = path.relative(cwd, at);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? at : toPosix(relative);
}

function writeFailure(error: unknown, request: GenerateRequest): unknown {
  const action = (error as NodeJS.ErrnoException | undefined)?.syscall === 'mkdir' ? 'create' : 'write';
  return fsFailure(error, action, failedPath(error, request), 'pass another --dev-dir');
}
