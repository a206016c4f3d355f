// The CLI's side of the guardian (issue 14 item 6): starts its watcher, and tells it, over a
// pipe only the CLI holds, what to do should the CLI die: end these compose children; once
// `up` has started, tear down this plan. A clean end says `done`. Nothing here waits: the
// watcher is spawned only once `up` has been (a session that fails before, on bad input or a
// project held by another session, starts none), in the turn after, so `up` never waits for
// its fork; and the guardian proper (node) starts only if the CLI dies.
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DevPlan } from '../../machines/dev-session.types.js';
import type { ChildWatcher } from '../compose/execa-compose-runner.js';
import type { Reporter } from '../output/reporter.js';
import { currentProcess, processStartTicks } from '../session-file/process-identity.js';
import { encodeMessage, type GuardianMessage } from './guardian-protocol.js';

/** A session's guardian, as the CLI holds it. */
export interface SessionGuardian {
  /** Told of every compose child the runner starts and sees end. */
  readonly children: ChildWatcher;
  /**
   * The session's reporter, passing every event on: when `up` is about to run (`starting`),
   * the plan announced (`planned`) is handed over and the watcher started; when the session
   * forces its teardown (`forcing`), so would the guardian; when it has ended (`finished`),
   * the plan is taken back.
   */
  watch(reporter: Reporter): Reporter;
  /** The clean end (`done`): the watcher exits at once and the guardian proper never runs. */
  end(): void;
}

/**
 * The guardian's entry as built. This module is bundled into the commands in
 * dist/src/commands/, one level under dist/src (scripts/bundle.mjs).
 */
export const guardianScript = (): string => fileURLToPath(new URL('../guardian/guardian-main.js', import.meta.url));

// The watcher: a background shell holding the pipe (fd 3, as its stdin: a shell gives a
// background command /dev/null unless it is redirected explicitly). `sh -c` exits at once, so
// the watcher is nobody's child (reparented to init or the nearest subreaper): a kill of the
// CLI's process tree, which walks children by parent pid (a CI cancel), does not find it;
// `detached` made it a session of its own, out of reach of the terminal's signals. It keeps
// the CLI's lines (JSON: no raw newline) and node is never started for a clean end (`done`,
// matched as encodeMessage writes it): only once the pipe has closed without it are they
// handed to the guardian proper, `node guardian-main.js`. A session costs a shell, not a node.
const watcher = `(
  messages=''
  while IFS= read -r line; do
    [ "$line" = '${encodeMessage({ type: 'done' }).trim()}' ] && exit 0
    messages="$messages$line
"
  done
  printf %s "$messages" | "$0" "$@"
) 0<&3 3<&- &`;

/** The guardian's environment: the CLI's, without the tag a CI runner kills orphans by at the job's end (GitHub's). */
function guardianEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { RUNNER_TRACKING_ID: _tracked, ...rest } = env;
  return rest;
}

export interface GuardianOptions {
  /** The environment compose runs in (the CLI's runner's). */
  readonly env: NodeJS.ProcessEnv;
  /** Where compose runs. */
  readonly cwd: string;
  /** The session's record, which the guardian takes over as `dev down` does. */
  readonly sessionFile: string;
  /**
   * `stack` (a foreground session): started once `up` starts, it tears the stack down too.
   * `children` (a `--detach --wait` run, `dev logs`, `dev restart`): started with
   * the first compose child, it only ends the CLI's children, whose streams would otherwise
   * outlive a SIGKILL; it is never handed a plan, so it cannot touch a stack.
   */
  readonly guards: 'stack' | 'children';
  /** The guardian's entry (tests pass a stand-in). */
  readonly script?: string;
  /** Starts the watcher (tests count the calls); `launchGuardian` by default. */
  readonly launch?: (options: GuardianOptions) => Socket | undefined;
}

/** Spawns the guardian's watcher; returns the pipe that is its stdin, or undefined when it could not be spawned. */
export function launchGuardian(options: GuardianOptions): Socket | undefined {
  try {
    const shell = spawn('/bin/sh', ['-c', watcher, process.execPath, options.script ?? guardianScript()], {
      cwd: options.cwd,
      env: guardianEnv(options.env),
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    });
    shell.on('error', () => undefined);
    shell.unref();
    const pipe = shell.stdio[3] as Socket;
    // A guardian that failed to start (or died) closes its end: writes then fail, unheard.
    pipe.on('error', () => undefined);
    pipe.unref();
    return pipe;
  } catch {
    return undefined;
  }
}

/**
 * The guardian of a foreground session whose record is `sessionFile`. Undefined where it
 * cannot run (Windows: no process groups). What it is told before its watcher runs is kept,
 * in order, and written once the watcher is spawned.
 */
export function createGuardian(options: GuardianOptions): SessionGuardian | undefined {
  if (process.platform === 'win32') return undefined;
  const queued: GuardianMessage[] = [];
  let pipe: Socket | undefined;
  let state: 'waiting' | 'spawning' | 'spawned' | 'ended' = 'waiting';
  const write = (message: GuardianMessage): void => {
    if (pipe !== undefined && !pipe.destroyed && pipe.writable) pipe.write(encodeMessage(message));
  };
  const send = (message: GuardianMessage): void => {
    if (state === 'spawned') write(message);
    else if (state !== 'ended') queued.push(message);
  };
  const start = (): void => {
    if (state !== 'waiting') return;
    state = 'spawning';
    // After the current turn: `up` is spawned in it, and must not wait for this fork.
    setImmediate(() => {
      if (state !== 'spawning') return;
      pipe = (options.launch ?? launchGuardian)(options);
      state = 'spawned';
      for (const message of queued.splice(0)) write(message);
    });
  };
  return {
    children: {
      started: (pid) => {
        send({ type: 'child', child: { pid, startTicks: processStartTicks(pid) } });
        if (options.guards === 'children') start();
      },
      ended: (pid) => send({ type: 'ended', pid }),
    },
    watch: (reporter) => {
      let plan: DevPlan | undefined;
      return {
        report: (event) => {
          if (event.type === 'planned') plan = event.plan;
          if (event.type === 'starting' && options.guards === 'stack' && plan !== undefined) {
            send({ type: 'arm', cli: currentProcess(), plan, sessionFile: options.sessionFile });
            start();
          }
          if (event.type === 'forcing') send({ type: 'force' });
          if (event.type === 'finished') send({ type: 'disarm' });
          reporter.report(event);
        },
      };
    },
    end: () => {
      // Never spawned (the session ended before `up`): nothing to tell.
      if (state !== 'spawned') {
        state = 'ended';
        queued.length = 0;
        return;
      }
      write({ type: 'done' });
      pipe?.end();
      state = 'ended';
    },
  };
}
