import type { DevOptions } from '../../machines/dev-session.types.js';
import { inputFailure } from '../util/input-failure.js';
import { splitCommand } from '../util/shell-words.js';

/** Compose's own rule for project names. */
export const projectNamePattern = /^[a-z0-9][a-z0-9_-]*$/;

/** `--compose-command` as argv. Throws an `input` failure when it is empty or badly quoted. */
export function composeArgv(composeCommand: string): string[] {
  let argv: string[];
  try {
    argv = splitCommand(composeCommand);
  } catch (error) {
    throw inputFailure(`--compose-command ${JSON.stringify(composeCommand)} has ${(error as Error).message}; fix the quoting`);
  }
  if (argv.length === 0) {
    throw inputFailure('--compose-command is empty; pass the compose invocation, e.g. --compose-command "docker compose"');
  }
  return argv;
}

/** The longest --grace or --wait-timeout: a day (the machine's timers hold it, compose gets a sane number). */
export const maxSeconds = 86_400;
export const maxGraceSeconds = maxSeconds;

/** The shortest value of each flag in seconds: no grace at all is a choice, a wait of 0 s is not. */
export const minSeconds = { grace: 0, 'wait-timeout': 1, 'start-timeout': 1 } as const;

/** A number as a message shows it; yargs has already turned text such as `soon` into NaN: say so in words. */
function describeNumber(value: number): string {
  return Number.isNaN(value) ? 'something that is not a number' : String(value);
}

/**
 * `<name> must be a whole number of seconds from <min> to 86400 (got …)`, or undefined when
 * `value` is one. `got` replaces the number as shown (a variable's text, as it was set).
 */
export function secondsProblem(name: string, value: number, min: number, got = describeNumber(value)): string | undefined {
  if (Number.isInteger(value) && value >= min && value <= maxSeconds) return undefined;
  return `${name} must be a whole number of seconds from ${min} to ${maxSeconds} (got ${got})`;
}

function checkSeconds(flag: string, value: number, min: number): void {
  const problem = secondsProblem(flag, value, min);
  if (problem !== undefined) throw inputFailure(`${problem}; fix the flag or its STAGECRAFT_* variable`);
}

/** Checks the flags that need no dev files. Throws an `input` failure naming the flag. */
export function checkFlags(options: DevOptions): void {
  if (options.devDir === '') {
    throw inputFailure('--dev-dir is empty; pass the directory that holds the dev files, e.g. --dev-dir .stagecraft/dev');
  }
  if (options.graceSeconds !== undefined) checkSeconds('--grace', options.graceSeconds, minSeconds.grace);
  checkSeconds('--wait-timeout', options.waitTimeoutSeconds, minSeconds['wait-timeout']);
  checkSeconds('--start-timeout', options.startTimeoutSeconds, minSeconds['start-timeout']);
  composeArgv(options.composeCommand);
  if (options.projectName !== undefined) checkProjectName(options.projectName, '--project-name');
}

/** Throws an `input` failure unless `name` is a valid compose project name. */
export function checkProjectName(name: string, source: string): void {
  if (!projectNamePattern.test(name)) {
    throw inputFailure(
      `project name ${JSON.stringify(name)} (from ${source}) is invalid: compose needs lower-case letters, digits, '_' and '-', starting with a letter or digit`,
    );
  }
}
