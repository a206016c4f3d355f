import type { Argv } from 'yargs';
import type { DevOptions } from '../../machines/dev-session.types.js';
import { minSeconds, secondsProblem } from '../plan/check-flags.js';
import { UsageError } from './usage-error.js';

/**
 * A number of seconds as typed, in plain decimal (`7`; also `-1` or `1.5`, which the
 * plan's flag check then rejects by value); NaN for anything else. yargs' own numbers
 * would read `''` as 0, `0x10` as 16 and `1e1` as 10.
 */
function seconds(raw: string | number): number {
  if (typeof raw === 'number') return raw;
  return /^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
}

/**
 * A `STAGECRAFT_*` variable's text as the default of a seconds flag. It is read (and checked)
 * only when the flag is not given, as yargs coerces a default only then: a flag beats the
 * environment, even a wrong one.
 */
interface SecondsFromEnv {
  readonly variable: string;
  readonly raw: string;
}

function isFromEnv(value: unknown): value is SecondsFromEnv {
  return typeof value === 'object' && value !== null && 'variable' in value && 'raw' in value;
}

/**
 * The `coerce` of a seconds flag: its text as typed → a number (the plan's flag check bounds
 * it, naming the flag); a variable's text → a number in bounds, or a usage error naming the
 * variable, as it was set.
 */
function secondsOf(flag: keyof typeof minSeconds): (raw: string | number | SecondsFromEnv) => number {
  return (raw) => {
    if (!isFromEnv(raw)) return seconds(raw);
    const value = seconds(raw.raw);
    const problem = secondsProblem(raw.variable, value, minSeconds[flag], JSON.stringify(raw.raw));
    if (problem !== undefined) throw new UsageError(`${problem}; fix or unset it`);
    return value;
  };
}

/** The flags of SPEC §2 shared by `dev` and its subcommands. */
export const devFlags = {
  'dev-dir': { type: 'string', default: '.stagecraft/dev', describe: 'where the dev files are', requiresArg: true },
  'project-name': { alias: 'p', type: 'string', describe: "compose project name (default: compose.yaml's `name`)", requiresArg: true },
  detach: { alias: 'd', type: 'boolean', default: false, describe: 'start, wait as asked, exit; the stack keeps running' },
  'no-traefik': { type: 'boolean', default: false, describe: 'never start (nor pull, nor build) Traefik services: up names the others' },
  wait: { type: 'boolean', default: false, describe: 'wait for services to be running/healthy before reporting up' },
  'wait-timeout': { type: 'string', coerce: secondsOf('wait-timeout'), default: 120, describe: 'bound for --wait, in whole seconds', requiresArg: true },
  'start-timeout': {
    type: 'string',
    coerce: secondsOf('start-timeout'),
    default: 600,
    describe: "bound for `up` (pulls and builds included), in whole seconds: a hung engine ends the start with exit 2",
    requiresArg: true,
  },
  grace: {
    type: 'string',
    coerce: secondsOf('grace'),
    describe: "stop timeout for every service on graceful teardown, in whole seconds (default: each service's stop_grace_period)",
    requiresArg: true,
  },
  'keep-on-failure': { type: 'boolean', default: false, describe: 'when start fails, keep what was created instead of rolling back' },
  verbose: { alias: 'v', type: 'boolean', default: false, describe: 'print every command, the dev dir, the compose file and each state transition' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'print only errors and the final line (container logs still reach stdout)' },
  'no-log-prefix': { type: 'boolean', default: false, describe: 'do not print the service name before each container log line' },
  'no-guardian': {
    type: 'boolean',
    default: false,
    describe: 'start no guardian: a foreground session killed (SIGKILL, a killed process tree) then leaves its stack running',
  },
  'dry-run': { type: 'boolean', default: false, describe: 'print the plan, run nothing' },
  'compose-command': { type: 'string', default: 'docker compose', describe: 'the compose invocation, split into argv', requiresArg: true },
  inspect: {
    type: 'string',
    describe: 'send lifecycle inspection events to the Stately inspector: --inspect (sky), or --inspect=ws://host:port',
  },
  events: { type: 'string', describe: 'write one JSON line per transition and compose command to <file>', requiresArg: true },
} as const;

/** `--wait-timeout` → `STAGECRAFT_WAIT_TIMEOUT`. */
export function envVariableFor(flag: string): string {
  return `STAGECRAFT_${flag.toUpperCase().replaceAll('-', '_')}`;
}

const trueWords = /^(1|true|yes|on)$/i;
const falseWords = /^(0|false|no|off)$/i;

function fromEnv(flag: string, spec: (typeof devFlags)[keyof typeof devFlags], raw: string): string | boolean | SecondsFromEnv {
  if ('coerce' in spec) return { variable: envVariableFor(flag), raw };
  if (spec.type !== 'boolean') return raw;
  const word = raw.trim();
  if (trueWords.test(word)) return true;
  if (falseWords.test(word)) return false;
  throw new UsageError(`${envVariableFor(flag)} is neither true nor false; set it to 1/0, true/false, yes/no or on/off`);
}

/**
 * The dev flags with `STAGECRAFT_<FLAG>` variables as their defaults, so a flag on
 * the command line beats the environment. Only variables that name a flag are read
 * (CI may set others, such as STAGECRAFT_E2E), and empty ones count as unset.
 */
export function devFlagsFrom(env: NodeJS.ProcessEnv): typeof devFlags {
  const entries = Object.entries(devFlags).map(([flag, spec]) => {
    const raw = env[envVariableFor(flag)];
    // An empty variable is an unset one (STAGECRAFT_INSPECT= must not mean "inspect").
    if (raw === undefined || raw.trim() === '') return [flag, spec];
    const value = fromEnv(flag, spec, raw);
    // A seconds flag's variable is shown as set (its default is a SecondsFromEnv until read).
    return [flag, { ...spec, default: value, ...(isFromEnv(value) ? { defaultDescription: `${raw} (${value.variable})` } : {}) }];
  });
  return Object.fromEntries(entries) as typeof devFlags;
}

/** Adds the dev flags to a yargs instance (they are global: subcommands get them too). */
export function withDevFlags<T>(yargs: Argv<T>, env: NodeJS.ProcessEnv) {
  return yargs.options(devFlagsFrom(env)).group(Object.keys(devFlags), 'Dev options:');
}

/** The parsed arguments of `dev` and its subcommands. */
export type DevArgs = Awaited<ReturnType<ReturnType<typeof withDevFlags>['parseAsync']>>;

/** The flags the CLI reads besides the session's own options. */
export interface CliFlags {
  readonly options: DevOptions;
  readonly verbose: boolean;
  /** `--quiet`: only errors and the final line (unset: false). */
  readonly quiet?: boolean;
  /** `--no-log-prefix`: container log lines without compose's `api-1  | ` (unset: false). */
  readonly noLogPrefix?: boolean;
  readonly dryRun: boolean;
  /** `--inspect`: '' for the Stately sky, a ws:// URL, or undefined (off). */
  readonly inspect: string | undefined;
  /** `--events <file>`. */
  readonly events: string | undefined;
  /** `--no-guardian`: a foreground session, or a `--detach --wait` run, starts no guardian (unset: false). */
  readonly noGuardian?: boolean;
}

/** The dev flags' values under their long names, as yargs parses them (DevArgs has them all). */
export interface DevFlagValues {
  readonly 'dev-dir': string;
  readonly 'project-name': string | undefined;
  readonly detach: boolean;
  readonly 'no-traefik': boolean;
  readonly wait: boolean;
  readonly 'wait-timeout': number;
  readonly 'start-timeout': number;
  readonly grace: number | undefined;
  readonly 'keep-on-failure': boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly 'no-log-prefix': boolean;
  readonly 'no-guardian': boolean;
  readonly 'dry-run': boolean;
  readonly 'compose-command': string;
  readonly inspect: string | undefined;
  readonly events: string | undefined;
}

/**
 * The active profiles, read from COMPOSE_PROFILES as compose reads it (comma-separated,
 * each trimmed, empty ones dropped): the process environment goes to compose unchanged, so
 * the plan must know which profiled services `up` starts.
 */
export function activeProfiles(env: NodeJS.ProcessEnv): string[] {
  return (env['COMPOSE_PROFILES'] ?? '').split(',').map((profile) => profile.trim()).filter((profile) => profile !== '');
}

/** Parsed arguments (from yargs or the plan fast path) and the environment → the session's options. */
export function toCliFlags(args: DevFlagValues, env: NodeJS.ProcessEnv): CliFlags {
  return {
    options: {
      devDir: args['dev-dir'],
      projectName: args['project-name'],
      mode: args.detach ? 'detach' : 'foreground',
      noTraefik: args['no-traefik'],
      wait: args.wait,
      waitTimeoutSeconds: args['wait-timeout'],
      startTimeoutSeconds: args['start-timeout'],
      graceSeconds: args.grace,
      keepOnFailure: args['keep-on-failure'],
      composeCommand: args['compose-command'],
      profiles: activeProfiles(env),
    },
    verbose: args.verbose,
    quiet: args.quiet,
    noLogPrefix: args['no-log-prefix'],
    noGuardian: args['no-guardian'],
    dryRun: args['dry-run'],
    inspect: args.inspect,
    events: args.events,
  };
}
