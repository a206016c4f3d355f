import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fsFailure } from '../util/fs-failure.js';
import { inputFailure } from '../util/input-failure.js';
import type { ComposeModel } from './compose-model.js';
import { readComposeModel, sizeProblem } from './compose-includes.js';

export { maxComposeFileBytes } from './compose-includes.js';

/** The dev files a session consumes (SPEC §1), read and checked. */
export interface DevFiles extends ComposeModel {
  readonly devDir: string;
  /** The compose file path as given relative to the working directory. */
  readonly composeFile: string;
}

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
 * Reads `<devDir>/compose.yaml` from `cwd`, and the files its `include:` names. Resolves
 * with the parsed model; rejects with an `input` failure naming the file and the next step.
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
    const tooBig = sizeProblem(composeFile, fileStat.size);
    if (tooBig !== undefined) throw inputFailure(tooBig);
    const text = await readFile(absoluteFile, 'utf8');
    return { devDir, composeFile, ...(await readComposeModel(text, { shown: composeFile, absolute: absoluteFile })) };
  } catch (error) {
    throw fsFailure(error, 'read', composeFile, 'pass another --dev-dir');
  }
}
