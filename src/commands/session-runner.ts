// The compose runner of a `stagecraft dev` session, and the guardian that watches a
// foreground one (src/guardian/), told of every compose child the runner starts.
import type { CliFlags } from '../cli/dev-flags.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import { createGuardian, type SessionGuardian } from '../guardian/spawn-guardian.js';
import type { Reporter } from '../output/reporter.js';
import { sessionFilePath } from '../session-file/session-file.js';
import type { CliIo } from './cli-io.js';
import { composeEnv, createRunner } from './cli-runner.js';

/** A session's runner, the function that lets it go, and its guardian when it has one. */
export interface SessionRunner {
  readonly runner: ComposeRunner;
  readonly release: () => void;
  readonly guardian?: SessionGuardian | undefined;
}

/**
 * The execa runner (createRunner), with a guardian for a foreground session unless
 * `--no-guardian` (or STAGECRAFT_NO_GUARDIAN) turned it off: a `--detach` run's stack is
 * meant to outlive it, so nothing may tear it down when it exits.
 */
export function createSessionRunner(reporter: Reporter, io: CliIo, flags: CliFlags): SessionRunner {
  const guarded = flags.options.mode === 'foreground' && flags.noGuardian !== true;
  const guardian = guarded
    ? createGuardian({ env: composeEnv(io.env), cwd: io.cwd, sessionFile: sessionFilePath(flags.options.devDir, io.cwd) })
    : undefined;
  return { ...createRunner(reporter, io, guardian?.children), guardian };
}
