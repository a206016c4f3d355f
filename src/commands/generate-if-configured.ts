// The generation step before `dev`, `dev --detach`, `dev plan` and `--dry-run`. Most
// projects have no stagecraft.yml, so the generator and the session file are loaded
// only once a config is found: `dev plan` without one stays cheap to start.
import { toFailure } from '../../machines/dev-session.output.js';
import { exitCodeForFailure } from '../../machines/exit-code.js';
import type { ConfigChoice } from '../cli/config-flag.js';
import type { CliFlags } from '../cli/dev-flags.js';
import { configExists } from '../config/config-exists.js';
import { checkFlags } from '../plan/check-flags.js';
import { inputFailure } from '../util/input-failure.js';
import { createReporter, type CliIo } from './cli-io.js';

/** The input failure for a config that is not there: worded for a named one, or for the default. */
export function missingConfig(choice: ConfigChoice) {
  return choice.explicit
    ? inputFailure(`config file not found at ${choice.file}; check --config (or STAGECRAFT_CONFIG)`)
    : inputFailure(`no ${choice.file} in the working directory; run \`stagecraft init\` to write one, or pass --config <file>`);
}

/**
 * Before `dev`, `dev --detach` and `dev plan`: generates the dev files when the
 * config exists (a named one must). Resolves with undefined to go on, or with the
 * exit code to stop with. While a live session uses the dev dir, its files are
 * left as they are (that session's start would fail with 4 anyway).
 */
export async function generateIfConfigured(choice: ConfigChoice, flags: CliFlags, io: CliIo): Promise<number | undefined> {
  const reporter = createReporter(flags.options, flags.verbose, io);
  try {
    checkFlags(flags.options); // bad flags fail before any file is written
    if (!(await configExists(choice.file, io.cwd))) {
      if (choice.explicit) throw missingConfig(choice);
      return undefined; // no config: the dev files on disk are the input, as written by hand
    }
    const { generateUnlessLive } = await import('./generate-command.js');
    await generateUnlessLive(choice, flags, io, reporter);
    return undefined;
  } catch (error) {
    const failure = toFailure(error);
    reporter.report({ type: 'error', failure });
    return exitCodeForFailure(failure);
  }
}
