// What each command line runs, shared by yargs (src/cli/yargs-cli.ts) and the fast
// path (src/cli/fast-path.ts). Command modules are imported only when their command
// runs, so `--help` and `plan` never load execa, xstate or the session.
import type { CliIo } from '../commands/cli-io.js';
import type { LogsRequest } from '../plan/day-two-commands.js';
import { configChoice } from './config-flag.js';
import { toCliFlags, type DevFlagValues } from './dev-flags.js';
import { UsageError } from './usage-error.js';


/** The parsed arguments a command reads: the dev flags, and `--config` where the command has it. */
export type CommandArgs = DevFlagValues & { readonly config?: string | undefined };

/** One handler per command; each sets `process.exitCode` and resolves. */
export interface CliCommands {
  readonly dev: (args: CommandArgs) => Promise<void>;
  readonly down: (args: CommandArgs) => Promise<void>;
  readonly plan: (args: CommandArgs) => Promise<void>;
  readonly generate: (args: CommandArgs) => Promise<void>;
  readonly status: (args: CommandArgs, json: boolean) => Promise<void>;
  readonly machine: (format: 'mermaid' | 'json' | 'dot', name?: 'session' | 'down' | 'service' | 'restart') => Promise<void>;
  /** `stagecraft init [--force]`. */
  readonly init: (force: boolean) => Promise<void>;
  /** `stagecraft dev logs [svc…] [-f] [--tail N] [--since T]`. */
  readonly logs: (args: CommandArgs, request: LogsRequest) => Promise<void>;
  /** `stagecraft dev restart [svc…]`. */
  readonly restart: (args: CommandArgs, services: readonly string[]) => Promise<void>;
  /** `stagecraft dev exec <svc> -- <cmd…>`. */
  readonly exec: (args: CommandArgs, service: string, command: readonly string[]) => Promise<void>;
  /** `stagecraft inspect [--port N] [--open]`. */
  readonly inspect: (port: number, open: boolean) => Promise<void>;
}

type Command = (args: CommandArgs) => Promise<number>;

const hangupExitCode = 128 + 1;

/**
 * Ends the process by SIGHUP itself, once the teardown is done and output is flushed.
 * On Node 20, a normal exit after the terminal hung up aborts in node::ResetStdio
 * (tcsetattr on the dead tty; nodejs/node#51519, fixed by #58200 in later lines).
 * Dying of the signal skips that, and is what a shell expects (`$?` is 129).
 */
async function dieOfHangup(): Promise<void> {
  await new Promise<void>((resolve) => process.stdout.write('', () => process.stderr.write('', () => resolve())));
  // The session's (now inert) stop-signal listeners would swallow it.
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

function handler(command: Command) {
  return async (args: CommandArgs): Promise<void> => {
    const code = await command(args);
    process.exitCode = code;
    if (code === hangupExitCode && [process.stdin, process.stdout, process.stderr].some((s) => s.isTTY)) {
      await dieOfHangup();
    }
  };
}

/**
 * `--dry-run` (a dev flag, so every subcommand is given it) promises that nothing runs.
 * `dev`, `plan` and `down` keep it by printing their commands; the others have no dry run.
 */
function refuseDryRun(args: CommandArgs, command: 'generate' | 'status'): void {
  if (args['dry-run']) {
    throw new UsageError(`\`dev ${command}\` has no --dry-run (check STAGECRAFT_DRY_RUN too); \`stagecraft dev --dry-run\` and \`stagecraft dev down --dry-run\` print what they would run`);
  }
}

/** The real commands, each loading its module on first use. */
export function createCliCommands(io: CliIo): CliCommands {
  /** Writes the dev files from stagecraft.yml when there is one; an exit code when that fails. */
  const generateIfConfigured = async (args: CommandArgs): Promise<number | undefined> =>
    (await import('../commands/generate-if-configured.js')).generateIfConfigured(configChoice(args), toCliFlags(args, io.env), io);
  const printPlan: Command = async (args) =>
    (await import('../commands/plan-command.js')).planCommand(toCliFlags(args, io.env), io);

  const dev: Command = async (args) => {
    // `--dry-run` only prints the plan (devCommand's first step): skip loading the session.
    if (args['dry-run']) return (await generateIfConfigured(args)) ?? (await printPlan(args));
    return (await generateIfConfigured(args)) ?? (await import('../commands/dev-command.js')).devCommand(toCliFlags(args, io.env), io);
  };
  // `dev plan` is `dev --dry-run` (SPEC §2): with --detach it prints the detached plan.
  const plan: Command = async (args) => (await generateIfConfigured(args)) ?? (await printPlan(args));
  const down: Command = async (args) => (await import('../commands/down-command.js')).downCommand(toCliFlags(args, io.env), io);
  const generate: Command = async (args) => {
    refuseDryRun(args, 'generate');
    return (await import('../commands/generate-command.js')).generateCommand(configChoice(args), toCliFlags(args, io.env), io);
  };

  return {
    dev: handler(dev),
    down: handler(down),
    plan: handler(plan),
    generate: handler(generate),
    status: async (args, json) => {
      refuseDryRun(args, 'status');
      const { statusCommand } = await import('../commands/status-command.js');
      process.exitCode = await statusCommand(toCliFlags(args, io.env), json, io);
    },
    machine: async (format, name) => {
      const { machineCommand } = await import('../commands/machine-command.js');
      process.exitCode = machineCommand(format, io, name);
    },
    init: async (force) => {
      const { initCommand } = await import('../commands/init-command.js');
      process.exitCode = await initCommand({ force }, io);
    },
    logs: (args, request) =>
      handler(async (a) => (await import('../commands/logs-command.js')).logsCommand(toCliFlags(a, io.env), request, io))(args),
    restart: (args, services) =>
      handler(async (a) => (await import('../commands/restart-command.js')).restartCommand(toCliFlags(a, io.env), services, io))(args),
    // Whether compose gives the command a TTY: this process's stdin is the command's.
    exec: (args, service, command) =>
      handler(async (a) =>
        (await import('../commands/exec-command.js')).execCommand(toCliFlags(a, io.env), { service, command, stdinIsTerminal: process.stdin.isTTY === true }, io),
      )(args),
    inspect: async (port, open) => {
      const { inspectCommand } = await import('../commands/inspect-command.js');
      process.exitCode = await inspectCommand({ port, open }, io);
    },
  };
}
