// Which compose file init reads: the one `docker compose` itself would, in a directory.
import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Compose's default file names, in the order compose picks one (compose-go's
 * DefaultFileNames; checked against docker compose 2.26: docker-compose.yml before
 * docker-compose.yaml).
 */
export const composeFileNames = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;

/** The override files compose merges over the chosen file by default; init does not. */
export const composeOverrideNames = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'] as const;

/** The compose file found in a directory, and the default-named files compose would not read or init does not merge. */
export interface FoundComposeFile {
  readonly file: string;
  /** Other default names present: compose reads only the first. */
  readonly ignored: readonly string[];
  /** An override file present: compose merges it, init does not. */
  readonly override: string | undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function present(dir: string, names: readonly string[]): Promise<string[]> {
  const found = await Promise.all(names.map(async (name) => ((await isFile(path.join(dir, name))) ? name : undefined)));
  return found.filter((name): name is string => name !== undefined);
}

/** The compose file of `dir` by compose's default names; undefined when there is none. */
export async function findComposeFile(dir: string): Promise<FoundComposeFile | undefined> {
  const [file, ...ignored] = await present(dir, composeFileNames);
  if (file === undefined) return undefined;
  const [override] = await present(dir, composeOverrideNames);
  return { file, ignored, override };
}
