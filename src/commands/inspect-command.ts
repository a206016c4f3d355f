import { toFailure } from '../../machines/dev-session.output.js';
import type { StopSignal } from '../../machines/dev-session.types.js';
import { ExitCode, exitCodeForFailure } from '../../machines/exit-code.js';
import { startInspectorServer } from '../inspect/inspector-server.js';
import { exitCodeAfterStop } from '../signals/asked-stop.js';
import { forwardStopSignals } from '../signals/forward-stop-signals.js';
import type { CliIo } from './cli-io.js';

/** Loopback only: the events carry the session's context (README, "Watching the lifecycle"). */
export const inspectorHost = '127.0.0.1';

/** `stagecraft inspect`'s flags. */
export interface InspectFlags {
  /** 0: any free port. */
  readonly port: number;
  /** Open the page in the default browser. */
  readonly open: boolean;
}

const prefix = 'stagecraft inspect:';

/**
 * `stagecraft inspect [--port N] [--open]`: serves @statelyai/inspect's inspector relay on
 * 127.0.0.1 and prints the page to open (stdout) and the `--inspect=ws://…` to pass, until
 * Ctrl+C (exit 0; SIGTERM or SIGHUP 128+n). 1 for a bad port, 2 when it cannot listen.
 */
export async function inspectCommand(flags: InspectFlags, io: CliIo): Promise<number> {
  if (!Number.isInteger(flags.port) || flags.port < 0 || flags.port > 65535) {
    io.stderr.write(`${prefix} error: --port takes a TCP port from 0 to 65535 (0: any free one), got ${String(flags.port)}\n`);
    return ExitCode.input;
  }
  // Listening from before the server starts: a Ctrl+C meanwhile ends it cleanly.
  let unlisten = (): void => undefined;
  const stopped = new Promise<StopSignal>((resolve) => {
    unlisten = forwardStopSignals(io.process, (signal) => {
      unlisten();
      resolve(signal);
    });
  });
  let server;
  try {
    server = await startInspectorServer({ host: inspectorHost, port: flags.port, open: flags.open });
  } catch (error) {
    unlisten();
    const failure = toFailure(error);
    io.stderr.write(`${prefix} error: ${'message' in failure ? failure.message : failure.kind}\n`);
    return exitCodeForFailure(failure);
  }
  const address = `${server.host}:${server.port}`;
  io.stdout.write(`open http://${address} in a browser, then run:\n  stagecraft dev --inspect=ws://${address}\n`);
  io.stderr.write(
    `${prefix} relaying on ${address} only; the page embeds the Stately inspector from https://stately.ai/inspect and replays the last 200 events to a late browser; Ctrl+C stops it\n`,
  );
  const signal = await stopped;
  await server.stop();
  return exitCodeAfterStop(signal);
}
