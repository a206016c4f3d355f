// The yargs wiring of `dev logs`, `dev exec` and `inspect`: what each handler is called with
// for a command line, or the usage error. (The commands themselves: day-two.cli.test.ts and
// inspect-server.cli.test.ts.)
import type { CliCommands } from '../../src/cli/cli-commands.js';
import { buildCli } from '../../src/cli/yargs-cli.js';

/** The handler called for `argv` and what it got, or the usage error. */
async function parse(argv: readonly string[]): Promise<unknown> {
  let called: unknown = 'no command ran';
  const unexpected = async () => {
    called = 'another command';
  };
  const commands: CliCommands = {
    dev: unexpected,
    down: unexpected,
    plan: unexpected,
    generate: unexpected,
    status: unexpected,
    machine: unexpected,
    init: unexpected,
    logs: async (args, request) => {
      called = { logs: request, devDir: args['dev-dir'], project: args['project-name'] };
    },
    restart: async (args, services) => {
      called = { restart: services, waitTimeout: args['wait-timeout'], grace: args.grace };
    },
    exec: async (args, service, command) => {
      called = { exec: [service, ...command], devDir: args['dev-dir'], dryRun: args['dry-run'] };
    },
    inspect: async (port, open) => {
      called = { inspect: { port, open } };
    },
  };
  try {
    await buildCli(argv, {}, commands, () => '0.0.0').parseAsync();
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
  return called;
}

const noLogsFlags = { follow: false, tail: undefined, since: undefined };

describe('dev logs', () => {
  test('every service when none is named', async () => {
    expect(await parse(['dev', 'logs'])).toEqual({ logs: { services: [], ...noLogsFlags }, devDir: '.stagecraft/dev', project: undefined });
  });

  test('several services, among the flags, in their order (a variadic positional would keep only the last)', async () => {
    expect(await parse(['dev', 'logs', 'web', '-f', 'api', '--tail', '5', '--since', '10m', 'db', '-p', 'shop'])).toEqual({
      logs: { services: ['web', 'api', 'db'], follow: true, tail: '5', since: '10m' },
      devDir: '.stagecraft/dev',
      project: 'shop',
    });
  });

  test('a flag given twice takes its last value, as elsewhere', async () => {
    expect(await parse(['dev', 'logs', '--tail', '5', '--tail', '7', '--dev-dir', 'a', '--dev-dir', 'b'])).toEqual({
      logs: { services: [], ...noLogsFlags, tail: '7' },
      devDir: 'b',
      project: undefined,
    });
  });

  test('a service named like a number is a name', async () => {
    expect(await parse(['dev', 'logs', '1'])).toEqual(expect.objectContaining({ logs: { services: ['1'], ...noLogsFlags } }));
  });

  test('an unknown option is still a usage error', async () => {
    expect(await parse(['dev', 'logs', 'api', '--bogus'])).toBe('error: Unknown argument: bogus');
  });
});

describe('dev exec', () => {
  test('everything after -- is the command, its options included', async () => {
    expect(await parse(['dev', 'exec', 'api', '--dev-dir', 'x', '--', 'ls', '-la', '--dev-dir', '--'])).toEqual({
      exec: ['api', 'ls', '-la', '--dev-dir', '--'],
      devDir: 'x',
      dryRun: false,
    });
  });

  test('a command without options may come without --', async () => {
    expect(await parse(['dev', 'exec', 'api', 'sh', '--dry-run'])).toEqual({ exec: ['api', 'sh'], devDir: '.stagecraft/dev', dryRun: true });
  });

  test('no service: a usage error saying how to call it', async () => {
    expect(await parse(['dev', 'exec'])).toBe('error: name the service and the command: stagecraft dev exec <service> -- <command…>');
  });

  test("an option before -- that is not stagecraft's is a usage error", async () => {
    expect(await parse(['dev', 'exec', 'api', '--bogus', '--', 'sh'])).toBe('error: Unknown argument: bogus');
  });
});

describe('inspect', () => {
  test('port 8080 and no browser by default', async () => {
    expect(await parse(['inspect'])).toEqual({ inspect: { port: 8080, open: false } });
  });

  test('--port and --open', async () => {
    expect(await parse(['inspect', '--port', '0', '--open'])).toEqual({ inspect: { port: 0, open: true } });
  });
});
