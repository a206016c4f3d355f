import { toFailure } from '../../machines/dev-session.output.js';
import type { DevOptions, DevPlan, StopSignal } from '../../machines/dev-session.types.js';
import { exitCodeForFailure, exitCodeForSignal, ExitCode } from '../../machines/exit-code.js';
import type { CliFlags } from '../cli/dev-flags.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { Reporter } from '../output/reporter.js';
import { loadPlan } from '../plan/load-plan.js';
import { readSessionFile, sessionFilePath, type SessionRecord } from '../session-file/session-file.js';
import { holderAlive, SessionLock } from '../session-file/session-lock.js';
import { waitForExit } from '../session-file/wait-for-exit.js';
import { describeFailure } from '../session/describe-failure.js';
import { lockedFailure } from '../session/session-claims.js';
import { forwardStopSignals } from '../signals/forward-stop-signals.js';
import { createReporter, type CliIo } from './cli-io.js';
import { createRunner } from './cli-runner.js';

/** The dev files' plan; when they are gone, the plan the session file recorded. */
async function planForDown(options: DevOptions, cwd: string, record: SessionRecord | undefined): Promise<DevPlan> {
  try {
    return await loadPlan(options, cwd);
  } catch (error) {
    if (record === undefined || toFailure(error).kind !== 'input') throw error;
    return record.plan;
  }
}

/** A live session is asked to stop (SIGTERM, as `kill` would) and awaited: its own teardown runs. */
async function stopLiveHolder(record: SessionRecord, reporter: Reporter, signal: AbortSignal): Promise<void> {
  if (!record.state.startsWith('stopping')) process.kill(record.pid, 'SIGTERM');
  reporter.report({
    type: 'notice',
    message: `project ${record.project} has a live session (pid ${record.pid}, ${record.state}); asked it to stop, waiting`,
  });
  const graceSeconds = Number(record.plan.teardown.argv.at(-1)) || 10;
  if (!(await waitForExit(record, (graceSeconds + 60) * 1000, signal))) throw lockedFailure(record);
}

async function teardown(runner: ComposeRunner, plan: DevPlan, signal: AbortSignal): Promise<void> {
  try {
    await runner.run(plan.teardown, signal);
  } catch (error) {
    throw describeFailure(error, plan);
  }
}

/**
 * `stagecraft dev down`: `down --remove-orphans --timeout G` for the project,
 * with no other session running compose for it meanwhile. Idempotent; works
 * with a stale or missing session file, and removes it. Also tears down the
 * project of a stale session file that names another project. A stop signal
 * cancels it (exit 128+n).
 */
export async function downCommand(flags: CliFlags, io: CliIo): Promise<number> {
  const reporter = createReporter(flags.options, flags.verbose, io);
  const { runner, release } = createRunner(reporter, io);
  const abort = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const stopForwarding = forwardStopSignals(io.process, (signal) => {
    stoppedBy ??= signal;
    abort.abort();
  });
  const file = sessionFilePath(flags.options.devDir, io.cwd);
  const lock = new SessionLock(file, 'down');
  try {
    let record = await readSessionFile(file);
    const plan = await planForDown(flags.options, io.cwd, record);
    if (record !== undefined && record.pid !== process.pid && holderAlive(record)) {
      await stopLiveHolder(record, reporter, abort.signal);
      record = await readSessionFile(file);
    }
    reporter.report({ type: 'planned', plan, options: flags.options });
    const claim = await lock.acquire(plan, 'down');
    if (claim.kind === 'held') throw lockedFailure(claim.holder);
    if (record !== undefined && record.project !== plan.projectName) await teardown(runner, record.plan, abort.signal);
    await teardown(runner, plan, abort.signal);
    await lock.release();
    reporter.report({ type: 'notice', message: `removed project ${plan.projectName}` });
    return ExitCode.ok;
  } catch (error) {
    if (stoppedBy !== undefined) return exitCodeForSignal(stoppedBy);
    const failure = toFailure(error);
    reporter.report({ type: 'error', failure });
    return exitCodeForFailure(failure);
  } finally {
    await lock.leave();
    stopForwarding();
    release();
  }
}
