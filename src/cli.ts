#!/usr/bin/env node
// yargs wiring only: parse, hand off to a command, set process.exitCode.
// Command modules are imported lazily so `--help` and `plan` stay cheap.
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode } from '../machines/exit-code.js';
import { toCliFlags, withDevFlags, type DevArgs } from './cli/dev-flags.js';
import { configChoice, withConfigFlag } from './cli/config-flag.js';
import type { CliIo } from './commands/cli-io.js';

// After SIGHUP the terminal is gone and writes to it fail (EIO, EPIPE); an unhandled
// stream error would end the process before its teardown. The session goes on unheard.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), process };

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

type Command = (args: DevArgs) => Promise<number>;

/** Writes the dev files from stagecraft.yml when there is one; an exit code when that fails. */
const generateIfConfigured = async (args: DevArgs): Promise<number | undefined> =>
  (await import('./commands/generate-command.js')).generateIfConfigured(configChoice(args), toCliFlags(args), io);
const generateCommand: Command = async (args) =>
  (await import('./commands/generate-command.js')).generateCommand(configChoice(args), toCliFlags(args), io);

const devCommand: Command = async (args) =>
  (await generateIfConfigured(args)) ?? (await import('./commands/dev-command.js')).devCommand(toCliFlags(args), io);
const downCommand: Command = async (args) =>
  (await import('./commands/down-command.js')).downCommand(toCliFlags(args), io);
const planCommand: Command = async (args) => {
  if (args.detach) {
    throw new UsageError('`dev plan` prints the foreground plan; to see what --detach runs, use `stagecraft dev --detach --dry-run`');
  }
  return (await generateIfConfigured(args)) ?? (await import('./commands/plan-command.js')).planCommand(toCliFlags(args), io);
};


class UsageError extends Error {}

const hangupExitCode = 128 + 1;

function handler(command: Command) {
  return async (args: DevArgs): Promise<void> => {
    const code = await command(args);
    process.exitCode = code;
    if (code === hangupExitCode && [process.stdin, process.stdout, process.stderr].some((s) => s.isTTY)) {
      await dieOfHangup();
    }
  };
}

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

function fail(message: string): void {
  process.stderr.write(`stagecraft dev: error: ${message}; see stagecraft dev --help\n`);
  process.exitCode = ExitCode.input;
}

async function main(): Promise<void> {
  const cli = yargs(hideBin(process.argv))
    .scriptName('stagecraft')
    .usage('$0 <command>\n\nOne command for a project\'s local dev stack, on Docker Compose.')
    // `--no-traefik` is a flag of its own (and STAGECRAFT_NO_TRAEFIK), not the negation of `--traefik`.
    .parserConfiguration({ 'boolean-negation': false })
    .command('dev', 'start the dev stack, stream its logs, tear it down on Ctrl+C', (y) =>
      withDevFlags(y, process.env)
        .command('$0', 'foreground session (or --detach)', (y) => withConfigFlag(y, process.env), handler(devCommand))
        .command('down', "tear down the project's stack; idempotent", (y) => y, handler(downCommand))
        .command('plan', 'print the exact commands each phase would run; runs nothing', (y) => withConfigFlag(y, process.env), handler(planCommand))
        .command('generate', 'write the dev files from stagecraft.yml; starts nothing', (y) => withConfigFlag(y, process.env), handler(generateCommand))
        .command(
          'status',
          'session state and per-service container state',
          (y) => y.option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' }),
          async (args) => {
            const { statusCommand } = await import('./commands/status-command.js');
            process.exitCode = await statusCommand(toCliFlags(args), args.json, io);
          },
        )
        .command(
          'machine',
          'print the lifecycle machine (for docs and the inspector)',
          (y) => y.option('format', { choices: ['mermaid', 'json', 'dot'] as const, default: 'mermaid' as const }),
          async (args) => {
            const { machineCommand } = await import('./commands/machine-command.js');
            process.exitCode = machineCommand(args.format, io);
          },
        )
        .example('$0 dev', 'start, stream logs, Ctrl+C to stop and remove')
        .example('$0 dev --detach --wait', 'start and wait until healthy, for CI')
        .example('$0 dev down', 'remove a detached stack'),
    )
    .demandCommand(1, 'name a command: stagecraft dev')
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
  await cli.parseAsync();
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) return fail(error.message);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`stagecraft dev: internal error (a bug in stagecraft; please report it):\n${detail}\n`);
  process.exitCode = ExitCode.internal;
});
