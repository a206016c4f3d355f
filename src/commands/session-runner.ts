// The compose runner of a `stagecraft dev` session, and the guardian that watches a
// foreground one (src/guardian/), told of every compose child the runner starts.
import type { CliFlags } from '../cli/dev-flags.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { ExecaComposeRunner } from '../compose/execa-compose-runner.js';
import { createGuardian, type GuardianOptions, type SessionGuardian } from '../guardian/spawn-guardian.js';
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
 * The execa runner (createRunner), with a guardian unless `--no-guardian` (or
 * STAGECRAFT_NO_GUARDIAN) turned it off: for a foreground session, one that tears its stack
 * down if the CLI is killed; for `--detach --wait`, one that only ends the CLI's children (its
 * events stream): the stack of a `--detach` run is meant to outlive it, so nothing may tear it
 * down. A plain `--detach` run's children all end before it exits: it needs none.
 */
export function createSessionRunner(reporter: Reporter, io: CliIo, flags: CliFlags): SessionRunner {
  const { mode, wait } = flags.options;
  return createGuardedRunner(reporter, io, flags, mode === 'foreground' ? 'stack' : wait ? 'children' : undefined);
}

/** The execa runner with a guardian of the kind asked for, unless `--no-guardian` turned it off (or none is asked for). */
export function createGuardedRunner(
  reporter: Reporter,
  io: CliIo,
  flags: CliFlags,
  guards: GuardianOptions['guards'] | undefined,
): SessionRunner & { readonly runner: ExecaComposeRunner } {
  const guardian =
    guards === undefined || flags.noGuardian === true
      ? undefined
      : createGuardian({ env: composeEnv(io.env), cwd: io.cwd, sessionFile: sessionFilePath(flags.options.devDir, io.cwd), guards });
  return { ...createRunner(reporter, io, guardian?.children), guardian };
}
