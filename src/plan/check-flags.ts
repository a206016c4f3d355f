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

function checkSeconds(flag: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > maxSeconds) {
    // yargs has already turned text such as `soon` into NaN: say so in words.
    const got = Number.isNaN(value) ? 'something that is not a number' : String(value);
    throw inputFailure(`${flag} must be a whole number of seconds from ${min} to ${maxSeconds} (got ${got}); fix the flag or its STAGECRAFT_* variable`);
  }
}

/** Checks the flags that need no dev files. Throws an `input` failure naming the flag. */
export function checkFlags(options: DevOptions): void {
  if (options.graceSeconds !== undefined) checkSeconds('--grace', options.graceSeconds, 0);
  checkSeconds('--wait-timeout', options.waitTimeoutSeconds, 1);
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
