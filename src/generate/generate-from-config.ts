import path from 'node:path';
import type { SessionFailure } from '../../machines/dev-session.types.js';
import { readConfig } from '../config/read-config.js';
import { inputFailure } from '../util/input-failure.js';
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

function writeFailure(error: unknown, { devDir, cwd }: GenerateRequest): SessionFailure | unknown {
  const { code, path: at } = (error ?? {}) as NodeJS.ErrnoException;
  const where = at === undefined ? devDir : toPosix(path.relative(cwd, at));
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return inputFailure(`cannot write the dev files into ${devDir}: a part of that path is a file, not a directory; pass another --dev-dir`);
    case 'EISDIR':
      return inputFailure(`cannot write ${where}: it is a directory; remove it or pass another --dev-dir`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return inputFailure(`cannot write the dev files into ${devDir}: ${code === 'EROFS' ? 'read-only file system' : 'permission denied'}`);
    default:
      return error;
  }
}
