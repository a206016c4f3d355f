// `downCommand` in process (issue 11 item 9): the real effects, the fake docker on PATH,
// and `new EventEmitter()` as the process, so a stop signal is an `emit`. Covers what the
// record may and may not make `dev down` do (item 8): argv only from the current flags,
// signals only to a verified stagecraft session, a crafted or corrupt record refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DevOptions } from '../../machines/dev-session.types.js';
import type { CliFlags } from '../../src/cli/dev-flags.js';
import { downCommand } from '../../src/commands/down-command.js';
import { processStartTicks } from '../../src/session-file/process-identity.js';
import { writeSessionFile, type SessionRecord } from '../../src/session-file/session-file.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { readFakeLog, recordedCalls, stacksDir, waitFor } from '../fixtures/fake-docker.js';
import { shopRecord } from '../fixtures/shop-session.js';
import { killAll, spawnIdle } from '../session-file/live-process.js';
import { inProcessIo } from '../fixtures/in-process-io.js';
import { downArgv, isDown, listingsInPlanOrder, teardownArgvs, type TeardownShape } from '../fixtures/teardown-commands.js';
import { MemoryStream } from '../output/reporter-rig.js';

const composeFile = '.stagecraft/dev/compose.yaml';
/** The fake docker logs its argv without the program name. */
const withoutProgram = (argv: readonly string[]): string[] => argv.slice(1);
/** `compose -p P down --remove-orphans [--timeout G]`, as the fake docker logs it. */
const down = (project: string, grace?: number) => withoutProgram(downArgv(project, grace === undefined ? {} : { graceSeconds: grace }));
/** Every call of the teardown of `project`, as the fake docker logs them. */
const teardownCalls = (project: string, shape: TeardownShape = {}): string[][] => teardownArgvs(project, shape).map(withoutProgram);
/** The calls the fake docker logged, its concurrent listings in the plan's order. */
const calls = (): string[][] => listingsInPlanOrder(recordedCalls(logFile));
const anonymousVolume = `9f${'0'.repeat(60)}a1`;

let root: string;
let cwd: string;
let sessionFile: string;
let logFile: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-down-command-'));
  cwd = path.join(root, 'project');
  mkdirSync(path.join(cwd, '.stagecraft', 'dev'), { recursive: true });
  copyFileSync(path.join(stacksDir, 'minimal', 'compose.yaml'), path.join(cwd, composeFile));
  sessionFile = path.join(cwd, '.stagecraft', 'dev', 'session.json');
  logFile = path.join(root, 'docker-calls.jsonl');
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await killAll();
  rmSync(root, { recursive: true, force: true });
});

interface Run {
  readonly processLike: EventEmitter;
  readonly stdout: MemoryStream;
  readonly stderr: MemoryStream;
  readonly code: Promise<number>;
}

function runDown(options: Partial<DevOptions> = {}, scenario: object = {}, dryRun = false, moreEnv: NodeJS.ProcessEnv = {}): Run {
  const { stdout, stderr, processLike, env } = inProcessIo(root, logFile, scenario, moreEnv);
  const flags: CliFlags = { options: { ...defaultDevOptions, ...options }, verbose: false, dryRun, inspect: undefined, events: undefined };
  const code = downCommand(flags, { stdout, stderr, env, cwd, process: processLike });
  return { processLike, stdout, stderr, code };
}

/** The record as session.json holds it (JSON drops undefined fields). */
const onDisk = (record: SessionRecord): unknown => JSON.parse(JSON.stringify(record));

/** A record of a process that is gone, naming `project`, whose plan says to run something else entirely. */
async function writeStaleRecord(overrides: Partial<SessionRecord> = {}): Promise<SessionRecord> {
  const touch = { phase: 'teardown', argv: ['touch', path.join(root, 'pwned')] } as const;
  const craftedPlan = { ...shopRecord().plan, teardown: { containers: touch, networks: touch, down: touch, removeVolumes: touch } };
  const record = shopRecord({ project: 'minimal', pid: 999_999_999, pidStartTicks: 1, plan: craftedPlan, ...overrides });
  await writeSessionFile(sessionFile, record);
  return record;
}

/** `node <root>/dist/src/cli.js dev`: a stand-in for a live stagecraft session; ends on SIGTERM. */
async function spawnSession(): Promise<number> {
  const cli = path.join(root, 'dist', 'src', 'cli.js');
  mkdirSync(path.dirname(cli), { recursive: true });
  writeFileSync(cli, 'setInterval(() => {}, 1000); setTimeout(() => process.exit(0), 60_000);\n');
  const child = spawn(process.execPath, [cli, 'dev'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child.pid ?? 0;
}

describe('downCommand', () => {
  it('no session file: the teardown of the project, exit 0, saying there was nothing to remove', async () => {
    const run = runDown();
    expect(await run.code).toBe(0);
    expect(calls()).toStrictEqual(teardownCalls('minimal'));
    expect(run.stderr.text).toBe('stagecraft dev: project minimal had no container, network or anonymous volume left to remove\n');
    expect(existsSync(sessionFile)).toBe(false);
  });

  it('what the engine lists of the project is removed, its anonymous volumes with `volume rm`, and named', async () => {
    const scenario = {
      'docker ps': [{ stdout: [`minimal-app-1\t/src,minimal_data,${anonymousVolume}`, 'minimal-app-run-5e0c\t'] }, {}],
      'network ls': [{ stdout: ['minimal_default'] }, {}],
    };
    const run = runDown({}, scenario);
    expect(await run.code).toBe(0);
    expect(calls()).toStrictEqual(teardownCalls('minimal', { volumes: [anonymousVolume] }));
    expect(run.stderr.text).toBe(
      'stagecraft dev: removed project minimal: containers minimal-app-1, minimal-app-run-5e0c; network minimal_default; anonymous volume 9f0000000000\n',
    );
  });

  it("the user's COMPOSE_FILE reaches no command: the file-less `down` would read it", async () => {
    const moreEnv = { COMPOSE_FILE: path.join(root, 'elsewhere.yaml'), COMPOSE_PROFILES: 'debug', FAKE_DOCKER_RECORD_ENV: 'COMPOSE_FILE,COMPOSE_PROFILES' };
    const run = runDown({}, {}, false, moreEnv);
    expect(await run.code).toBe(0);
    const entries = readFakeLog(logFile).filter((entry) => entry.argv !== undefined);
    expect(entries.map((entry) => entry.env)).toStrictEqual(entries.map(() => ({ COMPOSE_FILE: null, COMPOSE_PROFILES: 'debug' })));
    expect(listingsInPlanOrder(entries.map((entry) => entry.argv ?? []))).toStrictEqual(teardownCalls('minimal'));
  });

  it('something still listed after `down`: exit 2 naming it; the session file still names the project', async () => {
    const scenario = { 'docker ps': { stdout: ['minimal-app-1\t'] }, 'network ls': {} };
    const run = runDown({}, scenario);
    expect(await run.code).toBe(2);
    expect(calls()).toStrictEqual(teardownCalls('minimal'));
    expect(run.stderr.text).toBe(
      'stagecraft dev: error: teardown of project minimal left containers minimal-app-1 behind ' +
        '(`docker compose -p minimal down --remove-orphans` succeeded, but the engine still lists them: created while it ran?); ' +
        'run `stagecraft dev down` to retry\n',
    );
    // The project may still exist: the file stays, naming it, for the next `dev` or `dev down` to tear down.
    expect(JSON.parse(readFileSync(sessionFile, 'utf8'))).toMatchObject({ project: 'minimal', mode: 'down', pid: process.pid });
  });

  it('a stale record of another project: both torn down with argv from the flags, never the recorded argv', async () => {
    await writeStaleRecord({ project: 'old' });
    const run = runDown({ graceSeconds: 4 });
    expect(await run.code).toBe(0);
    expect(calls()).toStrictEqual([...teardownCalls('old', { graceSeconds: 4 }), ...teardownCalls('minimal', { graceSeconds: 4 })]);
    expect(existsSync(path.join(root, 'pwned'))).toBe(false);
    expect(existsSync(sessionFile)).toBe(false);
  });

  it('compose.yaml gone: the recorded project is torn down with a plan rebuilt from the flags', async () => {
    await writeStaleRecord();
    rmSync(path.join(cwd, composeFile));
    const run = runDown({ composeCommand: 'docker compose --ansi never' });
    expect(await run.code).toBe(0);
    expect(calls()).toStrictEqual(teardownCalls('minimal', { compose: ['docker', 'compose', '--ansi', 'never'] }));
    expect(existsSync(path.join(root, 'pwned'))).toBe(false);
  });

  it('a STOP (SIGINT) while `down` runs: it is cancelled, exit 130; the lock is let go, the file names this process', async () => {
    const run = runDown({}, { down: { hang: true } });
    await waitFor(() => recordedCalls(logFile).some((argv) => isDown({ phase: 'teardown', argv })), 'the fake `down` to start');
    run.processLike.emit('SIGINT');
    expect(await run.code).toBe(130);
    // The command does not wait for the cancelled `down` to exit; the fake logs the SIGTERM it got as its last act.
    await waitFor(() => readFakeLog(logFile).some((entry) => entry.signal === 'SIGTERM'), 'the cancelled `down` to get its SIGTERM');
    expect(run.stderr.text).toBe('');
    expect(JSON.parse(readFileSync(sessionFile, 'utf8'))).toMatchObject({ project: 'minimal', mode: 'down', pid: process.pid });
    // The listeners stay, inert: a late Ctrl+C cannot kill the CLI while it exits, nor change its code.
    expect(run.processLike.listenerCount('SIGINT')).toBe(1);
    expect(() => run.processLike.emit('SIGINT')).not.toThrow();
    expect(run.stderr.text).toBe('');
  });

  it('a teardown that fails: exit 2 naming the command, the stale record put back as it was', async () => {
    const record = await writeStaleRecord();
    const run = runDown({}, { down: { exitCode: 1, stderr: ['Error response from daemon: boom'] } });
    expect(await run.code).toBe(2);
    expect(run.stderr.text).toContain(`stagecraft dev: error: teardown of project minimal failed: \`docker ${down('minimal').join(' ')}\` exited with code 1`);
    // Nothing after the failed `down`.
    expect(calls()).toStrictEqual(teardownCalls('minimal').slice(0, 3));
    expect(JSON.parse(readFileSync(sessionFile, 'utf8'))).toStrictEqual(onDisk(record));
  });

  it('a corrupt record: exit 1 naming the file; nothing runs, the file stays', async () => {
    writeFileSync(sessionFile, '{"version":1,"project":"minimal","pid":-1}');
    const run = runDown();
    expect(await run.code).toBe(1);
    expect(run.stderr.text).toBe(
      `stagecraft dev: error: session file ${sessionFile} is not a record stagecraft wrote (its mode is not foreground, detach or down); ` +
        'it was ignored: nothing it names was signalled or run. Remove it if no stagecraft session runs for this project, then run `stagecraft dev down` again\n',
    );
    expect(recordedCalls(logFile)).toStrictEqual([]);
    expect(readFileSync(sessionFile, 'utf8')).toBe('{"version":1,"project":"minimal","pid":-1}');
  });

  it('a record naming a live process that is not stagecraft: exit 1, that process not signalled', async () => {
    const idle = await spawnIdle();
    await writeStaleRecord({ pid: idle.pid, pidStartTicks: processStartTicks(idle.pid) });
    const run = runDown();
    expect(await run.code).toBe(1);
    expect(run.stderr.text).toContain(`its pid ${idle.pid} is a running process that is not a stagecraft session`);
    expect(idle.exitCode === null && idle.signalCode === null).toBe(true);
    expect(recordedCalls(logFile)).toStrictEqual([]);
  });

  it('a live stagecraft session: SIGTERMed through the port, waited for, then `down`; exit 0', async () => {
    const pid = await spawnSession();
    await writeStaleRecord({ pid, pidStartTicks: processStartTicks(pid) });
    const run = runDown();
    expect(await run.code).toBe(0);
    expect(children[0]?.signalCode).toBe('SIGTERM');
    expect(run.stderr.text).toBe(
      `stagecraft dev: project minimal has a live session (pid ${pid}, attached); asked it to stop, waiting\n` +
        'stagecraft dev: project minimal had no container, network or anonymous volume left to remove\n',
    );
    expect(calls()).toStrictEqual(teardownCalls('minimal'));
  });

  it('--dry-run with a stale record of another project prints the rebuilt argv; runs and changes nothing', async () => {
    const record = await writeStaleRecord({ project: 'old' });
    const run = runDown({}, {}, true);
    expect(await run.code).toBe(0);
    const listings = (project: string): string =>
      `docker ps --all --no-trunc --filter label=com.docker.compose.project=${project} --format '{{.Names}}\\t{{.Mounts}}'\n` +
      `docker network ls --filter label=com.docker.compose.project=${project} --format '{{.Name}}'\n`;
    const volumes = 'volume rm: the anonymous volumes found, appended at run time; not run when none';
    expect(run.stdout.text).toBe(
      `# teardown of old (named by the stale session file; ${volumes})\n${listings('old')}docker ${down('old').join(' ')}\ndocker volume rm --force\n` +
        `# teardown (${volumes})\n${listings('minimal')}docker ${down('minimal').join(' ')}\ndocker volume rm --force\n`,
    );
    expect(recordedCalls(logFile)).toStrictEqual([]);
    expect(JSON.parse(readFileSync(sessionFile, 'utf8'))).toStrictEqual(onDisk(record));
  });
});
