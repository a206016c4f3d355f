import type { DevSessionOutput } from '../../machines/dev-session.types.js';
import type { CliFlags } from '../cli/dev-flags.js';
import type { Reporter } from '../output/reporter.js';
import { sessionFilePath } from '../session-file/session-file.js';
import { SessionLock } from '../session-file/session-lock.js';
import { runDevSession } from '../session/run-dev-session.js';
import { createReporter, createRunner, type CliIo } from './cli-io.js';
import { planCommand } from './plan-command.js';

/** The session file goes once the stack is gone; it stays while the stack may still run. */
async function settleSessionFile(lock: SessionLock, output: DevSessionOutput): Promise<void> {
  const stackGone = output.finalState === 'stopped' || (output.finalState === 'failed' && output.leftBehind === undefined);
  if (stackGone) return lock.release();
  await lock.update(output.finalState);
  return lock.leave();
}

async function settleQuietly(lock: SessionLock, output: DevSessionOutput, reporter: Reporter): Promise<void> {
  try {
    await settleQuietly(lock, output, reporter);
  } catch (error) {
    reporter.report({ type: 'notice', message: `could not update ${lock.file}: ${String(error)}` });
  }
}

/**
 * `stagecraft dev` (foreground or `--detach`): runs one session and resolves
 * with its exit code once every child it started has ended.
 */
export async function devCommand(flags: CliFlags, io: CliIo): Promise<number> {
  if (flags.dryRun) return planCommand(flags, io);
  const reporter = createReporter(flags.options, flags.verbose, io);
  const { runner, release } = createRunner(reporter, io);
  const lock = new SessionLock(sessionFilePath(flags.options.devDir, io.cwd), flags.options.mode);
  try {
    const output = await runDevSession({
      options: flags.options,
      runner,
      reporter,
      lock,
      cwd: io.cwd,
      signals: io.process,
    });
    await settleSessionFile(lock, output);
    reporter.report({ type: 'finished', output });
    return output.exitCode;
  } finally {
    release();
  }
}
