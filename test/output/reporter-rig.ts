// What the reporter tests share: a stream that keeps what was written, a PrettyReporter over
// two of them, and a session's final output.
import { Writable } from 'node:stream';
import type { DevSessionOutput } from '../../machines/dev-session.types.js';
import { PrettyReporter, type PrettyReporterOptions } from '../../src/output/pretty-reporter.js';

/** Keeps each write, in order. */
export class MemoryStream extends Writable {
  readonly writes: string[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writes.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.writes.join('');
  }
}

/** A PrettyReporter of project `shop` off a terminal, no colour, unless `options` say otherwise. */
export function prettyReporter(options: Partial<PrettyReporterOptions> = {}) {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  const reporter = new PrettyReporter({
    stdout,
    stderr,
    color: false,
    stdoutIsTerminal: false,
    verbose: false,
    downCommand: 'stagecraft dev down -p shop',
    ...options,
  });
  return { reporter, stdout, stderr };
}

/** A foreground session of `shop` stopped with nothing wrong, with these fields replaced. */
export const sessionOutput = (overrides: Partial<DevSessionOutput>): DevSessionOutput => ({
  finalState: 'stopped',
  exitCode: 0,
  projectName: 'shop',
  mode: 'foreground',
  failure: undefined,
  teardownFailure: undefined,
  signal: undefined,
  leftBehind: undefined,
  ...overrides,
});
