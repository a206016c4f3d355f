// The CLI's side of the guardian, its watcher real, the guardian proper stood in for
// (fixtures/record-guardian.mjs): when the watcher is started (once `up` is, never for a
// session that ends before), where the guardian runs (nobody's child, a session of its own),
// what reaches it once the CLI's end of the pipe closes (every line, in order), and that a
// clean end starts no guardian at all. And the sessions that get none.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliFlags } from '../../src/cli/dev-flags.js';
import type { CliIo } from '../../src/commands/cli-io.js';
import { createSessionRunner } from '../../src/commands/session-runner.js';
import { parseMessage } from '../../src/guardian/guardian-protocol.js';
import { createGuardian, launchGuardian, type GuardianOptions } from '../../src/guardian/spawn-guardian.js';
import type { Reporter, SessionEvent } from '../../src/output/reporter.js';
import { currentProcess, processStartTicks } from '../../src/session-file/process-identity.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { waitFor } from '../fixtures/fake-docker.js';
import { processesIn } from '../fixtures/process-table.js';
import { shopPlan } from '../fixtures/shop-session.js';

const recorder = fileURLToPath(new URL('./fixtures/record-guardian.mjs', import.meta.url));
const plan = shopPlan();

let dir: string;
let record: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-spawn-guardian-'));
  record = path.join(dir, 'record.txt');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const recorded = (): string[] => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').slice(0, -1) : []);

/** This process's process group and session (/proc/self/stat). */
function ownGroups(): { pgrp: number; session: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { pgrp: fields[2] ?? -1, session: fields[3] ?? -1 };
}

/**
 * The options of a guardian whose stand-in records to `record`; `launches` counts its spawns
 * and `pipe()` is the CLI's end of the last one (destroyed: the CLI died).
 */
function standIn(
  extraEnv: NodeJS.ProcessEnv = {},
  guards: GuardianOptions['guards'] = 'stack',
): { options: GuardianOptions; launches: () => number; pipe: () => Socket | undefined } {
  const pipes: Array<Socket | undefined> = [];
  const options: GuardianOptions = {
    env: { ...process.env, GUARDIAN_RECORD: record, ...extraEnv },
    cwd: dir,
    sessionFile: path.join(dir, 'session.json'),
    guards,
    script: recorder,
    launch: (given) => {
      const pipe = launchGuardian(given);
      pipes.push(pipe);
      return pipe;
    },
  };
  return { options, launches: () => pipes.length, pipe: () => pipes.at(-1) };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The watchers (and stand-ins) of guardians started in `dir`. */
const watchersIn = (where: string): number[] => processesIn(where).filter((p) => p.cmdline.includes(recorder)).map((p) => p.pid);

describe('createGuardian', () => {
  it('starts its watcher once `up` starts, outside this process tree and session; the CLI dying hands the guardian every line, in order', async () => {
    const { options, launches, pipe } = standIn({ RUNNER_TRACKING_ID: 'github_1234' });
    const guardian = createGuardian(options);
    if (guardian === undefined) throw new Error('no guardian');
    const seen: SessionEvent[] = [];
    const reporter = guardian.watch({ report: (event) => seen.push(event) } satisfies Reporter);
    const child = { pid: process.pid, startTicks: processStartTicks(process.pid) };

    reporter.report({ type: 'planned', plan, options: defaultDevOptions });
    guardian.children.started(process.pid);
    await turn();
    expect(launches()).toBe(0);
    reporter.report({ type: 'starting', projectName: 'shop' });
    // Not in the turn that reported `starting` (the one that spawns `up`): in the next.
    expect(launches()).toBe(0);
    await turn();
    expect(launches()).toBe(1);
    guardian.children.ended(process.pid);
    reporter.report({ type: 'forcing', cause: 'signal' });
    reporter.report({
      type: 'finished',
      output: { finalState: 'stopped', exitCode: 130, projectName: 'shop', mode: 'foreground', failure: undefined, teardownFailure: undefined, signal: 'SIGINT', leftBehind: undefined },
    });
    // The guardian proper is not running: only the watcher, holding the pipe.
    await waitFor(() => watchersIn(dir).length === 1, 'the watcher to run');
    expect(existsSync(record)).toBe(false);
    // The CLI dies: its end of the pipe closes without `done`.
    pipe()?.destroy();
    await waitFor(() => recorded().at(-1) === 'EOF', 'the guardian to see the pipe end', 10_000, () => recorded().join('\n'));

    const lines = recorded();
    expect(lines.slice(0, -2).map(parseMessage)).toEqual([
      { type: 'child', child },
      { type: 'arm', cli: currentProcess(), plan, sessionFile: options.sessionFile },
      { type: 'ended', pid: process.pid },
      { type: 'force' },
      { type: 'disarm' },
    ]);
    const where = JSON.parse(lines.at(-2) ?? '') as { pid: number; ppid: number; pgrp: number; session: number; tracked: string | null; cwd: string };
    expect(where.ppid).not.toBe(process.pid);
    expect(where.session).not.toBe(ownGroups().session);
    expect(where.pgrp).not.toBe(ownGroups().pgrp);
    expect(where.tracked).toBeNull();
    expect(where.cwd).toBe(dir);
    // The reporter got every event, in order, as if the guardian were not there.
    expect(seen.map((event) => event.type)).toEqual(['planned', 'starting', 'forcing', 'finished']);
  });

  it('guarding children only (`--detach --wait`, day-two commands): started after the first child, never handed the plan; the CLI dying hands it its children', async () => {
    const { options, launches, pipe } = standIn({}, 'children');
    const guardian = createGuardian(options);
    if (guardian === undefined) throw new Error('no guardian');
    const reporter = guardian.watch({ report: () => undefined });
    const child = { pid: process.pid, startTicks: processStartTicks(process.pid) };
    reporter.report({ type: 'planned', plan, options: { ...defaultDevOptions, mode: 'detach', wait: true } });
    await turn();
    expect(launches()).toBe(0);
    guardian.children.started(process.pid);
    // Not in the turn that spawned the child (`up` may be spawned in it too): in the next.
    expect(launches()).toBe(0);
    await turn();
    expect(launches()).toBe(1);
    reporter.report({ type: 'starting', projectName: 'shop' });
    await waitFor(() => watchersIn(dir).length === 1, 'the watcher to run');
    pipe()?.destroy();
    await waitFor(() => recorded().at(-1) === 'EOF', 'the guardian to see the pipe end', 10_000, () => recorded().join('\n'));
    expect(recorded().slice(0, -2).map(parseMessage)).toEqual([{ type: 'child', child }]);
  });

  it('a clean end (done): the watcher exits and the guardian proper never starts', async () => {
    const { options, launches } = standIn();
    const guardian = createGuardian(options);
    if (guardian === undefined) throw new Error('no guardian');
    const reporter = guardian.watch({ report: () => undefined });
    reporter.report({ type: 'planned', plan, options: defaultDevOptions });
    reporter.report({ type: 'starting', projectName: 'shop' });
    await turn();
    expect(launches()).toBe(1);
    await waitFor(() => watchersIn(dir).length === 1, 'the watcher to run');
    guardian.end();
    await waitFor(() => watchersIn(dir).length === 0, 'the watcher to exit');
    expect(existsSync(record)).toBe(false);
  });

  const planned: SessionEvent = { type: 'planned', plan, options: defaultDevOptions };
  const starting: SessionEvent = { type: 'starting', projectName: 'shop' };
  it.each<[string, SessionEvent[]]>([
    ['a session that ends before `up` (bad input, a held project)', [planned]],
    ['a session that ends in the very turn `up` started', [planned, starting]],
    ['a `starting` without a plan announced', [starting]],
  ])('%s never starts one', async (_, events) => {
    const { options, launches } = standIn();
    const guardian = createGuardian(options);
    if (guardian === undefined) throw new Error('no guardian');
    const reporter = guardian.watch({ report: () => undefined });
    guardian.children.started(process.pid);
    for (const event of events) reporter.report(event);
    if (events.length === 1) {
      // Given a turn before it ends: still nothing.
      await turn();
      expect(launches()).toBe(0);
    }
    guardian.end();
    await turn();
    expect(launches()).toBe(0);
  });
});

describe('createSessionRunner', () => {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: {}, cwd: '/nonexistent', process: process };
  const flags = (mode: 'foreground' | 'detach', noGuardian: boolean): CliFlags => ({
    options: { ...defaultDevOptions, mode },
    verbose: false,
    dryRun: false,
    inspect: undefined,
    events: undefined,
    noGuardian,
  });
  const silent: Reporter = { report: () => undefined };

  it.each([
    ['a --detach run, whose stack is meant to outlive it', flags('detach', false)],
    ['--no-guardian (or STAGECRAFT_NO_GUARDIAN)', flags('foreground', true)],
  ])('starts no guardian for %s', (_, given) => {
    const made = createSessionRunner(silent, io, given);
    try {
      expect(made.guardian).toBeUndefined();
    } finally {
      made.release();
    }
  });
});
