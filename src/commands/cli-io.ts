// The process's edges and the reporter every command builds. Deliberately free of
// execa: `dev plan` and `dev generate` import this and must stay cheap to start.
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { DevOptions } from '../../machines/dev-session.types.js';
import { PrettyReporter } from '../output/pretty-reporter.js';
import type { Reporter } from '../output/reporter.js';
import { quoteArgv } from '../util/shell-words.js';

/** The process's edges, passed in so commands never reach for globals. */
export interface CliIo {
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Emits SIGINT/SIGTERM/SIGHUP and `exit`: `process` in production. */
  readonly process: EventEmitter;
}

/** https://no-color.org: set and not empty disables colour. */
export function colorAllowed(env: NodeJS.ProcessEnv): boolean {
  return (env['NO_COLOR'] ?? '') === '';
}

/** `stagecraft dev down` with the flags that locate this project, for hints. */
export function downCommandFor(options: DevOptions): string {
  const argv = ['stagecraft', 'dev', 'down'];
  if (options.devDir !== '.stagecraft/dev') argv.push('--dev-dir', options.devDir);
  if (options.projectName !== undefined) argv.push('--project-name', options.projectName);
  if (options.composeCommand !== 'docker compose') argv.push('--compose-command', options.composeCommand);
  return quoteArgv(argv);
}

/** The human reporter for a command, coloured only on a terminal without NO_COLOR. */
export function createReporter(options: DevOptions, verbose: boolean, io: CliIo): Reporter {
  return new PrettyReporter({
    stdout: io.stdout,
    stderr: io.stderr,
    color: colorAllowed(io.env) && io.stderr.isTTY === true,
    stdoutIsTerminal: io.stdout.isTTY === true,
    verbose,
    downCommand: downCommandFor(options),
  });
}
