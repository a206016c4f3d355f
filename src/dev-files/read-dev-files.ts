import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fsFailure } from '../util/fs-failure.js';
import { inputFailure } from '../util/input-failure.js';
import { parseComposeModel, type ComposeModel } from './compose-model.js';

/** The dev files a session consumes (SPEC §1), read and checked. */
export interface DevFiles extends ComposeModel {
  readonly devDir: string;
  /** The compose file path as given relative to the working directory. */
  readonly composeFile: string;
}

/** compose.yaml is read whole; a dev compose file past this size is a generator gone wrong. */
export const maxComposeFileBytes = 4 * 1024 * 1024;

const generateHint = 'generate the dev files first';
// In a directory with nothing yet: say how to begin.
const missingHint = `${generateHint}: run \`stagecraft init\` to write a stagecraft.yml, then \`stagecraft dev\``;

/** `<dev-dir>/compose.yaml`, as a relative path when the dev dir is relative (SPEC §3). */
export function composeFileIn(devDir: string): string {
  return path.posix.join(devDir.split(path.sep).join('/'), 'compose.yaml');
}

async function statOrUndefined(file: string) {
  try {
    return await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads `<devDir>/compose.yaml` from `cwd`. Resolves with the parsed model;
 * rejects with an `input` failure naming the file and the next step.
 */
export async function readDevFiles(devDir: string, cwd: string): Promise<DevFiles> {
  const composeFile = composeFileIn(devDir);
  const absoluteDir = path.resolve(cwd, devDir);
  const absoluteFile = path.resolve(cwd, composeFile);
  try {
    const dirStat = await statOrUndefined(absoluteDir);
    if (dirStat === undefined) throw inputFailure(`dev dir not found at ${devDir}; ${missingHint}`);
    if (!dirStat.isDirectory()) {
      throw inputFailure(`dev dir ${devDir} is not a directory; pass the directory that holds compose.yaml with --dev-dir`);
    }
    const fileStat = await statOrUndefined(absoluteFile);
    if (fileStat === undefined) throw inputFailure(`compose file not found at ${composeFile}; ${missingHint}`);
    if (!fileStat.isFile()) throw inputFailure(`compose file ${composeFile} is not a regular file; ${generateHint}`);
    if (fileStat.size > maxComposeFileBytes) {
      const mb = (fileStat.size / 1024 / 1024).toFixed(1);
      throw inputFailure(
        `compose file ${composeFile} is ${mb} MB, over the ${maxComposeFileBytes / 1024 / 1024} MB stagecraft reads; check what generated it`,
      );
    }
    const text = await readFile(absoluteFile, 'utf8');
    return { devDir, composeFile, ...parseComposeModel(text, composeFile) };
  } catch (error) {
    throw fsFailure(error, 'read', composeFile, 'pass another --dev-dir');
  }
}
