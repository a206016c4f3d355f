// COMPOSE_PROFILES reaches compose unchanged (SPEC §2), so the plan reads it too, as an
// explicit input: the CLI puts the active profiles in the options, and `dev plan` prints
// the start a real run with that environment executes.
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { activeProfiles, toCliFlags } from '../../src/cli/dev-flags.js';
import { fastCommand } from '../../src/cli/fast-path.js';
import { planCommand } from '../../src/commands/plan-command.js';

describe('activeProfiles: COMPOSE_PROFILES as compose reads it', () => {
  it.each([
    [{}, []],
    [{ COMPOSE_PROFILES: '' }, []],
    [{ COMPOSE_PROFILES: 'p' }, ['p']],
    // compose trims each one (checked: `COMPOSE_PROFILES='x, p ,y' docker compose config --services`).
    [{ COMPOSE_PROFILES: ' p , q,,' }, ['p', 'q']],
    [{ COMPOSE_PROFILES: '*' }, ['*']],
  ])('%j → %j', (env, profiles) => {
    expect(activeProfiles(env)).toStrictEqual(profiles);
  });
});

describe('dev plan --no-traefik with COMPOSE_PROFILES', () => {
  let cwd: string;

  beforeEach(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-profiles-'));
    await mkdir(path.join(cwd, '.stagecraft/dev'), { recursive: true });
    await writeFile(
      path.join(cwd, '.stagecraft/dev/compose.yaml'),
      'name: shop\nservices:\n  api: {image: api}\n  traefik: {image: traefik:v3}\n  tools:\n    image: t\n    profiles: [p]\n',
    );
  });

  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  /** The start line `stagecraft dev plan --no-traefik` prints in `env`, and its exit code. */
  async function startLine(env: NodeJS.ProcessEnv): Promise<[number, string | undefined]> {
    const parsed = fastCommand(['dev', 'plan', '--no-traefik'], env);
    if (parsed === undefined) throw new Error('the fast path did not parse `dev plan --no-traefik`');
    let out = '';
    const stdout = new PassThrough().setEncoding('utf8');
    stdout.on('data', (chunk: string) => (out += chunk));
    const io = { stdout, stderr: new PassThrough(), env, cwd, process: new EventEmitter() };
    const code = await planCommand(toCliFlags(parsed.args, env), io);
    const lines = out.split('\n');
    return [code, lines[lines.indexOf('# start') + 1]];
  }

  it('names the services of an active profile', async () => {
    expect(await startLine({ COMPOSE_PROFILES: 'p' })).toStrictEqual([
      0,
      'docker compose -p shop -f .stagecraft/dev/compose.yaml up --detach --remove-orphans api tools',
    ]);
  });

  it('and only those without a profile when none is active', async () => {
    expect(await startLine({})).toStrictEqual([0, 'docker compose -p shop -f .stagecraft/dev/compose.yaml up --detach --remove-orphans api']);
  });
});
