import type { DevPlan, PlannedCommand, SessionFailure } from '../../machines/dev-session.types.js';
import { errorLines } from '../compose/compose-progress.js';
import { isComposeFailure, type CommandResult, type ComposeFailure, type ComposeRunner } from '../compose/compose-runner.js';
import { byHandCommand } from '../plan/by-hand.js';
import { quoteArgv } from '../util/shell-words.js';

const tailLinesShown = 5;

function lastLines(text: string): string {
  const errors = errorLines(text);
  const lines = errors.length > 0 ? errors : text.split('\n').filter((line) => line.trim() !== '');
  return lines.slice(-tailLinesShown).map((line) => `  ${line}`).join('\n');
}

function ended(failure: ComposeFailure): string {
  if (failure.kind === 'canceled') return 'was canceled';
  if (failure.exitCode !== undefined) return `exited with code ${failure.exitCode}`;
  return `was ended by ${failure.signal ?? 'a signal'}`;
}

function withTail(sentence: string, failure: ComposeFailure): string {
  const tail = lastLines(failure.stderrTail);
  return tail === '' ? sentence : `${sentence}\n${tail}`;
}

const retryDown = (plan: DevPlan): string =>
  `run \`stagecraft dev down\` to retry, or by hand: ${byHandCommand(plan.teardown.down.argv)}`;

/**
 * Turns a runner rejection into the failure the user reads: what happened,
 * and what to do next. Anything that is not a `ComposeFailure` is passed on
 * untouched (the machine reads it as an internal error).
 */
export function describeFailure(error: unknown, plan: DevPlan): SessionFailure | unknown {
  if (!isComposeFailure(error)) return error;
  const compose = quoteArgv(plan.compose);
  const command = `\`${quoteArgv(error.command.argv)}\``;
  switch (error.kind) {
    case 'docker-missing':
    case 'compose-missing':
      return {
        kind: 'compose-unavailable',
        message: withTail(
          `${compose} not available; install Docker with the Compose plugin or pass --compose-command`,
          error,
        ),
      };
    case 'daemon-down':
      return {
        kind: 'engine-unreachable',
        message: withTail(
          `the container engine is not reachable (${command} failed); start Docker, or point DOCKER_HOST or DOCKER_CONTEXT at a running engine`,
          error,
        ),
      };
    case 'compose-rejected':
      // An input error: nothing was created, so there is nothing to roll back (SPEC §3).
      return {
        kind: 'input',
        message: `${compose} refused ${plan.composeFile}:\n${lastLines(error.stderrTail)}\n  fix the file (or its stagecraft.yml, then \`stagecraft dev generate\`) and run again`,
      };
    case 'exit-non-zero':
    case 'canceled':
      break;
  }
  switch (error.command.phase) {
    case 'start':
      return {
        kind: 'start-failed',
        message: withTail(`starting project ${plan.projectName} failed: ${command} ${ended(error)}`, error),
        stderrTail: error.stderrTail,
        services: [],
      };
    case 'teardown':
    case 'forcedTeardown':
      return {
        kind: 'command-failed',
        message: withTail(`teardown of project ${plan.projectName} failed: ${command} ${ended(error)}; ${retryDown(plan)}`, error),
      };
    case 'restart':
      return {
        kind: 'command-failed',
        message: withTail(`restarting services of project ${plan.projectName} failed: ${command} ${ended(error)}; see \`stagecraft dev status\``, error),
      };
    case 'explain':
      return {
        kind: 'command-failed',
        message: withTail(`${command} ${ended(error)}; check the compose installation or pass --compose-command`, error),
      };
    case 'events':
    case 'attach':
    case 'exitCodes':
    case 'diagnostics':
    case 'health':
    case 'logs':
    case 'exec':
      return {
        kind: 'command-failed',
        message: withTail(`${command} ${ended(error)}; check the stack with \`${quoteArgv(plan.exitCodes.argv)}\``, error),
      };
  }
}

/** Runs one command of `plan`; a failure rejects described, as describeFailure says it. */
export async function runPlanned(runner: ComposeRunner, command: PlannedCommand, plan: DevPlan, signal: AbortSignal): Promise<CommandResult> {
  try {
    return await runner.run(command, signal);
  } catch (error) {
    throw describeFailure(error, plan);
  }
}
