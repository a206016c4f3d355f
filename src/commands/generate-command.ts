import { toFailure } from '../../machines/dev-session.output.js';
import { exitCodeForFailure, ExitCode } from '../../machines/exit-code.js';
import type { ConfigChoice } from '../cli/config-flag.js';
import type { CliFlags } from '../cli/dev-flags.js';
import { generateFromConfig } from '../generate/generate-from-config.js';
import type { WriteOutcome } from '../generate/write-dev-files.js';
import type { Reporter } from '../output/reporter.js';
import { checkFlags } from '../plan/check-flags.js';
import { readSessionFile, sessionFilePath } from '../session-file/session-file.js';
import { holderAlive } from '../session-file/session-lock.js';
import { createReporter, type CliIo } from './cli-io.js';
import { missingConfig } from './generate-if-configured.js';

/** One line: what a generation wrote, left alone and removed. */
export function describeOutcome(outcome: WriteOutcome, devDir: string, configFile: string): string {
  const parts = [
    outcome.written.length > 0 ? `wrote ${outcome.written.join(', ')}` : 'nothing changed',
    ...(outcome.unchanged.length > 0 && outcome.written.length > 0 ? [`unchanged ${outcome.unchanged.join(', ')}`] : []),
    ...(outcome.removed.length > 0 ? [`removed stale ${outcome.removed.join(', ')}`] : []),
  ];
  return `dev files in ${devDir} generated from ${configFile}: ${parts.join('; ')}`;
}

async function generate(choice: ConfigChoice, flags: CliFlags, io: CliIo, reporter: Reporter): Promise<'missing' | 'generated'> {
  const { devDir } = flags.options;
  const result = await generateFromConfig({ configFile: choice.file, devDir, cwd: io.cwd });
  if (result.kind === 'missing') return 'missing';
  reporter.report({ type: 'notice', message: describeOutcome(result.outcome, devDir, choice.file) });
  return 'generated';
}

/** `stagecraft dev generate`: writes the dev files from the config; starts nothing. Resolves with the exit code. */
export async function generateCommand(choice: ConfigChoice, flags: CliFlags, io: CliIo): Promise<number> {
  const reporter = createReporter(flags.options, flags.verbose, io);
  try {
    checkFlags(flags.options); // bad flags (an empty --dev-dir: the project root) fail before any file is written
    if ((await generate(choice, flags, io, reporter)) === 'missing') throw missingConfig(choice);
    return ExitCode.ok;
  } catch (error) {
    const failure = toFailure(error);
    reporter.report({ type: 'error', failure });
    return exitCodeForFailure(failure);
  }
}

/**
 * The part of generateIfConfigured after a config was found: generates the dev files,
 * unless a live session uses the dev dir (its files are then left as they are).
 * Rejects with an `input` failure as `generate` does.
 */
export async function generateUnlessLive(choice: ConfigChoice, flags: CliFlags, io: CliIo, reporter: Reporter): Promise<void> {
  const holder = await readSessionFile(sessionFilePath(flags.options.devDir, io.cwd));
  if (holder !== undefined && holderAlive(holder)) {
    reporter.report({ type: 'notice', message: `a live session (pid ${holder.pid}) uses ${flags.options.devDir}; not regenerating its files` });
    return;
  }
  if ((await generate(choice, flags, io, reporter)) === 'missing' && choice.explicit) throw missingConfig(choice);
}
