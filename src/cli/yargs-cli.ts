// yargs wiring only: the command tree, its flags and its help. Loaded by src/cli.ts for
// every command line the plan fast path does not answer (yargs 18 costs ~50 ms to load).
import yargs, { type Argv } from 'yargs';
import type { CliCommands } from './cli-commands.js';
import { UsageError } from './usage-error.js';
import { withConfigFlag } from './config-flag.js';
import { withDevFlags } from './dev-flags.js';

// `boolean-negation`: `--no-traefik` is a flag of its own (and STAGECRAFT_NO_TRAEFIK), not the
// negation of `--traefik`. A flag given twice takes its last value, as in most CLIs (yargs would make a list).
const parserConfiguration = { 'boolean-negation': false, 'duplicate-arguments-array': false } as const;

/**
 * The positional arguments after `dev <sub>`. `logs`, `restart` and `exec` read theirs from `_`: yargs
 * declares a variadic positional by parsing it again as a repeated option, which
 * `duplicate-arguments-array: false` cuts to its last value.
 */
function positionals(args: { readonly _: readonly (string | number)[] }): string[] {
  return args._.slice(2).map(String);
}

/**
 * The stagecraft command line over `argv` (the arguments after the script), with the
 * `STAGECRAFT_*` variables of `env` as defaults. `parseAsync()` runs the chosen command;
 * a usage error rejects with a `UsageError`, an error from a command with that error.
 */
export function buildCli(argv: readonly string[], env: NodeJS.ProcessEnv, commands: CliCommands, version: () => string): Argv {
  return yargs([...argv])
    .scriptName('stagecraft')
    .usage('$0 <command>\n\nOne command for a project\'s local dev stack, on Docker Compose.')
    .parserConfiguration(parserConfiguration)
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
              .option('machine', { choices: ['session', 'down', 'service', 'restart'] as const, default: 'session' as const, requiresArg: true, describe: '`dev` itself, `dev down`, the machine `dev` spawns per service, or `dev restart`' }),
          (args) => commands.machine(args.format, args.machine),
        )
        .command(
          'logs',
          "the project's logs: every service's, or those named (dev logs [service…])",
          (y) =>
            // Services are positional, options stay strict.
            y
              .usage('$0 dev logs [service…] [-f] [--tail N] [--since T]')
              .strict(false)
              .strictOptions()
              .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'keep streaming new lines; Ctrl+C ends it (exit 0)' })
              .option('tail', { type: 'string', requiresArg: true, describe: 'only the last N lines of each service (or `all`)' })
              .option('since', { type: 'string', requiresArg: true, describe: 'only lines since a time (2026-12-01T15:24:10Z) or a duration ago (10m)' }),
          (args) => commands.logs(args, { services: positionals(args), follow: args.follow, tail: args.tail, since: args.since }),
        )
        .command(
          'restart',
          'restart services of the running project, then wait until they are ready (dev restart [service…])',
          (y) =>
            y
              .usage('$0 dev restart [service…] [--wait-timeout S] [--grace S]')
              .strict(false)
              .strictOptions(),
          (args) => commands.restart(args, positionals(args)),
        )
        .command(
          'exec',
          "run a command in a service's container (dev exec <service> -- <command…>)",
          (y) =>
            // Everything after `--` is the command's, its options included.
            y.usage('$0 dev exec <service> -- <command…>').parserConfiguration({ ...parserConfiguration, 'populate--': true }).strict(false).strictOptions(),
          (args) => {
            const [service, ...command] = positionals(args);
            if (service === undefined) throw new UsageError('name the service and the command: stagecraft dev exec <service> -- <command…>');
            const rest = (args as { readonly '--'?: readonly (string | number)[] })['--'] ?? [];
            return commands.exec(args, service, [...command, ...rest.map(String)]);
          },
        )
        .example('$0 dev', 'start, stream logs, Ctrl+C to stop and remove')
        .example('$0 dev --detach --wait', 'start and wait until healthy, for CI')
        .example('$0 dev down', 'remove a detached stack')
        .example('$0 dev logs -f api', "follow api's logs")
        .example('$0 dev restart api', 'restart api and wait until it is ready again')
        .example('$0 dev exec api -- sh', 'a shell in the api container'),
    )
    .command(
      'init',
      'write a stagecraft.yml: from the compose file here, or a starter',
      (y) => y.option('force', { type: 'boolean', default: false, describe: 'replace an existing stagecraft.yml' }),
      (args) => commands.init(args.force),
    )
    .command(
      'inspect',
      'serve the Stately inspector on 127.0.0.1 for `stagecraft dev --inspect=ws://…`',
      (y) =>
        y
          .option('port', { type: 'number', default: 8080, requiresArg: true, describe: 'the port on 127.0.0.1 (0: any free one)' })
          .option('open', { type: 'boolean', default: false, describe: 'open the page in the default browser' }),
      (args) => commands.inspect(args.port, args.open),
    )
    .demandCommand(1, 'name a command: stagecraft dev, stagecraft init or stagecraft inspect')
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
