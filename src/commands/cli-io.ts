import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { DevOptions } from '../../machines/dev-session.types.js';
import { ExecaComposeRunner } from '../compose/execa-compose-runner.js';
import { PrettyReporter } from '../output/pretty-reporter.js';
import { observerFor, type Reporter } from '../output/reporter.js';
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
function colorAllowed(env: NodeJS.ProcessEnv): boolean {
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

/**
 * The execa runner, with its last-resort hook: on `exit`, any child still
 * running is SIGKILLed with its process group. Returns the runner and the
 * function that removes the hook.
 */
export function createRunner(reporter: Reporter, io: CliIo): { runner: ExecaComposeRunner; release: () => void } {
  const runner = new ExecaComposeRunner({
    cwd: io.cwd,
    env: io.env,
    observer: observerFor(reporter),
    colorLogs: colorAllowed(io.env) && io.stdout.isTTY === true,
  });
  const killAll = (): void => runner.killAll();
  io.process.on('exit', killAll);
  return { runner, release: () => io.process.off('exit', killAll) };
}
