// The process port of `dev down` against real processes: it signals only a verified
// stagecraft session (same start time, stagecraft's command line), nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isStagecraftCommandLine, procProcessControl } from '../../src/session-file/process-control.js';
import { processStartTicks } from '../../src/session-file/process-identity.js';
import { deadPid, killAll, spawnIdle } from './live-process.js';

let dir: string;
const started: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-process-control-'));
});

afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** `node <dir>/dist/src/cli.js dev`: a process whose command line is stagecraft's, idling until signalled. */
async function spawnLookalike(): Promise<ChildProcess & { pid: number }> {
  const cli = path.join(dir, 'dist', 'src', 'cli.js');
  mkdirSync(path.dirname(cli), { recursive: true });
  writeFileSync(cli, 'setInterval(() => {}, 1000); setTimeout(() => process.exit(0), 60_000);\n');
  const child = spawn(process.execPath, [cli, 'dev'], { stdio: 'ignore' });
  started.push(child);
  await once(child, 'spawn');
  return child as ChildProcess & { pid: number };
}

const identityOf = (pid: number) => ({ pid, startTicks: processStartTicks(pid) });

describe('isStagecraftCommandLine', () => {
  it.each([
    [['node', '/p/dist/src/cli.js', 'dev'], true],
    [['/usr/bin/node', '--enable-source-maps', '/usr/lib/node_modules/stagecraft/dist/src/cli.js', 'dev', 'down'], true],
    [['node', '/usr/local/bin/stagecraft', 'dev', '--detach'], true],
    [['node20', '/p/node_modules/.bin/stagecraft', 'dev'], true],
    [['node', '/p/dist/src/cli.js'], false],
    [['node', '/p/dist/src/cli.js', 'generate'], false],
    [['python3', '/p/dist/src/cli.js', 'dev'], false],
    [['node', '-e', 'setInterval(() => {}, 1000)', 'dev'], false],
    [['sh', '-c', 'stagecraft dev'], false],
    [['node', '/p/evil.js', '/p/dist/src/cli.js', 'dev'], false],
    [['node', '--require', '/p/hook.js', '/p/dist/src/cli.js', 'dev'], false],
    // A session's guardian, holding the project while it tears down (src/guardian/).
    [['/usr/bin/node', '/p/dist/src/guardian/guardian-main.js'], true],
    [['node', '/p/dist/src/guardian/guardian-main.js', 'dev'], false],
    [['node', '/p/evil.js', '/p/dist/src/guardian/guardian-main.js'], false],
    [[], false],
  ])('%j → %s', (argv, expected) => {
    expect(isStagecraftCommandLine(argv)).toBe(expected);
  });
});

describe('procProcessControl', () => {
  it('identifies a running stagecraft command line with its start time, and SIGTERMs it', async () => {
    const child = await spawnLookalike();
    const identity = identityOf(child.pid);
    expect(procProcessControl.identify(identity)).toBe('stagecraft');
    expect(procProcessControl.isRunning(identity)).toBe(true);
    const ended = once(child, 'exit');
    expect(procProcessControl.signal(identity, 'SIGTERM')).toBe(true);
    expect(await ended).toStrictEqual([null, 'SIGTERM']);
    expect(procProcessControl.identify(identity)).toBe('gone');
    expect(procProcessControl.signal(identity, 'SIGTERM')).toBe(false);
  });

  it('a start time that differs (the pid was reused): gone, and not signalled', async () => {
    const child = await spawnLookalike();
    const identity = { pid: child.pid, startTicks: (processStartTicks(child.pid) ?? 0) - 1 };
    expect(procProcessControl.identify(identity)).toBe('gone');
    expect(procProcessControl.signal(identity, 'SIGTERM')).toBe(false);
    expect(child.exitCode === null && child.signalCode === null).toBe(true);
  });

  it('a live process that is not stagecraft: other, and not signalled', async () => {
    const idle = await spawnIdle();
    const identity = identityOf(idle.pid);
    expect(procProcessControl.identify(identity)).toBe('other');
    expect(procProcessControl.signal(identity, 'SIGTERM')).toBe(false);
    expect(procProcessControl.isRunning(identity)).toBe(true);
  });

  it('no recorded start time: unverified, and not signalled, even when it is stagecraft', async () => {
    const child = await spawnLookalike();
    const identity = { pid: child.pid, startTicks: null };
    expect(procProcessControl.identify(identity)).toBe('unverified');
    expect(procProcessControl.signal(identity, 'SIGTERM')).toBe(false);
    expect(child.exitCode === null && child.signalCode === null).toBe(true);
  });

  it('a pid that is gone: gone, not running', async () => {
    const pid = await deadPid();
    expect(procProcessControl.identify({ pid, startTicks: 1 })).toBe('gone');
    expect(procProcessControl.isRunning({ pid, startTicks: 1 })).toBe(false);
  });
});
