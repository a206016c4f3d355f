import type { Writable } from 'node:stream';
import { forcedTeardownDeadlineMs, type DevSessionOutput, type SessionFailure } from '../../machines/dev-session.types.js';
import type { ServiceStatus } from '../../machines/service.types.js';
import { byHandCommand } from '../plan/by-hand.js';
import { quoteArgv } from '../util/shell-words.js';
import { failureAnnotation } from './github-actions.js';
import { styleLogPrefixes, type LogPrefixStyle } from './log-prefix.js';
import { PhaseDisplay, type ProgressStyle } from './phase-display.js';
import { shownWhenQuiet } from './quiet.js';
import { removalText } from './removal-text.js';
import type { Reporter, SessionEvent } from './reporter.js';

export interface PrettyReporterOptions {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** ANSI colour in stagecraft's own messages (a terminal, no NO_COLOR). */
  readonly color: boolean;
  /** stdout is a terminal: compose's line-clearing escape is kept, not stripped. */
  readonly stdoutIsTerminal: boolean;
  readonly verbose: boolean;
  /** The `stagecraft dev down …` command that stops this project, for hints. */
  readonly downCommand: string;
  /** Each service's progress while a phase works: a live region, plain lines (the default), or none. */
  readonly progress?: ProgressStyle;
  /** `--quiet`: only errors and the final line. */
  readonly quiet?: boolean;
  /** GitHub Actions: phases folded in groups, a failure as one `::error` annotation. */
  readonly githubActions?: boolean;
  /** How container log prefixes look; unset, as compose printed them. */
  readonly logPrefix?: LogPrefixStyle;
  /** Milliseconds, for progress timestamps. */
  readonly now?: () => number;
}

const prefix = 'stagecraft dev:';
// Compose starts every log line with "erase line", even when not on a terminal.
const eraseLine = '\u001b[2K';

/**
 * Human output: container logs to stdout as they come, stagecraft's own
 * lines to stderr behind one prefix. Verbose adds commands, compose's own
 * stderr and state transitions; never environment values.
 */
export class PrettyReporter implements Reporter {
  readonly #o: PrettyReporterOptions;
  readonly #phases: PhaseDisplay;
  /** The services `up` starts: the start board's rows. */
  #expected: readonly string[] = [];
  /** `--keep-on-failure` kept a failed start: its error suggests the flag no more. */
  #kept = false;
  /** The services `dev restart` is restarting: their being stopped is the restart, not news. */
  #restarting: readonly string[] = [];

  constructor(options: PrettyReporterOptions) {
    this.#o = options;
    this.#phases = new PhaseDisplay({
      progress: options.quiet === true ? { kind: 'none' } : (options.progress ?? { kind: 'plain' }),
      groups: options.githubActions === true && options.quiet !== true,
      write: (text) => options.stderr.write(text),
      say: (line) => this.#say(line),
      now: options.now ?? Date.now,
    });
  }

  report(event: SessionEvent): void {
    const o = this.#o;
    // Noted even when --quiet hides the line: the failure's last words depend on it.
    if (event.type === 'rollingBack') this.#kept = event.keepOnFailure;
    if (o.quiet === true && !shownWhenQuiet(event)) return;
    switch (event.type) {
      case 'logs': {
        const text = o.logPrefix === undefined ? event.text : styleLogPrefixes(event.text, o.logPrefix);
        this.#phases.above(() => o.stdout.write(o.stdoutIsTerminal ? text : text.replaceAll(eraseLine, '')));
        return;
      }
      case 'planned':
        this.#expected = event.plan.expectedServices;
        if (!o.verbose) return;
        this.#say(`dev dir: ${event.options.devDir}`);
        this.#say(`compose file: ${event.plan.composeFile}`);
        this.#say(`project: ${event.plan.projectName}`);
        if (event.options.noTraefik) {
          this.#say(
            event.plan.leftOut.length === 0
              ? '--no-traefik: no Traefik service in compose.yaml, nothing left out'
              : `--no-traefik: leaving out ${event.plan.leftOut.join(', ')} (never pulled nor started)`,
          );
        }
        return;
      case 'transition':
        if (o.verbose) this.#say(this.#dim(`state: ${event.from === undefined ? '' : `${event.from} → `}${event.to}`));
        return;
      case 'command':
        if (o.verbose) this.#say(`$ ${quoteArgv(event.command.argv)}`);
        return;
      case 'commandOutput':
        if (o.verbose) this.#phases.above(() => o.stderr.write(`${this.#dim('  │')} ${event.line.replaceAll(eraseLine, '')}\n`));
        return;
      case 'commandEnded':
        if (o.verbose && event.exitCode !== 0) {
          this.#say(this.#dim(`${event.command.phase} command exited with ${event.exitCode ?? 'a signal'}`));
        }
        return;
      case 'reconciling':
        this.#phases.begin('teardown', `teardown of the stale session of project ${event.stale.project}`);
        this.#warn(
          `found a stale session of project ${event.stale.project} (pid ${event.stale.pid} is gone, last state ${event.stale.state}); tearing it down before starting`,
        );
        return;
      case 'starting':
        this.#phases.begin('start', `start project ${event.projectName}`, this.#expected);
        this.#say(`starting project ${event.projectName}…`);
        return;
      case 'started':
        this.#phases.end();
        this.#say(
          event.mode === 'foreground'
            ? `project ${event.projectName} is up; streaming its logs (Ctrl+C stops and removes it)`
            : `project ${event.projectName} is running in the background; stop it with: ${o.downCommand}`,
        );
        return;
      case 'stopping':
        this.#phases.begin('teardown', `teardown of project ${event.projectName}`);
        this.#say(
          event.cause === 'stack-ended'
            ? `every container of project ${event.projectName} has exited; removing the stack`
            : event.cause === 'events-lost'
              ? `lost the engine's event stream of project ${event.projectName}; removing the stack`
              : event.cause === 'failed'
                ? `an error ended the session of project ${event.projectName} (it is shown below); removing the stack`
                : `got ${event.signal ?? 'a stop request'}: stopping project ${event.projectName} (Ctrl+C again to force)`,
        );
        return;
      case 'restarting':
        this.#restarting = event.services;
        this.#phases.begin('start', `restart ${event.services.join(', ')} of project ${event.projectName}`, event.services);
        this.#say(`restarting ${event.services.join(', ')} of project ${event.projectName}…`);
        return;
      case 'restarted':
        this.#phases.end();
        this.#say(`restarted ${event.statuses.map((s) => `${s.service} (${restartedAs(s)})`).join(', ')} of project ${event.projectName}`);
        return;
      case 'restartInterrupted':
        this.#phases.end();
        this.#warn(interruptedRestart(event));
        return;
      case 'waiting':
        this.#phases.begin('wait', `wait for ${event.services.join(', ') || 'the services'} (up to ${event.timeoutSeconds} s)`);
        if (event.services.length > 0) {
          this.#say(`waiting up to ${event.timeoutSeconds} s for ${event.services.join(', ')} to be ready…`);
        }
        return;
      case 'service':
        // A change said as news (an exit, a restart) needs no progress line too.
        this.#phases.status(event.status, this.#service(event.status, event.previous));
        return;
      case 'progress':
        this.#phases.compose(event.progress);
        return;
      case 'rollbackTeardown':
        this.#phases.begin('teardown', `teardown of project ${event.projectName} (rollback)`);
        return;
      case 'eventsLost':
        this.#warn(`the engine's event stream ended (${event.reason}); reading the stack's state once`);
        return;
      case 'logsReattaching':
        if (o.verbose) this.#say(this.#dim(`log stream ended; following again${event.since === undefined ? '' : ` since ${event.since}`}`));
        return;
      case 'healthOutput':
        this.#say(`last health check of ${event.service}: ${event.output}`);
        return;
      case 'forcing':
        this.#warn(
          event.cause === 'signal'
            ? `forcing the teardown: kill, then down --timeout 0 (bounded: it gives up after ${forcedTeardownDeadlineMs / 1000} s)`
            : 'the graceful teardown did not finish in time; forcing it',
        );
        return;
      case 'stillForcing':
        this.#warn(`still forcing the teardown; it is not cut short, and gives up by itself after ${event.seconds} s`);
        return;
      case 'removed':
        this.#say(removalText(event.projectName, event.removal));
        return;
      case 'rollingBack':
        this.#phases.begin('diagnostics', 'diagnostics: why the start failed');
        this.#warn(
          event.keepOnFailure
            ? 'start failed; keeping what was created for inspection (--keep-on-failure)'
            : 'start failed; rolling back',
        );
        return;
      case 'diagnostics':
        this.#say(`last log lines of ${event.services.join(', ')}:`);
        return;
      case 'finished':
        this.#phases.end();
        this.#finished(event.output);
        return;
      case 'error':
        this.#fail(event.failure);
        return;
      case 'notice':
        this.#say(event.message);
        return;
      case 'warning':
        this.#warn(event.message);
        return;
    }
  }

  /** Exits, restarts and health changes as they happen (SPEC §4); the rest only with --verbose. True when it said something. */
  #service(status: ServiceStatus, previous: ServiceStatus | undefined): boolean {
    if (previous?.state === status.state && previous.restarts === status.restarts) return false;
    // Stopped by someone, then started again (`compose restart`, `dev restart` from another shell).
    const startedAgain = previous?.state === 'stopped' && (status.state === 'starting' || status.state === 'running');
    if (startedAgain && !this.#restarting.includes(status.service)) {
      this.#say(`${status.service} was started again`);
      return true;
    }
    switch (status.state) {
      case 'exited':
        this.#say(`${status.service} exited with code ${status.exitCode ?? '?'}`);
        return true;
      case 'restarting':
        this.#say(`${status.service} exited with code ${status.exitCode ?? '?'}; restarting (${status.restarts + 1})`);
        return true;
      case 'stopped':
        if (this.#restarting.includes(status.service)) return false;
        this.#say(`${status.service} was stopped (exit code ${status.exitCode ?? '?'})`);
        return true;
      case 'unhealthy':
        this.#warn(`${status.service} is unhealthy`);
        return true;
      case 'healthy':
        if (previous?.state !== 'unhealthy' && !this.#o.verbose) return false;
        this.#say(`${status.service} is healthy`);
        return true;
      default:
        // A board shows these steps already.
        if (!this.#o.verbose || status.state === 'pending' || this.#phases.showing()) return false;
        this.#say(this.#dim(`${status.service}: ${status.state}`));
        return true;
    }
  }


  #finished(output: DevSessionOutput): void {
    const { failure, teardownFailure, leftBehind, projectName } = output;
    if (failure !== undefined) this.#fail(failure, projectName);
    if (teardownFailure !== undefined) this.#error(teardownFailure);
    switch (output.finalState) {
      case 'detached':
        return;
      case 'stopped':
        if (leftBehind !== undefined) this.#stillThere(projectName, leftBehind);
        else if (failure === undefined) {
          this.#say(
            output.signal === undefined
              ? `project ${projectName} ended with every service exited 0; removed`
              : `stopped project ${projectName}; nothing left running`,
          );
        }
        return;
      case 'failed':
        if (leftBehind !== undefined) this.#stillThere(projectName, leftBehind);
        return;
      case 'abandoned':
        this.#warn(`gave up on the teardown; project ${projectName} may still be running`);
        this.#say(`remove it by hand: ${byHandCommand(leftBehind ?? [])}`);
        return;
    }
  }

  #stillThere(projectName: string | undefined, leftBehind: readonly string[]): void {
    this.#say(`the stack of project ${projectName} may still be there; remove it with: ${this.#o.downCommand}`);
    this.#say(`  or by hand: ${byHandCommand(leftBehind)}`);
  }

  /** The failure the run is about: one `::error` annotation on GitHub Actions, else an error line. */
  #fail(failure: SessionFailure, projectName?: string): void {
    if (this.#o.githubActions !== true) return this.#error(failure);
    const text = failureAnnotation(failure, projectName, messageOf(failure, this.#kept));
    this.#phases.above(() => this.#o.stderr.write(text));
  }

  #error(failure: SessionFailure): void {
    this.#say(`${this.#paint('1;31', 'error:')} ${messageOf(failure, this.#kept)}`);
  }

  #warn(message: string): void {
    this.#say(this.#paint('33', message));
  }

  #say(line: string): void {
    this.#phases.above(() => this.#o.stderr.write(`${this.#dim(prefix)} ${line}\n`));
  }

  #dim(text: string): string {
    return this.#paint('2', text);
  }

  #paint(code: string, text: string): string {
    return this.#o.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }
}

/** How a restarted service is ready (SPEC §4). */
function restartedAs(status: ServiceStatus): string {
  return status.state === 'exited' ? `exited ${status.exitCode ?? '?'}` : status.state;
}

/** Where a stop signal found `dev restart`, and what that leaves. */
function interruptedRestart(event: Extract<SessionEvent, { type: 'restartInterrupted' }>): string {
  const services = event.services.join(', ');
  switch (event.step) {
    case 'survey':
      return 'stopped before restarting anything';
    case 'restart':
      return `stopped while compose restarted ${services}: some may be left stopped; see \`stagecraft dev status\`, and run \`stagecraft dev restart ${event.services.join(' ')}\` again`;
    case 'wait':
      return `stopped waiting: the restart of ${services} is done (nothing was stopped by this), but not every one is ready yet; see \`stagecraft dev status\``;
  }
}

/** What to do after a failed start. */
const startFailedNext = 'fix what compose reported and run stagecraft dev again (--keep-on-failure keeps what was created, for inspection)';
/** …and after a start `--keep-on-failure` kept: the flag is not news. */
const keptStartFailedNext = 'fix what compose reported and run stagecraft dev again';

/** …and after a start that --start-timeout ended: compose reported nothing to fix. */
const timedOutNext = (seconds: number): string =>
  `the start took longer than ${seconds} s: raise --start-timeout if it needs longer, or check the engine (\`docker info\`); then run stagecraft dev again`;

/** `kept`: the run was given --keep-on-failure and kept what a failed start created. */
export function messageOf(failure: SessionFailure, kept = false): string {
  switch (failure.kind) {
    case 'services-failed':
      return `${failure.services
        .map((s) => `service ${s.service} exited with code ${s.exitCode}`)
        .join(', ')}; see its logs above, fix it and run stagecraft dev again`;
    case 'start-failed': {
      const atFault = failure.services.length === 0 ? '' : `\n  services at fault: ${failure.services.join(', ')} (their last log lines are above)`;
      const next =
        failure.timedOutSeconds !== undefined
          ? timedOutNext(failure.timedOutSeconds)
          : kept
            ? keptStartFailedNext
            : startFailedNext;
      return `${failure.message}${atFault}\n  ${next}`;
    }
    default:
      return failure.message;
  }
}
