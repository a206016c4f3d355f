import { closeSync, openSync, writeSync } from 'node:fs';
import { fsProblem } from '../util/fs-failure.js';
import { quoteArgv } from '../util/shell-words.js';
import type { Reporter, SessionEvent } from './reporter.js';

/**
 * `--events <file>`: one JSON line per transition and per compose command,
 * written with a synchronous write(2) as it happens, so an interrupted or
 * killed session still leaves a complete, parseable file up to that point.
 * Never holds environment values: only states, events, argv and exit codes.
 */
export class EventsFileReporter implements Reporter {
  readonly #file: string;
  readonly #fd: number;
  readonly #now: () => Date;
  #problem: string | undefined;

  /** Opens (truncates) `file`; throws the fs error if it cannot. */
  constructor(file: string, now: () => Date = () => new Date()) {
    this.#fd = openSync(file, 'w');
    this.#file = file;
    this.#now = now;
  }

  /**
   * Why the file stopped short (`cannot write <file>: no space left on device`), once a write
   * failed: the session goes on, the file ends at its last whole line. Undefined while all is well.
   */
  get problem(): string | undefined {
    return this.#problem;
  }

  report(event: SessionEvent): void {
    const line = this.#problem === undefined ? this.#lineFor(event) : undefined;
    if (line === undefined) return;
    try {
      writeSync(this.#fd, `${JSON.stringify({ time: this.#now().toISOString(), ...line })}\n`);
    } catch (error) {
      this.#problem = fsProblem(error, 'write', this.#file);
      if (this.#problem === undefined) throw error;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  #lineFor(event: SessionEvent): Record<string, unknown> | undefined {
    switch (event.type) {
      case 'transition':
        return { type: 'transition', from: event.from ?? null, event: event.event ?? null, to: event.to };
      case 'command':
        return { type: 'command', phase: event.command.phase, argv: event.command.argv, command: quoteArgv(event.command.argv) };
      case 'commandEnded':
        return { type: 'commandEnded', phase: event.command.phase, argv: event.command.argv, exitCode: event.exitCode ?? null };
      // SPEC §2: the file holds the service events too (each service machine's status as it changes).
      case 'service':
        return {
          type: 'service',
          service: event.status.service,
          state: event.status.state,
          exitCode: event.status.exitCode ?? null,
          restarts: event.status.restarts,
        };
      // What compose said each service was doing while `up` or `down` ran.
      case 'progress':
        return {
          type: 'progress',
          service: event.progress.service,
          activity: event.progress.activity,
          ...(event.progress.step === undefined ? {} : { step: event.progress.step }),
        };
      case 'finished':
        return {
          type: 'finished',
          finalState: event.output.finalState,
          exitCode: event.output.exitCode,
          signal: event.output.signal ?? null,
          failure: event.output.failure?.kind ?? null,
        };
      default:
        return undefined;
    }
  }
}

/** Sends every event to each reporter in turn. */
export function teeReporter(...reporters: readonly Reporter[]): Reporter {
  return { report: (event) => reporters.forEach((reporter) => reporter.report(event)) };
}
