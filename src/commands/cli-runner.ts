// The compose runner of the commands that run compose (dev, down, status). Kept
// apart from cli-io.ts so commands that never run compose never load execa.
import { ExecaComposeRunner, type ChildWatcher } from '../compose/execa-compose-runner.js';
import { observerFor, type Reporter } from '../output/reporter.js';
import { colorAllowed, type CliIo } from './cli-io.js';

/**
 * The environment compose runs in: the user's, without COMPOSE_FILE. Every planned command names
 * its file with `-f` (which beats COMPOSE_FILE) or, the teardown, none on purpose: it works
 * from the project's labels, and COMPOSE_FILE would make it read (and fail on) a file.
 */
export function composeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { COMPOSE_FILE: _file, ...rest } = env;
  return rest;
}

/**
 * The execa runner, with its last-resort hook: on `exit`, any child still
 * running is SIGKILLed with its process group. Returns the runner and the
 * function that removes the hook. `children` hears of each child (a session's guardian).
 */
export function createRunner(reporter: Reporter, io: CliIo, children?: ChildWatcher): { runner: ExecaComposeRunner; release: () => void } {
  const runner = new ExecaComposeRunner({
    cwd: io.cwd,
    env: composeEnv(io.env),
    observer: observerFor(reporter),
    colorLogs: colorAllowed(io.env) && io.stdout.isTTY === true,
    ...(children === undefined ? {} : { children }),
  });
  const killAll = (): void => runner.killAll();
  io.process.on('exit', killAll);
  return { runner, release: () => io.process.off('exit', killAll) };
}
