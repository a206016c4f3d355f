// The process's edges and the reporter every command builds. Deliberately free of
// execa: `dev plan` and `dev generate` import this and must stay cheap to start.
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { DevOptions } from '../../machines/dev-session.types.js';
import { onGitHubActions } from '../output/github-actions.js';
import { everyInterval, LiveRegion } from '../output/live-region.js';
import type { ProgressStyle } from '../output/phase-display.js';
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

/** How much a command's reporter shows, and how (`--quiet`, `--no-log-prefix`). */
export interface DisplayFlags {
  readonly quiet?: boolean;
  readonly noLogPrefix?: boolean;
}

/**
 * Progress as a live region only on a colour terminal (SPEC §5): not on CI, nor through a
 * pipe, nor with NO_COLOR or TERM=dumb, where it is one plain line per change.
 */
function progressStyle(io: CliIo, groups: boolean): ProgressStyle {
  const terminal = io.stderr.isTTY === true && colorAllowed(io.env) && io.env['TERM'] !== 'dumb' && !groups;
  if (!terminal) return { kind: 'plain' };
  const stderr = io.stderr as CliIo['stderr'] & { readonly columns?: number };
  return { kind: 'live', region: new LiveRegion({ stream: io.stderr, columns: () => stderr.columns ?? 80, now: Date.now, every: everyInterval }) };
}

/** The human reporter for a command, coloured only on a terminal without NO_COLOR. */
export function createReporter(options: DevOptions, verbose: boolean, io: CliIo, display: DisplayFlags = {}): Reporter {
  const groups = onGitHubActions(io.env);
  const colorLogs = colorAllowed(io.env) && io.stdout.isTTY === true;
  return new PrettyReporter({
    stdout: io.stdout,
    stderr: io.stderr,
    color: colorAllowed(io.env) && io.stderr.isTTY === true,
    stdoutIsTerminal: io.stdout.isTTY === true,
    verbose,
    downCommand: downCommandFor(options),
    progress: progressStyle(io, groups),
    quiet: display.quiet === true,
    githubActions: groups,
    logPrefix: display.noLogPrefix === true ? 'none' : colorLogs ? 'color' : 'plain',
  });
}
