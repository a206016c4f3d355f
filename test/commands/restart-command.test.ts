// `restartCommand` in process (issue 15 item 2): the real effects, the fake docker on PATH, and
// `new EventEmitter()` as the process, so a stop signal is an `emit`. What a signal does at each
// step of a restart, that it ends every child, and that the listeners go with the command.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DevOptions } from '../../machines/dev-session.types.js';
import type { CliFlags } from '../../src/cli/dev-flags.js';
import { restartCommand } from '../../src/commands/restart-command.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { composeEventLine, livePids, readFakeLog, recordedCalls, recordedPids, stacksDir, waitFor } from '../fixtures/fake-docker.js';
import { inProcessIo } from '../fixtures/in-process-io.js';

const composeFile = '.stagecraft/dev/compose.yaml';
const p = ['compose', '-p', 'minimal', '-f', composeFile];
const ps = ['compose', '-p', 'minimal', 'ps', '--all', '--format', 'json'];
const running = (service: string): string =>
  JSON.stringify({ Name: `minimal-${service}-1`, Service: service, State: 'running', Health: '', ExitCode: 0 });

let root: string;
let cwd: string;
let logFile: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-restart-command-'));
  cwd = path.join(root, 'project');
  mkdirSync(path.join(cwd, '.stagecraft', 'dev'), { recursive: true });
  copyFileSync(path.join(stacksDir, 'minimal', 'compose.yaml'), path.join(cwd, composeFile));
  logFile = path.join(root, 'docker-calls.jsonl');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function runRestart(services: readonly string[], scenario: object, options: Partial<DevOptions> = {}) {
  const { stdout, stderr, processLike, env } = inProcessIo(root, logFile, scenario);
  const flags: CliFlags = { options: { ...defaultDevOptions, ...options }, verbose: false, dryRun: false, inspect: undefined, events: undefined };
  const code = restartCommand(flags, services, { stdout, stderr, env, cwd, process: processLike });
  return { processLike, stdout, stderr, code };
}

const calledWith = (argv: readonly string[]) => () => recordedCalls(logFile).some((c) => JSON.stringify(c) === JSON.stringify(argv));

describe('restartCommand and stop signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s while compose restarts: exit %d, compose and the events stream stopped, saying a service may be left stopped', async (signal, code) => {
    const run = runRestart(['app'], { ps: { stdout: [running('app')] }, restart: { hang: true } });
    // Both children running (each logs its call once its signal handlers are on).
    await waitFor(() => calledWith([...p, 'restart', 'app'])() && calledWith([...p, 'events', '--json'])(), 'the restart and the events stream');
    run.processLike.emit(signal);
    expect(await run.code).toBe(code);
    expect(run.stderr.text).toBe(
      [
        'stagecraft dev: restarting app of project minimal…',
        'stagecraft dev: stopped while compose restarted app: some may be left stopped; see `stagecraft dev status`, and run `stagecraft dev restart app` again',
        '',
      ].join('\n'),
    );
    // Both children got stagecraft's SIGTERM, and none is left.
    const signalled = readFakeLog(logFile).flatMap((e) => (e.signal === undefined ? [] : [e.signal]));
    expect(signalled).toEqual(['SIGTERM', 'SIGTERM']);
    await waitFor(() => livePids(recordedPids(logFile)).length === 0, 'every fake docker ended');
    expect(recordedCalls(logFile).map((c) => c.join(' ')).sort()).toEqual([ps, [...p, 'events', '--json'], [...p, 'restart', 'app']].map((c) => c.join(' ')).sort());
  });

  it('a signal after the end changes nothing: the listeners stay on, inert, so a late Ctrl+C cannot kill the CLI as it exits', async () => {
    const started = [composeEventLine('minimal', 'app', 'kill'), composeEventLine('minimal', 'app', 'die', { exitCode: 143 }), composeEventLine('minimal', 'app', 'start')];
    const run = runRestart(['app'], {
      ps: { stdout: [running('app')] },
      events: { chunks: started.map((line, i) => ({ text: `${line}\n`, ...(i === 0 ? { after: 'restart' } : {}) })), untilDown: true },
    });
    expect(await run.code).toBe(0);
    expect(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => run.processLike.listenerCount(s))).toEqual([1, 1, 1]);
    const said = run.stderr.text;
    expect(said.split('\n').at(-2)).toBe('stagecraft dev: restarted app (running) of project minimal');
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) run.processLike.emit(signal);
    expect(run.stderr.text).toBe(said);
    await waitFor(() => livePids(recordedPids(logFile)).length === 0, 'every fake docker ended');
  });
});
