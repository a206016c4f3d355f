import type { StopSignal } from '../../machines/dev-session.types.js';
import { ExitCode, exitCodeForSignal } from '../../machines/exit-code.js';

/**
 * The exit code of a command that runs until it is told to stop and has nothing to tear
 * down (`dev logs --follow`, `inspect`): Ctrl+C is how a user ends it, so 0; SIGTERM and
 * SIGHUP come from elsewhere (a supervisor, a closed terminal), so 128+n as a shell expects.
 */
export function exitCodeAfterStop(signal: StopSignal | undefined): number {
  return signal === undefined || signal === 'SIGINT' ? ExitCode.ok : exitCodeForSignal(signal);
}
