// The entry point: picks the parser, runs the command, sets process.exitCode.
// `dev` and `dev plan` on a plain command line are answered without loading yargs
// (src/cli/fast-path.ts); everything else goes through yargs (src/cli/yargs-cli.ts).
// Command modules are imported lazily so `--help` and `plan` stay cheap.
import { readFileSync } from 'node:fs';
import { ExitCode } from '../machines/exit-code.js';
import { createCliCommands } from './cli/cli-commands.js';
import { fastCommand } from './cli/fast-path.js';
import { isUsageError } from './cli/usage-error.js';
import type { CliIo } from './commands/cli-io.js';

// After SIGHUP the terminal is gone and writes to it fail (EIO, EPIPE); an unhandled
// stream error would end the process before its teardown. The session goes on unheard.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), process };

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function fail(message: string): void {
  process.stderr.write(`stagecraft dev: error: ${message}; see stagecraft dev --help\n`);
  process.exitCode = ExitCode.input;
}

async function main(): Promise<void> {
  const commands = createCliCommands(io);
  // What yargs' hideBin does under node: drop the node binary and the script.
  const argv = process.argv.slice(2);
  const fast = fastCommand(argv, process.env);
  if (fast !== undefined) return commands[fast.command](fast.args);
  const { buildCli } = await import('./cli/yargs-cli.js');
  await buildCli(argv, process.env, commands, version).parseAsync();
}

/**
 * Once the command has ended, with every child of it and every write done, the event loop
 * empties and Node emits `exit`. Left to itself, Node would then close its handles, the
 * signal listeners' too, before the process ends: a SIGTERM or SIGINT landing in that moment
 * gets the default action and the process dies of it, its exit code lost (a supervisor
 * repeating SIGTERM; `dev down` stopping a detached start as it exits). Exiting from the
 * `exit` event itself, after the commands' own listeners, skips that teardown of handles.
 */
function exitBeforeHandlesClose(): void {
  process.once('exit', () => process.exit());
}

main()
  .catch((error: unknown) => {
    if (isUsageError(error)) return fail(error.message);
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`stagecraft dev: internal error (a bug in stagecraft; please report it):\n${detail}\n`);
    process.exitCode = ExitCode.internal;
  })
  .then(exitBeforeHandlesClose);
