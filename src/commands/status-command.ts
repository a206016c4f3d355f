import { toFailure } from '../../machines/dev-session.output.js';
import type { SessionFailure } from '../../machines/dev-session.types.js';
import { quoteArgv } from '../util/shell-words.js';
import { exitCodeForFailure, ExitCode } from '../../machines/exit-code.js';
import type { CliFlags } from '../cli/dev-flags.js';
import { parsePsOutput } from '../compose/parse-ps.js';
import { loadDownPlan } from '../down/down-plan.js';
import { readSessionFile, sessionFilePath } from '../session-file/session-file.js';
import { holderAlive } from '../session-file/session-lock.js';
import { isComposeFailure } from '../compose/compose-runner.js';
import { describeFailure } from '../session/describe-failure.js';
import { createReporter, type CliIo } from './cli-io.js';
import { createRunner } from './cli-runner.js';
import { buildStatusReport, formatStatus } from './status-report.js';

/** How long `status` waits for the engine's answer. */
export const statusTimeoutMs = 30_000;

/** Exit 2: the engine did not answer within the bound. */
function engineSilent(argv: readonly string[]): SessionFailure {
  return {
    kind: 'engine-unreachable',
    message: `\`${quoteArgv(argv)}\` had no answer in ${statusTimeoutMs / 1000} s: the engine may be hung; check it (\`docker info\`)`,
  };
}

/**
 * `stagecraft dev status [--json]`: the session file and each service's
 * container state (`ps --all --format json`). Exit 0 whether or not the stack
 * is up; 1 for bad input, 2 when compose or the engine fails.
 */
export async function statusCommand(flags: CliFlags, json: boolean, io: CliIo): Promise<number> {
  const reporter = createReporter(flags.options, flags.verbose, io);
  const { runner, release } = createRunner(reporter, io);
  try {
    const record = await readSessionFile(sessionFilePath(flags.options.devDir, io.cwd));
    // Without dev files, the project the record names, with today's flags: never its argv.
    const plan = await loadDownPlan(flags.options, io.cwd, record?.project);
    // `status` has no lifecycle to model, only one read: a frozen engine ends it, bounded.
    const ps = await runner.run(plan.exitCodes, AbortSignal.timeout(statusTimeoutMs)).catch((error: unknown) => {
      throw isComposeFailure(error) && error.kind === 'canceled' ? engineSilent(plan.exitCodes.argv) : describeFailure(error, plan);
    });
    const containers = parsePsOutput(plan.exitCodes, ps.stdout);
    const report = buildStatusReport(plan, record, record !== undefined && holderAlive(record), containers);
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
    return ExitCode.ok;
  } catch (error) {
    const failure = toFailure(error);
    reporter.report({ type: 'error', failure });
    return exitCodeForFailure(failure);
  } finally {
    release();
  }
}
