// The fast path must read every command line it answers exactly as yargs does. Each
// case is parsed by both: the real yargs wiring (with recording commands) and
// fastCommand; where the fast path answers, the command and its arguments must match.
import type { CliCommands, CommandArgs } from '../../src/cli/cli-commands.js';
import { configChoice } from '../../src/cli/config-flag.js';
import { toCliFlags } from '../../src/cli/dev-flags.js';
import { fastCommand } from '../../src/cli/fast-path.js';
import { buildCli } from '../../src/cli/yargs-cli.js';

type Parsed = { readonly command: string; readonly flags: unknown; readonly config: unknown } | { readonly error: string };

const view = (command: string, args: CommandArgs): Parsed => ({ command, flags: toCliFlags(args, {}), config: configChoice(args) });

/** What yargs runs for `argv`: the command and the flags it reads, or the usage error. */
async function viaYargs(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Parsed> {
  let parsed: Parsed | undefined;
  const record = (command: string) => async (args: CommandArgs) => {
    parsed = view(command, args);
  };
  const commands: CliCommands = {
    dev: record('dev'),
    down: record('down'),
    plan: record('plan'),
    generate: record('generate'),
    status: async (args) => record('status')(args),
    machine: async () => {
      parsed = { error: 'machine' };
    },
    init: async () => {
      parsed = { error: 'init' };
    },
    logs: async () => {
      parsed = { error: 'logs' };
    },
    restart: async () => {
      parsed = { error: 'restart' };
    },
    exec: async () => {
      parsed = { error: 'exec' };
    },
    inspect: async () => {
      parsed = { error: 'inspect' };
    },
  };
  try {
    await buildCli(argv, env, commands, () => '0.0.0').parseAsync();
  } catch (error) {
    return { error: String(error) };
  }
  return parsed ?? { error: 'no command ran' };
}

/** What the fast path answers for `argv`: the command and its flags, or the usage error (a wrong STAGECRAFT_* value). */
function viaFastPath(argv: readonly string[], env: NodeJS.ProcessEnv): Parsed | undefined {
  let fast: ReturnType<typeof fastCommand>;
  try {
    fast = fastCommand(argv, env);
  } catch (error) {
    return { error: String(error) };
  }
  return fast === undefined ? undefined : view(fast.command, fast.args);
}

const answered: ReadonlyArray<readonly [readonly string[], NodeJS.ProcessEnv]> = [
  [['dev', 'plan'], {}],
  [['dev', '--dry-run'], {}],
  [['dev', '--dry-run', '--detach'], {}],
  [['dev', '-d', '--dry-run', '--wait', '--wait-timeout', '30'], {}],
  [['dev', 'plan', '--dev-dir', 'ops/dev', '-p', 'shop', '--grace', '0'], {}],
  [['dev', '--dev-dir=ops/dev', 'plan', '--project-name=shop', '--grace=3', '--wait-timeout=5'], {}],
  [['dev', '--verbose', 'plan'], {}],
  [['dev', '-v', 'plan', '--no-traefik', '--keep-on-failure', '--wait'], {}],
  [['dev', 'plan', '--compose-command', 'podman compose', '--config', 'other.yml'], {}],
  [['dev', 'plan', '--compose-command=docker --context remote compose'], {}],
  [['dev', '--dev-dir', 'plan', '--dry-run'], {}],
  [['dev', 'plan', '-p', '123'], {}],
  [['dev', 'plan', '-p', 'true'], {}],
  [['dev', 'plan', '--events', 'events.jsonl'], {}],
  [['dev', 'plan', '--dry-run'], {}],
  [['dev', 'plan'], { STAGECRAFT_GRACE: '7', STAGECRAFT_PROJECT_NAME: 'envp', STAGECRAFT_CONFIG: 'env.yml' }],
  [['dev', 'plan', '--grace', '2'], { STAGECRAFT_GRACE: '7' }],
  // A wrong seconds variable is a usage error naming it, unless the flag is given (a flag beats the environment).
  [['dev', 'plan'], { STAGECRAFT_GRACE: 'x' }],
  [['dev', 'plan'], { STAGECRAFT_WAIT_TIMEOUT: '0' }],
  [['dev', 'plan'], { STAGECRAFT_GRACE: '99999999999999999999' }],
  [['dev', 'plan', '--grace', '2'], { STAGECRAFT_GRACE: 'x' }],
  [['dev', 'plan', '--wait-timeout=5'], { STAGECRAFT_WAIT_TIMEOUT: '-1' }],
  [['dev', 'plan'], { STAGECRAFT_GRACE: 'soon', STAGECRAFT_WAIT_TIMEOUT: '', STAGECRAFT_CONFIG: '' }],
  [['dev', 'plan'], { STAGECRAFT_VERBOSE: 'yes', STAGECRAFT_NO_TRAEFIK: 'off', STAGECRAFT_INSPECT: '' }],
  [['dev'], { STAGECRAFT_DRY_RUN: '1' }],
  [['dev', '--detach'], { STAGECRAFT_DRY_RUN: 'true', STAGECRAFT_E2E: '1' }],
  [['dev', 'plan'], { STAGECRAFT_DETACH: '0' }],
  [['dev', 'plan', '--detach'], {}],
  [['dev', 'plan'], { STAGECRAFT_DETACH: '1' }],
  [['dev'], {}],
  [['dev', '--detach'], {}],
  [['dev', '-d', '--wait', '--wait-timeout=60', '--grace', '3', '-p', 'shop', '--keep-on-failure'], {}],
  [['dev', '--events', 'ev.jsonl', '--verbose', '--no-traefik', '--config', 'alt.yml'], {}],
  [['dev', '--compose-command', 'podman compose', '--dev-dir', 'ops/dev'], { STAGECRAFT_WAIT: '1', STAGECRAFT_GRACE: '-3' }],
  [['dev'], { STAGECRAFT_INSPECT: 'ws://localhost:1', STAGECRAFT_EVENTS: 'e.jsonl', STAGECRAFT_CONFIG: 'x.yml' }],
];

const declined: ReadonlyArray<readonly [readonly string[], NodeJS.ProcessEnv]> = [
  [[], {}],
  [['plan'], {}],
  [['dev', '--inspect'], {}],
  [['dev', '--inspect=ws://localhost:1'], {}],
  [['dev', 'status'], {}],
  [['dev', 'generate'], {}],
  [['dev', 'machine'], {}],
  [['dev', '--help'], {}],
  [['dev', '-h'], {}],
  [['dev', '--version'], {}],
  [['dev', 'down'], {}],
  [['dev', 'plan', 'extra'], {}],
  [['dev', 'plan', 'plan'], {}],
  [['dev', 'plan', '--help'], {}],
  [['dev', 'plan', '--version'], {}],
  [['dev', 'plan', '--wait', 'true'], {}],
  [['dev', 'plan', '--wait=false'], {}],
  [['dev', 'plan', '-dv', '--dry-run'], {}],
  [['dev', 'plan', '--grace', '-1'], {}],
  [['dev', 'plan', '--grace', '1.5'], {}],
  [['dev', 'plan', '--grace', '010'], {}],
  [['dev', 'plan', '--grace', '0x10'], {}],
  [['dev', 'plan', '-p', ''], {}],
  [['dev', 'plan', '-p', '-lead'], {}],
  [['dev', 'plan', '-p=shop'], {}],
  [['dev', 'plan', '--dev-dir'], {}],
  [['dev', 'plan', '--dev-dir', 'a', '--dev-dir', 'b'], {}],
  [['dev', 'plan', '-p', 'a', '--project-name', 'b'], {}],
  [['dev', 'plan', '--devDir', 'a'], {}],
  [['dev', 'plan', '--inspect'], {}],
  [['dev', 'plan', '--'], {}],
  [['dev', 'plan', '--bogus'], {}],
  [['dev', '--dry-run', 'generate'], {}],
];

describe('the fast path', () => {
  it.each(answered)('answers %j (env %j) as yargs does', async (argv, env) => {
    const fast = viaFastPath(argv, env);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await viaYargs(argv, env));
  });

  it.each(declined)('leaves %j (env %j) to yargs', (argv, env) => {
    expect(fastCommand(argv, env)).toBeUndefined();
  });

  it('agrees with yargs on random command lines', async () => {
    const tokens = [
      'plan', 'plan', 'down', '--dev-dir', 'ops/dev', '-p', 'shop', '--project-name=p2', '--grace', '5', '--grace=0',
      '--wait-timeout', '30', '--detach', '-d', '--no-traefik', '--wait', '--keep-on-failure', '--verbose', '-v',
      '--dry-run', '--dry-run', '--compose-command', 'podman compose', '--config', 'alt.yml', '--events', 'e.jsonl',
      'true', 'false', '--inspect', '-dv', '--', 'extra', '--devDir', '-1', '',
    ];
    const envs: NodeJS.ProcessEnv[] = [
      {},
      { STAGECRAFT_GRACE: '7', STAGECRAFT_CONFIG: 'env.yml' },
      { STAGECRAFT_DRY_RUN: '1', STAGECRAFT_DETACH: 'no' },
      { STAGECRAFT_DETACH: 'yes', STAGECRAFT_WAIT_TIMEOUT: 'x', STAGECRAFT_PROJECT_NAME: '' },
    ];
    // A fixed-seed generator (mulberry32): the same cases on every run.
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    let answeredCount = 0;
    for (let i = 0; i < 1500; i++) {
      const argv = ['dev', ...Array.from({ length: Math.floor(random() * 6) }, () => pick(tokens))];
      const env = pick(envs);
      const fast = viaFastPath(argv, env);
      if (fast === undefined) continue;
      answeredCount += 1;
      expect({ argv, env, parsed: fast }).toEqual({ argv, env, parsed: await viaYargs(argv, env) });
    }
    // Enough of them are answered for the comparison to mean something.
    expect(answeredCount).toBeGreaterThan(100);
  });
});
