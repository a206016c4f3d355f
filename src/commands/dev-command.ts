import path from 'node:path';
import { toFailure } from '../../machines/dev-session.output.js';
import { exitCodeForFailure } from '../../machines/exit-code.js';
import type { CliFlags } from '../cli/dev-flags.js';
import { EventsFileReporter, teeReporter } from '../output/events-file-reporter.js';
import type { Reporter } from '../output/reporter.js';
import { sessionFilePath } from '../session-file/session-file.js';
import { ProjectLock } from '../session-file/project-lock.js';
import { SessionLock } from '../session-file/session-lock.js';
import { runDevSession } from '../session/run-dev-session.js';
import { fsFailure } from '../util/fs-failure.js';
import { capYoungGeneration } from '../util/young-generation.js';
import { createReporter, type CliIo } from './cli-io.js';
import { planCommand } from './plan-command.js';
import { createSessionRunner, type SessionRunner } from './session-runner.js';

function openEventsFile(file: string, cwd: string): EventsFileReporter {
  try {
    return new EventsFileReporter(path.resolve(cwd, file));
  } catch (error) {
    throw fsFailure(error, 'write', file, 'pass another file to --events');
  }
}

/** `--inspect`: loaded only when asked for, so other runs never pay for it. */
async function connectInspector(target: string, reporter: Reporter) {
  const { checkInspectTarget, startInspector } = await import('../inspect/session-inspector.js');
  checkInspectTarget(target);
  return startInspector(target, {
    say: (message) => reporter.report({ type: 'notice', message }),
    warn: (message) => reporter.report({ type: 'warning', message }),
  });
}

/**
 * `stagecraft dev` (foreground or `--detach`): runs one session and resolves
 * with its exit code once every child it started has ended. `makeRunner` builds the
 * compose runner (the execa one; tests pass the fake), the function that lets it go and,
 * for a foreground session, its guardian (src/guardian/), told of the session's plan.
 */
export async function devCommand(
  flags: CliFlags,
  io: CliIo,
  makeRunner: (reporter: Reporter, io: CliIo) => SessionRunner = (reporter, cliIo) => createSessionRunner(reporter, cliIo, flags),
): Promise<number> {
  if (flags.dryRun) return planCommand(flags, io);
  // A session's log lines come in bursts: its young generation is capped (other commands, such
  // as a plan read from a large config, are better served by V8's defaults). A detached start
  // streams no logs, and loading what the cap watches with (perf_hooks, v8: 5-8 ms) would only
  // delay its `up`.
  if (flags.options.mode === 'foreground') capYoungGeneration();
  const pretty = createReporter(flags.options, flags.verbose, io, flags);
  let events: EventsFileReporter | undefined;
  let inspector: Awaited<ReturnType<typeof connectInspector>> | undefined;
  try {
    events = flags.events === undefined ? undefined : openEventsFile(flags.events, io.cwd);
    inspector = flags.inspect === undefined ? undefined : await connectInspector(flags.inspect, pretty);
  } catch (error) {
    const failure = toFailure(error);
    pretty.report({ type: 'error', failure });
    events?.close();
    return exitCodeForFailure(failure);
  }
  const told = events === undefined ? pretty : teeReporter(pretty, events);
  const { runner, release, guardian } = makeRunner(told, io);
  const reporter = guardian === undefined ? told : guardian.watch(told);
  const lock = new SessionLock(sessionFilePath(flags.options.devDir, io.cwd), flags.options.mode, {
    lock: new ProjectLock(io.env),
  });
  try {
    const output = await runDevSession({
      options: flags.options,
      runner,
      reporter,
      lock,
      cwd: io.cwd,
      signals: io.process,
      ...(inspector === undefined ? {} : { inspect: inspector.inspect }),
    });
    reporter.report({ type: 'finished', output });
    if (events?.problem !== undefined) pretty.report({ type: 'warning', message: `${events.problem}; the events file ends there` });
    // What a final state cancelled may still be exiting (SIGTERM, then SIGKILL after its
    // grace: a stuck forced `kill` after a third Ctrl+C): it does not outlive the session.
    await runner.idle();
    guardian?.end();
    return output.exitCode;
  } finally {
    release();
    await inspector?.stop();
    events?.close();
  }
}
