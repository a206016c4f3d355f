// The only module that imports execa: runs planned compose commands as child processes.
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { execa, type ResultPromise } from 'execa';
import type { Phase, PlannedCommand } from '../../machines/dev-session.types.js';
import { classifyEnd } from './classify-failure.js';
import { isComposeFailure } from './compose-runner.js';
import type {
  CommandResult,
  ComposeFailure,
  ComposeRunner,
  ComposeRunnerObserver,
  IdleOptions,
  FollowedProcess,
  LineListener,
  OutputSink,
} from './compose-runner.js';
import { ChunkBatcher } from './chunk-batcher.js';
import { LineSplitter, TailBuffer } from './line-splitter.js';
import { openOsPipe } from './os-pipe.js';

/** Told of each child's process group as it starts and once it has ended (the guardian's list). */
export interface ChildWatcher {
  started(pid: number): void;
  ended(pid: number): void;
}

export interface ExecaComposeRunnerOptions {
  readonly cwd: string;
  /** Passed to compose unchanged (DOCKER_HOST, DOCKER_CONTEXT, …). */
  readonly env: NodeJS.ProcessEnv;
  readonly observer: ComposeRunnerObserver;
  /** Ask compose for colours on followed output (our stdout is a colour terminal). */
  readonly colorLogs: boolean;
  /** SIGTERM to SIGKILL, for a child being stopped. */
  readonly killGraceMs?: number;
  readonly children?: ChildWatcher;
}

const stderrTailLines = 20;

/** How many times a command killed by a stop signal nobody sent it is run in all. */
const spawnRaceAttempts = 3;

/** The child died of SIGINT, SIGTERM or SIGHUP (which stagecraft itself never sends a `run` child unasked). */
function diedOfStopSignal(error: unknown): boolean {
  return isComposeFailure(error) && error.kind !== 'canceled' && ['SIGINT', 'SIGTERM', 'SIGHUP'].includes(error.signal ?? '');
}

/** How a command run on the terminal ended: its exit code, or the signal that ended it. */
export interface TerminalEnd {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
}

/** A command running on the terminal (`runOnTerminal`). */
export interface TerminalProcess {
  readonly done: Promise<TerminalEnd>;
  signal(name: NodeJS.Signals): void;
}

/**
 * The followed commands whose output is a log stream, worth a real pipe (os-pipe.ts). The
 * others (the events stream, diagnostics) print a few lines: their pipe is execa's, and no
 * `mkfifo` child is waited for (spawnSync) before them; the events stream is spawned just
 * before `up` (bench/RESULTS.md, start).
 */
const logStreams: ReadonlySet<string> = new Set(['attach', 'logs']);

interface Started {
  readonly done: Promise<CommandResult>;
  readonly stop: () => void;
}

/**
 * ComposeRunner over execa. Every child runs in its own process group
 * (`detached: true`) with stdin ignored, so a terminal's Ctrl+C reaches only
 * stagecraft and the session decides what each child gets. Children are ended
 * as a whole group, because `docker compose` is `docker` plus a plugin child.
 * execa's own cleanup is off for detached children, so `killAll()` is the
 * last-resort hook the CLI calls on exit.
 */
export class ExecaComposeRunner implements ComposeRunner {
  readonly #options: ExecaComposeRunnerOptions;
  readonly #live = new Set<number>();
  /** One promise per child not yet ended, settled when it has (whatever its result), with its phase. */
  readonly #running = new Map<Promise<void>, Phase>();

  constructor(options: ExecaComposeRunnerOptions) {
    this.#options = options;
  }

  async run(command: PlannedCommand, signal: AbortSignal, onLine?: LineListener): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#runOnce(command, signal, onLine);
      } catch (error) {
        // A child is in stagecraft's process group from fork until its setsid: a Ctrl+C (or a
        // supervisor's SIGTERM) to the group in that moment is held, and kills it as it execs.
        // Not ours (nothing cancelled it): run it again; every planned command may run twice.
        if (attempt < spawnRaceAttempts && !signal.aborted && diedOfStopSignal(error)) continue;
        throw error;
      }
    }
  }

  #runOnce(command: PlannedCommand, signal: AbortSignal, onLine: LineListener | undefined): Promise<CommandResult> {
    // Canceled before it started: start nothing. (After a third Ctrl+C the forced
    // teardown's `down` would otherwise be spawned after giving up, only to be killed.)
    if (signal.aborted) {
      const end = { spawnCode: undefined, exitCode: undefined, signal: undefined, canceled: true, stderrTail: '' };
      return Promise.reject<CommandResult>(classifyEnd(command, end));
    }
    const started = this.#start(command, { captureStdout: true, sink: undefined, onLine });
    signal.addEventListener('abort', started.stop, { once: true });
    return started.done.finally(() => signal.removeEventListener('abort', started.stop));
  }

  follow(command: PlannedCommand, sink: OutputSink): FollowedProcess {
    return this.#start(command, { captureStdout: false, sink, onLine: undefined });
  }

  async idle({ killAfterMs, phases }: IdleOptions = {}): Promise<void> {
    const ended = Promise.all([...this.#running].filter(([, phase]) => phases?.includes(phase) ?? true).map(([end]) => end));
    if (killAfterMs === undefined) {
      await ended;
      return;
    }
    const timer = setTimeout(() => this.killAll(), killAfterMs);
    try {
      await ended;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs `command` on the terminal, as if typed (`dev exec`): stdin, stdout and stderr are
   * stagecraft's own, and the child stays in stagecraft's process group, the terminal's
   * foreground one, so its Ctrl+C and a TTY reach the command. `done` resolves with how it
   * ended, whatever its exit code; it rejects with a `ComposeFailure` only when it did not
   * start. `signal()` passes a signal on. execa's cleanup kills it if stagecraft exits first.
   */
  runOnTerminal(command: PlannedCommand): TerminalProcess {
    const [file, ...args] = command.argv;
    if (file === undefined) throw new Error(`empty argv for ${command.phase}`);
    const { observer } = this.#options;
    observer.commandStarted(command);
    const child = execa(file, args, { cwd: this.#options.cwd, env: this.#options.env, extendEnv: false, stdio: 'inherit', reject: false });
    const done = settle(child).then((end) => {
      const failure = end.spawnCode === undefined ? undefined : classifyEnd(command, { ...end, canceled: false, stderrTail: '' });
      observer.commandEnded(command, end.exitCode, failure);
      if (failure !== undefined) return Promise.reject<TerminalEnd>(failure satisfies ComposeFailure);
      return { exitCode: end.exitCode, signal: end.signal };
    });
    return { done, signal: (name) => void child.kill(name) };
  }

  /** SIGKILLs every child still running. Synchronous: safe in `process.on('exit')`. */
  killAll(): void {
    for (const pid of this.#live) signalGroup(pid, 'SIGKILL');
  }

  #start(command: PlannedCommand, how: { captureStdout: boolean; sink: OutputSink | undefined; onLine: LineListener | undefined }): Started {
    const { observer } = this.#options;
    const [file, ...args] = command.argv;
    if (file === undefined) throw new Error(`empty argv for ${command.phase}`);
    observer.commandStarted(command);
    // A followed log stream writes its stdout into a real pipe when one can be made (os-pipe.ts).
    const pipe = how.sink === undefined || !logStreams.has(command.phase) ? undefined : openOsPipe(this.#options.env);
    const child = execa(file, args, {
      cwd: this.#options.cwd,
      env: this.#childEnv(how.sink !== undefined),
      extendEnv: false,
      stdin: 'ignore',
      // execa hands any fd number to spawn() as it is; its types only list 0 to 9.
      stdout: pipe === undefined ? 'pipe' : (pipe.writeFd as 9),
      stderr: 'pipe',
      // Lines passed on as they come are captured here, not by execa.
      buffer: { stdout: how.captureStdout && how.onLine === undefined, stderr: false },
      detached: true,
      cleanup: false,
      reject: false,
      forceKillAfterDelay: false,
    });
    const pid = child.pid;
    if (pid !== undefined) {
      this.#live.add(pid);
      this.#options.children?.started(pid);
    }
    // The child has its copy of the write end (or failed to start); ours would keep the pipe from ever ending.
    if (pipe !== undefined) closeSync(pipe.writeFd);

    const tail = new TailBuffer(stderrTailLines);
    readLines(child.stderr, (lines) => {
      for (const line of lines.slice(0, -1).split('\n')) {
        tail.add(line);
        observer.commandOutput(command, line);
        how.onLine?.(line, 'stderr');
      }
    });
    const stdoutText = how.onLine === undefined ? undefined : passLines(child.stdout, (line) => {
      observer.commandOutput(command, line);
      how.onLine?.(line, 'stdout');
    });
    const stdoutLines =
      how.sink === undefined ? undefined : followLines(pipe === undefined ? child.stdout : pipeReader(pipe.readFd), how.sink);

    let canceled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (canceled || pid === undefined || !this.#live.has(pid)) return;
      canceled = true;
      signalGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), this.#options.killGraceMs ?? 5000);
    };

    // A followed child's pipe is ours, not execa's: its last lines may still be unread when
    // the child exits, so wait for the pipe's end as execa does for its own pipes.
    const done = Promise.all([settle(child), stdoutLines?.ended]).then(([end]) => {
      clearTimeout(killTimer);
      if (pid !== undefined) {
        this.#live.delete(pid);
        this.#options.children?.ended(pid);
      }
      // A last line without its newline is shown only when the child ended by itself: one cut
      // where it was killed or stopped is dropped (see followLines).
      stdoutLines?.end(end.signal === undefined && !canceled);
      const failure = classifyEnd(command, { ...end, canceled, stderrTail: tail.toString() });
      observer.commandEnded(command, end.exitCode, failure);
      // A followed child that we stopped ended as asked: that is not a failure.
      if (failure !== undefined && !(how.sink !== undefined && failure.kind === 'canceled')) {
        return Promise.reject<CommandResult>(failure satisfies ComposeFailure);
      }
      return { stdout: stdoutText?.() ?? end.stdout, stderrTail: tail.toString() };
    });
    const ended = done.then(
      () => undefined,
      () => undefined,
    );
    this.#running.set(ended, command.phase);
    void ended.then(() => this.#running.delete(ended));
    return { done, stop };
  }

  #childEnv(followed: boolean): NodeJS.ProcessEnv {
    const env = this.#options.env;
    // Compose only colours a terminal; its stdout is our pipe, so ask explicitly,
    // unless the user chose for themselves.
    if (followed && this.#options.colorLogs && env['COMPOSE_ANSI'] === undefined) {
      return { ...env, COMPOSE_ANSI: 'always' };
    }
    return env;
  }
}

async function settle(child: ResultPromise) {
  const result = await child;
  return {
    spawnCode: result.exitCode === undefined && typeof result.code === 'string' ? result.code : undefined,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
  };
}

function readLines(stream: NodeJS.ReadableStream | null, emit: (lines: string) => void): LineSplitter {
  const splitter = new LineSplitter(emit);
  if (stream === null) return splitter;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => splitter.push(chunk));
  stream.on('end', () => splitter.flush());
  return splitter;
}

/**
 * Passes on each line of `stream` as it comes; returns what reads all of it captured so far,
 * its last newline dropped as execa drops it from the stdout it captures.
 */
function passLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): () => string {
  let text = '';
  readLines(stream, (lines) => {
    text += lines;
    for (const line of lines.slice(0, -1).split('\n')) onLine(line);
  });
  return () => text.replace(/\n$/, '');
}

/** The read end of an OsPipe as a stream; destroyed (the fd closed) once it ends. */
function pipeReader(fd: number): Socket {
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.on('end', () => socket.destroy());
  socket.on('error', () => socket.destroy());
  return socket;
}

/**
 * A followed child's stdout, in batches of whole lines (see chunk-batcher.ts). The stream's
 * end passes on every whole line; `end(keepCutLine)`, once the child has ended, also a last
 * line without its newline when `keepCutLine`, else drops it: compose ends every line with
 * one, so that is a line cut where its writer was killed or stopped. Shown, it would be a
 * cut line, and a re-attached log stream, told it was seen, would drop the whole line
 * (bench/RESULTS.md, fan-in). `ended` resolves once the stream has ended or failed.
 */
function followLines(stream: NodeJS.ReadableStream | null, emit: (lines: string) => void): { end: (keepCutLine: boolean) => void; ended: Promise<void> } {
  const splitter = new LineSplitter(emit);
  // UTF-8 decoded per batch: a character cut between two batches is held back, not mangled.
  const decoder = new StringDecoder('utf8');
  const batcher = new ChunkBatcher((data) => splitter.push(decoder.write(data)));
  let drained = false;
  const drain = (): void => {
    if (drained) return;
    drained = true;
    batcher.flush();
    const rest = decoder.end();
    if (rest !== '') splitter.push(rest);
  };
  const end = (keepCutLine: boolean): void => {
    drain();
    if (keepCutLine) splitter.flush();
    else splitter.discard();
  };
  if (stream === null) return { end, ended: Promise.resolve() };
  stream.on('data', (chunk: Buffer) => batcher.push(chunk));
  const ended = new Promise<void>((resolve) => {
    stream.once('end', () => {
      drain();
      resolve();
    });
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  return { end, ended };
}

/** Signals a whole process group; a group that is already gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
