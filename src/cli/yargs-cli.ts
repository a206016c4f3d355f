// yargs wiring only: the command tree, its flags and its help. Loaded by src/cli.ts for
// every command line the plan fast path does not answer (yargs 18 costs ~50 ms to load).
import yargs, { type Argv } from 'yargs';
import type { CliCommands } from './cli-commands.js';
import { UsageError } from './usage-error.js';
import { withConfigFlag } from './config-flag.js';
import { withDevFlags } from './dev-flags.js';

/**
 * The stagecraft command line over `argv` (the arguments after the script), with the
 * `STAGECRAFT_*` variables of `env` as defaults. `parseAsync()` runs the chosen command;
 * a usage error rejects with a `UsageError`, an error from a command with that error.
 */
export function buildCli(argv: readonly string[], env: NodeJS.ProcessEnv, commands: CliCommands, version: () => string): Argv {
  return yargs([...argv])
    .scriptName('stagecraft')
    .usage('$0 <command>\n\nOne command for a project\'s local dev stack, on Docker Compose.')
    // `--no-traefik` is a flag of its own (and STAGECRAFT_NO_TRAEFIK), not the negation of `--traefik`.
    // A flag given twice takes its last value, as in most CLIs (yargs would make a list).
    .parserConfiguration({ 'boolean-negation': false, 'duplicate-arguments-array': false })
    .command('dev', 'start the dev stack, stream its logs, tear it down on Ctrl+C', (y) =>
      withDevFlags(y, env)
        .command('$0', 'foreground session (or --detach)', (y) => withConfigFlag(y, env), commands.dev)
        .command('down', "tear down the project's stack; idempotent", (y) => y, commands.down)
        .command('plan', 'print the exact commands each phase would run; runs nothing', (y) => withConfigFlag(y, env), commands.plan)
        .command('generate', 'write the dev files from stagecraft.yml; starts nothing', (y) => withConfigFlag(y, env), commands.generate)
        .command(
          'status',
          'session state and per-service container state',
          (y) => y.option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' }),
          (args) => commands.status(args, args.json),
        )
        .command(
          'machine',
          'print a lifecycle machine (for docs and the inspector)',
          (y) =>
            y
              .option('format', { choices: ['mermaid', 'json', 'dot'] as const, default: 'mermaid' as const, requiresArg: true })
              .option('machine', { choices: ['session', 'down', 'service'] as const, default: 'session' as const, requiresArg: true, describe: '`dev` itself, `dev down`, or the machine `dev` spawns per service' }),
          (args) => commands.machine(args.format, args.machine),
        )
        .example('$0 dev', 'start, stream logs, Ctrl+C to stop and remove')
        .example('$0 dev --detach --wait', 'start and wait until healthy, for CI')
        .example('$0 dev down', 'remove a detached stack'),
    )
    .command(
      'init',
      'write a stagecraft.yml: from the compose file here, or a starter',
      (y) => y.option('force', { type: 'boolean', default: false, describe: 'replace an existing stagecraft.yml' }),
      (args) => commands.init(args.force),
    )
    .demandCommand(1, 'name a command: stagecraft dev or stagecraft init')
    .strict()
    .version(version())
    .help()
    .alias('help', 'h')
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      // Usage errors come with a message; errors thrown by handlers come as `error`.
      // Throwing stops yargs here, so no handler runs after a usage error.
      throw message ? new UsageError(message) : error;
    });
}
