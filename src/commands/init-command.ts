// `stagecraft init`: writes a stagecraft.yml in the working directory, from the compose
// file compose itself would read there, or a starter when there is none. Asks nothing,
// runs nothing, and never replaces a stagecraft.yml unless told to (--force).
import { lstat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { toFailure } from '../../machines/dev-session.output.js';
import { exitCodeForFailure, ExitCode } from '../../machines/exit-code.js';
import { formatPath } from '../config/config-issues.js';
import { defaultConfigFile } from '../config/stagecraft-config.js';
import { validateConfig } from '../config/validate-config.js';
import { configFromCompose } from '../init/config-from-compose.js';
import { composeFileNames, findComposeFile } from '../init/find-compose-file.js';
import { initYaml } from '../init/init-yaml.js';
import { projectNameFor } from '../init/project-name.js';
import { readComposeFile } from '../init/read-compose-file.js';
import { starterConfig, starterImage } from '../init/starter-config.js';
import { PrettyReporter } from '../output/pretty-reporter.js';
import type { Reporter } from '../output/reporter.js';
import { fsFailure } from '../util/fs-failure.js';
import { inputFailure } from '../util/input-failure.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { colorAllowed, type CliIo } from './cli-io.js';

/** `stagecraft init`'s flags. */
export interface InitOptions {
  /** Replace an existing stagecraft.yml. */
  readonly force: boolean;
}

/** What init decided to write, and the lines it says about it. */
interface Written {
  readonly text: string;
  readonly source: string;
  readonly notices: readonly string[];
  readonly warnings: readonly string[];
}

const alreadyThere = `${defaultConfigFile} already exists; init does not overwrite it (pass --force to replace it)`;

async function present(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fsFailure(error, 'read', defaultConfigFile, 'run `stagecraft init` in another directory');
  }
}

async function fromCompose(cwd: string, replacing: boolean): Promise<Written> {
  const wrote = (what: string) => (replacing ? `replaced ${defaultConfigFile} with ${what}` : `wrote ${what}`);
  const found = await findComposeFile(cwd);
  if (found === undefined) {
    return {
      text: starterConfig(projectNameFor(path.basename(cwd))),
      source: 'a starter',
      notices: [
        `no compose file here (${composeFileNames.join(', ')}); ${wrote(`a starter ${defaultConfigFile}`)}: a backend and a frontend on ${starterImage}`,
      ],
      warnings: [],
    };
  }
  const root = await readComposeFile(path.join(cwd, found.file), found.file);
  const init = configFromCompose(root, found.file, path.basename(cwd));
  return {
    text: initYaml(init.value, init.header, init.comments),
    source: found.file,
    notices: [`${wrote(`${replacing ? 'one' : defaultConfigFile} from ${found.file}`)}: ${init.summary}`],
    warnings: [
      ...found.ignored.map((file) => `${file} is not read: compose reads ${found.file} first, and so does init`),
      ...(found.override === undefined ? [] : [`${found.override} is not merged (compose merges it); copy what it changes into ${defaultConfigFile}`]),
      ...init.notes.map((note) => `not carried over: ${note}`),
    ],
  };
}

/**
 * The text must be a config `stagecraft dev` takes. What the compose file holds that
 * stagecraft.yml cannot (a service with neither image nor build, say) is told by the
 * key at fault: the file it would be in is not written.
 */
function checkValid(written: Written): void {
  const result = validateConfig(parse(written.text));
  const issue = result.ok ? undefined : result.issues[0];
  if (issue === undefined) return;
  const more = result.ok || result.issues.length === 1 ? '' : ` (and ${result.issues.length - 1} more)`;
  throw inputFailure(`${written.source} cannot be written as a valid ${defaultConfigFile}: ${formatPath(issue.path)}: ${issue.message}${more}`);
}

async function write(target: string, text: string, force: boolean): Promise<void> {
  try {
    // Without --force, `wx` creates the file or fails: a stagecraft.yml written meanwhile is never lost.
    if (force) await writeFileAtomic(target, text);
    else await writeFile(target, text, { mode: 0o644, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw inputFailure(alreadyThere);
    throw fsFailure(error, 'write', defaultConfigFile, 'run `stagecraft init` in a writable directory');
  }
}

function report(reporter: Reporter, written: Written): void {
  for (const message of written.notices) reporter.report({ type: 'notice', message });
  for (const message of written.warnings) reporter.report({ type: 'warning', message });
  reporter.report({ type: 'notice', message: 'next: stagecraft dev (generates the dev files, then starts the stack)' });
}

/**
 * `stagecraft init [--force]` in `io.cwd`. Resolves with the exit code: 0 written; 1
 * (one sentence on stderr) when stagecraft.yml exists without --force, the compose
 * file is unreadable or holds what stagecraft.yml cannot, or the file cannot be written.
 */
export async function initCommand(options: InitOptions, io: CliIo): Promise<number> {
  const reporter = new PrettyReporter({
    stdout: io.stdout,
    stderr: io.stderr,
    color: colorAllowed(io.env) && io.stderr.isTTY === true,
    stdoutIsTerminal: io.stdout.isTTY === true,
    verbose: false,
    downCommand: 'stagecraft dev down',
  });
  try {
    const target = path.join(io.cwd, defaultConfigFile);
    const replaced = await present(target);
    if (replaced && !options.force) throw inputFailure(alreadyThere);
    const written = await fromCompose(io.cwd, replaced);
    checkValid(written);
    await write(target, written.text, options.force);
    report(reporter, written);
    return ExitCode.ok;
  } catch (error) {
    const failure = toFailure(error);
    reporter.report({ type: 'error', failure });
    return exitCodeForFailure(failure);
  }
}
