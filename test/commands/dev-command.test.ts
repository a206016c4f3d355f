// devCommand in process: the real session over a temp dev dir, the shared fake
// ComposeRunner for compose and the engine, an EventEmitter as the process. What the
// user reads (stdout, stderr), the exit code, and exactly which commands ran.
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DevOptions } from '../../machines/dev-session.types.js';
import type { CliFlags } from '../../src/cli/dev-flags.js';
import type { CliIo } from '../../src/commands/cli-io.js';
import { devCommand } from '../../src/commands/dev-command.js';
import { writeSessionFile } from '../../src/session-file/session-file.js';
import { engineEventLine, FakeComposeRunner } from '../fakes/fake-compose-runner.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopRecord } from '../fixtures/shop-session.js';
import { testEngineEnv } from '../fixtures/test-engine.js';
import { answerTeardown, teardownArgvs } from '../fixtures/teardown-commands.js';
import { MemoryStream } from '../output/reporter-rig.js';

const P = 'docker compose -p shop -f .stagecraft/dev/compose.yaml';
/** `ps` goes by the project's label, as the teardown: no `-f`. */
const PS = 'docker compose -p shop ps --all --format json';
const anonymousVolume = `5a${'e'.repeat(62)}`;
/** What the engine lists of `shop` before its teardown (nothing after it). */
const shopListing = { containers: [`shop-db-1\t${anonymousVolume}`, 'shop-migrate-1\t'], networks: ['shop_default'] };
const yaml = [
  'name: shop',
  'services:',
  '  db:',
  '    image: postgres:16',
  '    healthcheck: {test: [CMD, pg_isready]}',
  '  migrate: {image: shop/migrate}',
  '',
].join('\n');

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-dev-command-'));
  mkdirSync(path.join(cwd, '.stagecraft/dev'), { recursive: true });
  writeFileSync(path.join(cwd, '.stagecraft/dev/compose.yaml'), yaml);
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function dev(overrides: Partial<DevOptions> = {}, more: Partial<CliFlags> = {}) {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  const processLike = new EventEmitter();
  // HOME in the temp dir: the cross-dev-dir project claims live under it.
  const io: CliIo = { stdout, stderr, env: testEngineEnv({ HOME: cwd, NO_COLOR: '1' }), cwd, process: processLike };
  const flags: CliFlags = {
    options: { ...defaultDevOptions, ...overrides },
    verbose: false,
    dryRun: false,
    inspect: undefined,
    events: undefined,
    ...more,
  };
  const runner = new FakeComposeRunner();
  let made = 0;
  let released = 0;
  const exitCode = devCommand(flags, io, () => {
    made += 1;
    return { runner, release: () => (released += 1) };
  });
  const say = (service: string, ...actions: string[]) => actions.map((a) => engineEventLine('shop', service, a)).join('');
  return { stdout, stderr, processLike, runner, exitCode, say, counts: () => ({ made, released }) };
}

const sessionFile = () => path.join(cwd, '.stagecraft/dev/session.json');

/** stderr with the progress lines' times (`+0.0s`, real time since the start) as `+T`. */
const untimed = (text: string): string => text.replace(/^(stagecraft dev: )\+\d+\.\ds /gm, '$1+T ');

describe('devCommand', () => {
  it('foreground, the stack ends by itself with every service exited 0: exit 0; logs on stdout, the story on stderr', async () => {
    const { stdout, stderr, runner, exitCode, say, counts } = dev();
    runner.answer('start', {});
    runner.answer('exitCodes', { stdout: '' });
    answerTeardown(runner, shopListing);
    const events = await runner.waitForFollow('events');
    events.output(say('migrate', 'create', 'start') + say('db', 'create', 'start'));
    const logs = await runner.waitForFollow('attach');
    logs.output('\u001b[2Kmigrate-1  | 2026-12-01T15:24:10.3758Z migrated\n');
    events.output(say('migrate', 'die:0') + say('db', 'die:0'));
    logs.end();

    expect(await exitCode).toBe(0);
    expect(stdout.text).toBe('migrate-1  | migrated\n');
    expect(untimed(stderr.text)).toBe(
      [
        'stagecraft dev: starting project shop…',
        // Each service's progress while starting, then only news (SPEC §5).
        'stagecraft dev: +T migrate: created',
        'stagecraft dev: +T migrate: running',
        'stagecraft dev: +T db: created',
        'stagecraft dev: +T db: waiting for healthy',
        'stagecraft dev: project shop is up; streaming its logs (Ctrl+C stops and removes it)',
        'stagecraft dev: migrate exited with code 0',
        'stagecraft dev: db exited with code 0',
        'stagecraft dev: every container of project shop has exited; removing the stack',
        'stagecraft dev: removed project shop: containers shop-db-1, shop-migrate-1; network shop_default; anonymous volume 5aeeeeeeeeee',
        'stagecraft dev: project shop ended with every service exited 0; removed',
        '',
      ].join('\n'),
    );
    expect(runner.argvs().map((argv) => argv.join(' '))).toStrictEqual([
      `${P} events --json`,
      `${P} up --detach --remove-orphans`,
      `${P} logs --follow --timestamps`,
      PS,
      ...teardownArgvs('shop', { volumes: [anonymousVolume] }).map((argv) => argv.join(' ')),
    ]);
    expect(counts()).toStrictEqual({ made: 1, released: 1 });
    expect(existsSync(sessionFile())).toBe(false);
  });

  it('SIGINT on the process: graceful teardown, exit 130', async () => {
    const { stderr, processLike, runner, exitCode } = dev();
    runner.answer('start', {});
    runner.answer('exitCodes', { stdout: '' });
    answerTeardown(runner, shopListing);
    await runner.waitForFollow('attach');
    processLike.emit('SIGINT');
    expect(await exitCode).toBe(130);
    expect(stderr.text.split('\n').slice(-4)).toStrictEqual([
      'stagecraft dev: got SIGINT: stopping project shop (Ctrl+C again to force)',
      'stagecraft dev: removed project shop: containers shop-db-1, shop-migrate-1; network shop_default; anonymous volume 5aeeeeeeeeee',
      'stagecraft dev: stopped project shop; nothing left running',
      '',
    ]);
    // The teardown waits for a cancelled start (not for the followers being stopped); the command waits for every child before it answers.
    expect(runner.log().slice(-8)).toStrictEqual([
      'idle start',
      ...teardownArgvs('shop', { volumes: [anonymousVolume] }).map((argv) => `run ${argv.join(' ')}`),
      'idle',
    ]);
    expect(existsSync(sessionFile())).toBe(false);
  });

  it('--detach --wait: ready once db is healthy and migrate exited 0; exit 0, the stack and its record left running', async () => {
    const { stderr, runner, exitCode, say } = dev({ mode: 'detach', wait: true });
    runner.answer('start', {});
    runner.answer('exitCodes', { stdout: '' });
    const events = await runner.waitForFollow('events');
    await runner.waitForRun('exitCodes');
    events.output(say('migrate', 'create', 'start', 'die:0') + say('db', 'create', 'start', 'health_status: healthy'));
    expect(await exitCode).toBe(0);
    expect(events.stopped).toBe(true);
    expect(untimed(stderr.text)).toBe(
      [
        'stagecraft dev: starting project shop…',
        'stagecraft dev: waiting up to 120 s for db, migrate to be ready…',
        'stagecraft dev: +T migrate: created',
        'stagecraft dev: +T migrate: running',
        'stagecraft dev: migrate exited with code 0',
        'stagecraft dev: +T db: created',
        'stagecraft dev: +T db: waiting for healthy',
        'stagecraft dev: +T db: healthy',
        'stagecraft dev: project shop is running in the background; stop it with: stagecraft dev down',
        '',
      ].join('\n'),
    );
    expect(runner.argvs().map((argv) => argv.join(' '))).toStrictEqual([
      `${P} events --json`,
      `${P} up --detach --remove-orphans`,
      PS,
    ]);
    expect(existsSync(sessionFile())).toBe(true);
  });

  it('a live session holding the project: exit 4, naming it; no compose command runs', async () => {
    // The jest worker's parent is alive; without a start time it cannot be told from a reused pid.
    const holder = shopRecord({ pid: process.ppid, pidStartTicks: null });
    await writeSessionFile(sessionFile(), holder);
    const { stderr, runner, exitCode } = dev();
    expect(await exitCode).toBe(4);
    expect(stderr.text).toContain(`stagecraft dev: error: project shop is held by a live session (pid ${process.ppid}, foreground, attached,`);
    expect(runner.argvs()).toStrictEqual([]);
  });

  it('--dry-run prints the plan and runs nothing', async () => {
    const { stdout, runner, exitCode, counts } = dev({}, { dryRun: true });
    expect(await exitCode).toBe(0);
    expect(stdout.text.split('\n').slice(0, 4)).toStrictEqual([
      '# events (followed from before start)',
      `${P} events --json`,
      '# start',
      `${P} up --detach --remove-orphans`,
    ]);
    expect(runner.calls).toStrictEqual([]);
    expect(counts()).toStrictEqual({ made: 0, released: 0 });
  });
});
