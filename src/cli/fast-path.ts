// `stagecraft dev [--detach|--dry-run …]` and `stagecraft dev plan …`, recognised before
// yargs loads. yargs 18 costs ~40 ms to load and parse (about as much as node takes to
// start), paid by every `dev plan` and before every session starts compose. Only a plain
// command line is recognised: the known flags, each at most once, in their simplest
// spelling. Anything else (help, errors, aliases, `--flag true`, arrays, `--`,
// `--inspect`'s optional value, the other subcommands) is left to yargs, which stays the
// one authority on syntax and on every message; test/cli/fast-path.test.ts parses the
// same command lines with both and checks they agree.
import type { CommandArgs } from './cli-commands.js';
import { devFlags, devFlagsFrom, envVariableFor, type DevFlagValues } from './dev-flags.js';

/** A command line the fast path answers: which command (`dev` or `dev plan`), with the arguments yargs would give it. */
export interface FastCommand {
  readonly command: 'plan' | 'dev';
  readonly args: CommandArgs;
}

type FlagKind = 'string' | 'number' | 'boolean';

/** The spellings recognised, and the long name each one sets. */
const spellings: ReadonlyMap<string, { readonly name: string; readonly kind: FlagKind }> = new Map([
  ['--dev-dir', { name: 'dev-dir', kind: 'string' }],
  ['--project-name', { name: 'project-name', kind: 'string' }],
  ['-p', { name: 'project-name', kind: 'string' }],
  ['--compose-command', { name: 'compose-command', kind: 'string' }],
  ['--events', { name: 'events', kind: 'string' }],
  ['--config', { name: 'config', kind: 'string' }],
  ['--wait-timeout', { name: 'wait-timeout', kind: 'number' }],
  ['--start-timeout', { name: 'start-timeout', kind: 'number' }],
  ['--grace', { name: 'grace', kind: 'number' }],
  ['--detach', { name: 'detach', kind: 'boolean' }],
  ['-d', { name: 'detach', kind: 'boolean' }],
  ['--no-traefik', { name: 'no-traefik', kind: 'boolean' }],
  ['--wait', { name: 'wait', kind: 'boolean' }],
  ['--keep-on-failure', { name: 'keep-on-failure', kind: 'boolean' }],
  ['--verbose', { name: 'verbose', kind: 'boolean' }],
  ['-v', { name: 'verbose', kind: 'boolean' }],
  ['--quiet', { name: 'quiet', kind: 'boolean' }],
  ['-q', { name: 'quiet', kind: 'boolean' }],
  ['--no-log-prefix', { name: 'no-log-prefix', kind: 'boolean' }],
  ['--no-guardian', { name: 'no-guardian', kind: 'boolean' }],
  ['--dry-run', { name: 'dry-run', kind: 'boolean' }],
]);

// Values yargs reads one way only: no leading dash (a flag, or a negative number), not
// empty, and numbers as plain decimal digits.
const plainString = /^[^-]/;
const plainNumber = /^(0|[1-9][0-9]{0,8})$/;

/** One flag token (and its value): the long name and value, or undefined when not plain. */
function readFlag(argv: readonly string[], at: number): { name: string; value: string | number | boolean; next: number } | undefined {
  const token = argv[at] ?? '';
  const equals = token.startsWith('--') ? token.indexOf('=') : -1;
  const spelling = spellings.get(equals === -1 ? token : token.slice(0, equals));
  if (spelling === undefined) return undefined;
  if (spelling.kind === 'boolean') {
    // `--wait=…`, and `--wait true|false` (yargs reads the word as the value).
    if (equals !== -1 || argv[at + 1] === 'true' || argv[at + 1] === 'false') return undefined;
    return { name: spelling.name, value: true, next: at + 1 };
  }
  const raw = equals === -1 ? argv[at + 1] : token.slice(equals + 1);
  const next = equals === -1 ? at + 2 : at + 1;
  if (raw === undefined) return undefined;
  if (spelling.kind === 'number') return plainNumber.test(raw) ? { name: spelling.name, value: Number(raw), next } : undefined;
  return plainString.test(raw) ? { name: spelling.name, value: raw, next } : undefined;
}

/**
 * The defaults yargs gives the dev flags not `given`: the specs' own, or the STAGECRAFT_*
 * variables, coerced as yargs coerces a default (a seconds variable is checked then, and a
 * wrong one throws the same usage error).
 */
function defaults(env: NodeJS.ProcessEnv, given: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const specs = devFlagsFrom(env);
  const values: Record<string, unknown> = {};
  for (const flag of Object.keys(devFlags) as Array<keyof typeof devFlags>) {
    if (given.has(flag)) continue;
    const spec = specs[flag];
    const value = 'default' in spec ? spec.default : undefined;
    values[flag] = 'coerce' in spec && value !== undefined ? spec.coerce(value as Parameters<typeof spec.coerce>[0]) : value;
  }
  const config = env[envVariableFor('config')];
  values['config'] = config === undefined || config === '' ? undefined : config;
  return values;
}

/**
 * `dev …` or `dev plan …` with a plain command line (the arguments after the script):
 * the command and its arguments, exactly as yargs would parse them. Undefined for
 * anything else.
 */
export function fastCommand(argv: readonly string[], env: NodeJS.ProcessEnv): FastCommand | undefined {
  if (argv[0] !== 'dev') return undefined;
  const given = new Map<string, string | number | boolean>();
  let plan = false;
  for (let at = 1; at < argv.length; ) {
    if (argv[at] === 'plan' && !plan) {
      plan = true;
      at += 1;
      continue;
    }
    const flag = readFlag(argv, at);
    if (flag === undefined || given.has(flag.name)) return undefined;
    given.set(flag.name, flag.value);
    at = flag.next;
  }
  const args = { ...defaults(env, given), ...Object.fromEntries(given) } as unknown as DevFlagValues & { config: string | undefined };
  return { command: plan ? 'plan' : 'dev', args };
}
