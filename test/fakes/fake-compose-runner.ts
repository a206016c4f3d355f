// The one fake of the ComposeRunner port (STYLE §3): no processes, no timers.
// Every call is recorded with its argv, in order. A `run` settles from the answers scripted
// for its command (call by call, the last one repeating), or stays pending until the test
// settles it; an aborted signal rejects it `canceled`, as the execa adapter does. A followed
// command stays open: the test pushes its output and ends or fails it; `stop()` ends it.
import type { Phase, PlannedCommand } from '../../machines/dev-session.types.js';
import type {
  CommandResult,
  ComposeFailure,
  ComposeFailureKind,
  ComposeRunner,
  IdleOptions,
  FollowedProcess,
  LineListener,
  OutputSink,
} from '../../src/compose/compose-runner.js';

/** Which commands an answer or a wait is about: a phase, or any test of the command. */
export type CommandMatch = Phase | ((command: PlannedCommand) => boolean);

/** What a scripted `run` does: succeed with this output, or fail as compose would. */
export type RunAnswer =
  | { readonly stdout?: string; readonly stderrTail?: string }
  | { readonly fail: ComposeFailureKind; readonly exitCode?: number; readonly stderrTail?: string };

/** One `run` call. */
export interface RunCall {
  readonly command: PlannedCommand;
  readonly signal: AbortSignal;
  readonly settled: boolean;
  /** Prints a line as compose would, to the caller's line listener (if it gave one). */
  print(line: string, stream?: 'stdout' | 'stderr'): void;
  resolve(stdout?: string): void;
  /** Rejects with `failure` as given (a bug stand-in), or a ComposeFailure built from a RunAnswer. */
  reject(failure: unknown): void;
}

/** One `follow` call: the test speaks for the child. */
export interface FollowCall {
  readonly command: PlannedCommand;
  /** True once the session called `stop()` (also after the child ended by itself). */
  readonly stopped: boolean;
  /** True once the child ended, by itself, failing, or stopped. */
  readonly ended: boolean;
  /** Writes `text` (whole lines) to the follower's sink. */
  output(text: string): void;
  /** The child exits 0 by itself. */
  end(): void;
  /** The child fails: `done` rejects with a ComposeFailure of `kind`. */
  fail(kind: ComposeFailureKind, exitCode?: number): void;
}

/** What the runner was asked, in order. */
export type RunnerCall =
  | { readonly method: 'run'; readonly command: PlannedCommand }
  | { readonly method: 'follow'; readonly command: PlannedCommand }
  | { readonly method: 'stop'; readonly command: PlannedCommand }
  | { readonly method: 'idle'; readonly killAfterMs: number | undefined; readonly phases: readonly Phase[] | undefined };

const matches = (match: CommandMatch, command: PlannedCommand): boolean =>
  typeof match === 'string' ? command.phase === match : match(command);

/** The ComposeFailure the execa adapter would reject with. */
export function composeFailure(command: PlannedCommand, kind: ComposeFailureKind, more: Partial<ComposeFailure> = {}): ComposeFailure {
  return {
    type: 'compose-failure',
    kind,
    command,
    exitCode: kind === 'exit-non-zero' ? 1 : undefined,
    signal: undefined,
    stderrTail: '',
    ...more,
  };
}

/** A command's result, settled from outside. */
function deferred() {
  let resolve!: (result: CommandResult) => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<CommandResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { done, resolve, reject };
}

export class FakeComposeRunner implements ComposeRunner {
  readonly calls: RunnerCall[] = [];
  readonly runs: RunCall[] = [];
  readonly follows: FollowCall[] = [];
  readonly #answers: Array<{ match: CommandMatch; answers: RunAnswer[] }> = [];
  /** Waiters, each answering whether it is satisfied now. */
  readonly #listeners: Array<() => boolean> = [];
  #idleGate: Promise<void> = Promise.resolve();

  /** Runs matching `match` settle with `answers`, call by call; the last one repeats. Later scripts win. */
  answer(match: CommandMatch, ...answers: RunAnswer[]): this {
    this.#answers.unshift({ match, answers });
    return this;
  }

  /** Every command's argv (runs and follows), in the order they were asked for. */
  argvs(): string[][] {
    return this.calls.flatMap((call) => (call.method === 'run' || call.method === 'follow' ? [[...call.command.argv]] : []));
  }

  /** The calls as text: `run <argv>`, `follow <argv>`, `stop <argv>`, `idle` (`idle 1000`; for some phases only: `idle start`). */
  log(): string[] {
    return this.calls.map((call) =>
      call.method === 'idle'
        ? ['idle', ...(call.phases ?? []), ...(call.killAfterMs === undefined ? [] : [String(call.killAfterMs)])].join(' ')
        : `${call.method} ${call.command.argv.join(' ')}`,
    );
  }

  /** Resolves with the `nth` (0-based) run matching `match`, once it was asked for. */
  waitForRun(match: CommandMatch, nth = 0): Promise<RunCall> {
    return this.#waitFor(() => this.runs.filter((run) => matches(match, run.command))[nth]);
  }

  /** Resolves with the `nth` (0-based) follow matching `match`, once it was asked for. */
  waitForFollow(match: CommandMatch, nth = 0): Promise<FollowCall> {
    return this.#waitFor(() => this.follows.filter((follow) => matches(match, follow.command))[nth]);
  }

  /** Resolves once `condition` holds after some call (checked now, and after each call). */
  waitUntil(condition: () => boolean): Promise<void> {
    return this.#waitFor(() => (condition() ? true : undefined)).then(() => undefined);
  }

  /** Holds `idle()` until the returned function is called: a cancelled child still exiting. */
  holdIdle(): () => void {
    let release!: () => void;
    this.#idleGate = new Promise((resolve) => (release = resolve));
    return release;
  }

  run(command: PlannedCommand, signal: AbortSignal, onLine?: LineListener): Promise<CommandResult> {
    this.calls.push({ method: 'run', command });
    const { done, resolve, reject } = deferred();
    let settled = false;
    const call: RunCall = {
      command,
      signal,
      get settled() {
        return settled;
      },
      print: (line, stream = 'stderr') => {
        if (settled) throw new Error(`output after the end of ${command.argv.join(' ')}`);
        onLine?.(line, stream);
      },
      resolve: (stdout = '') => {
        if (settled) return;
        settled = true;
        resolve({ stdout, stderrTail: '' });
      },
      reject: (failure) => {
        if (settled) return;
        settled = true;
        reject(failure);
      },
    };
    signal.addEventListener('abort', () => call.reject(composeFailure(command, 'canceled', { signal: 'SIGTERM' })), {
      once: true,
    });
    this.runs.push(call);
    const answer = this.#nextAnswer(command);
    if (answer !== undefined) {
      if ('fail' in answer) {
        const { fail, ...more } = answer;
        call.reject(composeFailure(command, fail, more));
      } else call.resolve(answer.stdout);
    }
    this.#notify();
    return done;
  }

  follow(command: PlannedCommand, sink: OutputSink): FollowedProcess {
    this.calls.push({ method: 'follow', command });
    const { done, resolve, reject } = deferred();
    let stopped = false;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      resolve({ stdout: '', stderrTail: '' });
    };
    const call: FollowCall = {
      command,
      get stopped() {
        return stopped;
      },
      get ended() {
        return ended;
      },
      output: (text) => {
        if (ended) throw new Error(`output after the end of ${command.argv.join(' ')}`);
        sink(text);
      },
      end,
      fail: (kind, exitCode) => {
        if (ended) return;
        ended = true;
        reject(composeFailure(command, kind, exitCode === undefined ? {} : { exitCode }));
      },
    };
    this.follows.push(call);
    this.#notify();
    return {
      done,
      stop: () => {
        // Stopping a child that already ended does nothing: only a real stop is recorded.
        if (!stopped && !ended) this.calls.push({ method: 'stop', command });
        stopped = true;
        end();
        this.#notify();
      },
    };
  }

  async idle({ killAfterMs, phases }: IdleOptions = {}): Promise<void> {
    this.calls.push({ method: 'idle', killAfterMs, phases });
    this.#notify();
    await this.#idleGate;
  }

  #nextAnswer(command: PlannedCommand): RunAnswer | undefined {
    const script = this.#answers.find((entry) => matches(entry.match, command));
    if (script === undefined) return undefined;
    return script.answers.length > 1 ? script.answers.shift() : script.answers[0];
  }

  #waitFor<T>(find: () => T | undefined): Promise<T> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const found = find();
        if (found === undefined) return false;
        resolve(found);
        return true;
      };
      if (!check()) this.#listeners.push(check);
    });
  }

  #notify(): void {
    // Checked after the call was recorded; a satisfied waiter is dropped.
    for (const listener of this.#listeners.splice(0)) {
      if (!listener()) this.#listeners.push(listener);
    }
  }
}

/**
 * One line of `compose events --json` as compose 2.26 prints it, for a followed `events`
 * command's output. `die:<code>` is a die with that exit code; the container id defaults to
 * `c-<service>`.
 */
export function engineEventLine(project: string, service: string, action: string, container = `c-${service}`): string {
  const [name, exitCode] = action.startsWith('die:') ? ['die', action.slice(4)] : [action, undefined];
  const attributes = {
    ...(exitCode === undefined ? {} : { execDuration: '1', exitCode }),
    image: 'busybox:latest',
    name: `${project}-${service}-1`,
  };
  const time = '2026-12-01T15:22:57.731876097Z';
  return `${JSON.stringify({ action: name, attributes, id: container, service, time, type: 'container' })}\n`;
}
