import { toFailure } from '../../machines/dev-session.output.js';
import type { DevPlan, StopSignal } from '../../machines/dev-session.types.js';
import { exitCodeForFailure, exitCodeForSignal, ExitCode } from '../../machines/exit-code.js';
import type { CliFlags } from '../cli/dev-flags.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { Reporter } from '../output/reporter.js';
import { formatSections, type PlanSection } from '../plan/format-plan.js';
import { loadPlanOr } from '../plan/load-plan.js';
import { readSessionFile, sessionFilePath, type SessionRecord } from '../session-file/session-file.js';
import { ProjectClaims, projectClaimsDir } from '../session-file/project-claims.js';
import { heldByAnother, SessionLock } from '../session-file/session-lock.js';
import { waitForExit } from '../session-file/wait-for-exit.js';
import { runPlanned } from '../session/describe-failure.js';
import { lockedFailure } from '../session/session-claims.js';
import { forwardStopSignals } from '../signals/forward-stop-signals.js';
import { createReporter, type CliIo } from './cli-io.js';
import { createRunner } from './cli-runner.js';

/** A session that is tearing down already (another `dev down`, a stop, a rollback): it is waited for, not signalled. */
function tearingDown(record: SessionRecord): boolean {
  return record.mode === 'down' || record.state.startsWith('stopping') || record.state.startsWith('rollingBack');
}

/** SIGTERM, as `kill` would send; false when the process ended meanwhile. */
function askToStop(record: SessionRecord): boolean {
  try {
    process.kill(record.pid, 'SIGTERM');
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM') {
      throw {
        kind: 'locked',
        message: `project ${record.project} is held by a live session of another user (pid ${record.pid}, ${record.state}); stop it as that user (\`stagecraft dev down\`, or Ctrl+C in its terminal)`,
      } as const;
    }
    throw error;
  }
}

/** A live session is asked to stop (unless it is tearing down already) and awaited: its own teardown runs. */
async function stopLiveHolder(record: SessionRecord, reporter: Reporter, signal: AbortSignal): Promise<void> {
  const waiting = tearingDown(record) ? 'it is tearing down already; waiting' : askToStop(record) ? 'asked it to stop, waiting' : undefined;
  if (waiting === undefined) return; // it ended by itself in the meantime
  reporter.report({
    type: 'notice',
    message: `project ${record.project} has a live session (pid ${record.pid}, ${record.state}); ${waiting}`,
  });
  const graceSeconds = Number(record.plan.teardown.argv.at(-1)) || 10;
  if (!(await waitForExit(record, (graceSeconds + 60) * 1000, signal))) throw lockedFailure(record);
}

async function teardown(runner: ComposeRunner, plan: DevPlan, signal: AbortSignal): Promise<void> {
  await runPlanned(runner, plan.teardown, plan, signal);
}

/** `dev down --dry-run`: what it would do, in `dev plan`'s format; it runs and signals nothing. */
async function downPlan(plan: DevPlan, record: SessionRecord | undefined, claims: ProjectClaims, file: string): Promise<string> {
  const elsewhere = await claims.holderElsewhere(plan.projectName, file);
  if (elsewhere !== undefined) {
    const failure = lockedFailure(elsewhere.record, elsewhere.sessionFile);
    return formatSections([{ title: `nothing: it would exit 4, because ${failure.message}`, commands: [] }]);
  }
  const sections: PlanSection[] = [];
  if (record !== undefined && heldByAnother(record)) {
    const session = `the live session (pid ${record.pid}, ${record.state})`;
    const first = tearingDown(record) ? `wait for ${session} to finish its teardown` : `ask ${session} to stop with SIGTERM, and wait for it`;
    sections.push({ title: `first: ${first}`, commands: [] });
  } else if (record !== undefined && record.project !== plan.projectName && (await claims.holderElsewhere(record.project, file)) === undefined) {
    sections.push({ title: `teardown of ${record.project} (named by the stale session file)`, commands: [record.plan.teardown] });
  }
  sections.push({ title: 'teardown', commands: [plan.teardown] });
  return formatSections(sections);
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
  const claims = new ProjectClaims(projectClaimsDir(io.env), (message) => reporter.report({ type: 'warning', message }));
  const lock = new SessionLock(file, 'down', { claims });
  try {
    let record = await readSessionFile(file);
    const plan = await loadPlanOr(flags.options, io.cwd, record?.plan);
    if (flags.dryRun) {
      io.stdout.write(await downPlan(plan, record, claims, file));
      return ExitCode.ok;
    }
    if (record !== undefined && heldByAnother(record)) {
      await stopLiveHolder(record, reporter, abort.signal);
      record = await readSessionFile(file);
    }
    reporter.report({ type: 'planned', plan, options: flags.options });
    const claim = await lock.acquire(plan, 'down', abort.signal);
    if (claim.kind === 'held') throw lockedFailure(claim.holder, claim.elsewhere);
    // The stale record it replaced (none when a live session elsewhere holds that project).
    const stale = claim.stale;
    if (stale !== undefined && stale.project !== plan.projectName) await teardown(runner, stale.plan, abort.signal);
    await teardown(runner, plan, abort.signal);
    lock.reconciled();
    await lock.release();
    reporter.report({ type: 'notice', message: `removed project ${plan.projectName}` });
    return ExitCode.ok;
  } catch (error) {
    if (stoppedBy !== undefined) return exitCodeForSignal(stoppedBy);
    const failure = toFailure(error);
    reporter.report({ type: 'error', failure });
    return exitCodeForFailure(failure);
  } finally {
    // A teardown that failed leaves the session file as it found it: a stale record
    // (perhaps of another project) must survive for the next `down` or `dev` to finish.
    await lock.restoreUnreconciled().catch((error: unknown) =>
      reporter.report({ type: 'notice', message: `could not put back the stale session file ${file}: ${String(error)}` }),
    );
    await lock.leave();
    stopForwarding();
    release();
  }
}
