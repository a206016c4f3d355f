// Whether there is a config to generate from: asked before every `dev`, `dev plan` and
// `--dry-run`, so it stays apart from the parser (most runs have no config to read).
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** True when `file` (relative to `cwd`) exists, whatever it is; reading it says what is wrong with it. */
export async function configExists(file: string, cwd: string): Promise<boolean> {
  try {
    await stat(path.resolve(cwd, file));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return !(code === 'ENOENT' || code === 'ENOTDIR'); // other errors come back from readConfig, worded
  }
}
