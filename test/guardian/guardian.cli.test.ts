// L3 for the guardian (issue 14 item 6): the built CLI with the fake docker on PATH. A
// foreground session SIGKILLed: its watcher (nobody's child) starts the guardian, which kills the CLI's compose children
// and runs exactly the plan's teardown, then removes the session record. A clean end: the
// guardian runs nothing. `--no-guardian`: none is started, and the old behaviour stays.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeFor, inSteps, together, type Step } from '../cli/compose-argv.js';
import { useCliRigs, type CliProcess, type CliRig } from '../cli/cli-harness.js';
import { isAlive, waitFor, type FakeLogEntry, type FakeScenario } from '../fixtures/fake-docker.js';
import { guardiansIn, processesIn, processTable } from '../fixtures/process-table.js';

const timeout = 30_000;
const rig = useCliRigs();
const minimal = composeFor('minimal');
const recordPpid = { FAKE_DOCKER_RECORD_PPID: '1' };
/** What a foreground session runs until it is attached: events and up together, then logs and one ps together. */
const attachedSteps: Step[] = [together(minimal.events, minimal.up()), together(minimal.follow, minimal.ps)];

const sessionPath = (r: CliRig): string => path.join(r.cwd, '.stagecraft', 'dev', 'session.json');
const same = (a: readonly string[] | undefined, b: readonly string[]): boolean => JSON.stringify(a) === JSON.stringify(b);
const callsOf = (entries: readonly FakeLogEntry[]): string[][] => entries.filter((e) => e.argv !== undefined).map((e) => [...(e.argv ?? [])]);

function sessionState(r: CliRig): string | undefined {
  try {
    return (JSON.parse(readFileSync(sessionPath(r), 'utf8')) as { state?: string }).state;
  } catch {
    return undefined;
  }
}

/** A foreground session, attached: its `logs --follow` (runs until killed) and `events` started, its one `ps` ended. */
async function attachedSession(r: CliRig, args: string[] = [], scenario: FakeScenario = {}): Promise<CliProcess> {
  const cli = r.spawn(args, { scenario: { 'logs --follow': { hang: true }, ...scenario }, env: recordPpid });
  const by = (argv: readonly string[]) => r.log().filter((e) => e.ppid === cli.pid && same(e.argv, argv));
  await waitFor(
    () => {
      if (cli.hasExited) throw new Error(`the CLI exited before following its logs\n${cli.stderr}`);
      const ps = by(minimal.ps);
      return by(minimal.follow).length > 0 && by(minimal.events).length > 0 && ps.length > 0 && ps.every((e) => !isAlive(e.pid)) && sessionState(r) === 'attached';
    },
    `pid ${cli.pid} to be attached`,
    5000,
    () => `calls: ${JSON.stringify(r.calls())}\nstderr: ${cli.stderr}`,
  );
  return cli;
}

/** An attached foreground session in a new rig, and its guardian's watcher (the one process holding the pipe), once it runs. */
async function guardedSession(scenario: FakeScenario = {}): Promise<{ r: CliRig; cli: CliProcess; watcher: number }> {
  const r = rig('minimal');
  const cli = await attachedSession(r, [], scenario);
  await waitFor(() => guardiansIn(r.cwd).length === 1, "the guardian's watcher to run", 5000);
  return { r, cli, watcher: guardiansIn(r.cwd)[0] as number };
}

/** The guardian proper: `node dist/src/guardian/guardian-main.js`, started by the watcher. */
const guardianCommandLine = `${process.execPath} ${fileURLToPath(new URL('../../dist/src/guardian/guardian-main.js', import.meta.url))}`;

/** The one process that ran `entries` (their parent pid): neither the CLI nor the watcher, but the guardian it started. */
function guardianOf(entries: readonly FakeLogEntry[], cli: CliProcess, watcher: number): number {
  const ppids = [...new Set(entries.map((e) => e.ppid))];
  expect(ppids).toHaveLength(1);
  expect(ppids).not.toContain(cli.pid);
  expect(ppids).not.toContain(watcher);
  return ppids[0] as number;
}

const followerPids = (r: CliRig, cli: CliProcess): number[] =>
  r.log().filter((e) => e.ppid === cli.pid && (same(e.argv, minimal.follow) || same(e.argv, minimal.events))).map((e) => e.pid);

describe('the guardian of a foreground session', () => {
  test(
    'SIGKILL of the CLI: the guardian kills its `events` and `logs --follow`, runs the teardown, removes session.json, exits',
    async () => {
      const { r, cli, watcher } = await guardedSession();
      const followers = followerPids(r, cli);
      expect(followers).toHaveLength(2);

      process.kill(cli.pid, 'SIGKILL');
      expect(await cli.ended()).toEqual({ code: null, signal: 'SIGKILL' });
      await waitFor(() => !isAlive(watcher), 'the guardian to finish and exit', 10_000, () => JSON.stringify(r.calls()));

      const log = r.log();
      expect(inSteps(callsOf(log), [...attachedSteps, ...minimal.teardown()])).toEqual([...attachedSteps, ...minimal.teardown()]);
      // Every teardown command was the guardian's; the followers were SIGKILLed (no marker of their own).
      guardianOf(log.filter((e) => e.argv !== undefined).slice(4), cli, watcher);
      expect(followers.filter(isAlive)).toEqual([]);
      for (const pid of followers) expect(log.filter((e) => e.pid === pid && e.argv === undefined)).toEqual([]);
      expect(existsSync(sessionPath(r))).toBe(false);
    },
    timeout,
  );

  test(
    'SIGKILL while the session forces its teardown: the guardian ends its stuck `kill` and forces too (kill, down --timeout 0), no graceful down',
    async () => {
      // The session's own graceful `down` and forced `kill` hang; the guardian's succeed.
      const { r, cli, watcher } = await guardedSession({ down: [{ hang: true }, {}], kill: [{ hang: true }, {}] });
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.down());
      cli.signal('SIGINT');
      await r.waitForCall(cli, minimal.kill);
      const stuck = r.pidOf(minimal.kill);

      process.kill(cli.pid, 'SIGKILL');
      expect(await cli.ended()).toEqual({ code: null, signal: 'SIGKILL' });
      await waitFor(() => !isAlive(watcher), 'the guardian to finish and exit', 10_000, () => JSON.stringify(r.calls()));

      const log = r.log().filter((e) => e.argv !== undefined);
      const bySession: Step[] = [...attachedSteps, minimal.survey, minimal.down(), minimal.kill];
      expect(inSteps(callsOf(log), [...bySession, ...minimal.forcedTeardown])).toEqual([...bySession, ...minimal.forcedTeardown]);
      guardianOf(log.slice(-6), cli, watcher);
      expect(isAlive(stuck)).toBe(false);
      expect(existsSync(sessionPath(r))).toBe(false);
    },
    timeout,
  );

  test(
    '`dev down` while the guardian tears down: it knows the guardian for a stagecraft session tearing down, and waits for it',
    async () => {
      // The guardian's `down` (the first) runs until it is ended.
      const { r, cli, watcher } = await guardedSession({ down: { hang: true } });
      process.kill(cli.pid, 'SIGKILL');
      expect(await cli.ended()).toEqual({ code: null, signal: 'SIGKILL' });
      await waitFor(() => r.log().some((e) => e.ppid !== cli.pid && same(e.argv, minimal.down())), "the guardian's `down`", 10_000);
      const guardian = guardianOf(r.log().filter((e) => same(e.argv, minimal.down())), cli, watcher);
      // The guardian is node running its entry, started by the watcher; it holds the record now.
      expect(processTable().find((p) => p.pid === guardian)).toMatchObject({ ppid: watcher, cmdline: guardianCommandLine });
      expect(JSON.parse(readFileSync(sessionPath(r), 'utf8'))).toMatchObject({ pid: guardian, mode: 'down', state: 'guardian.tearingDown', tags: ['tearingDown'] });

      const down = r.spawn(['down']);
      await r.waitForOutput(down, 'stderr', `project minimal has a live session (pid ${guardian}, guardian.tearingDown); it is tearing down already; waiting\n`);
      down.signal('SIGINT');
      expect((await down.exit()).code).toBe(130);
      // Not waited out here: the guardian and its `down` are ended by hand.
      process.kill(guardian, 'SIGKILL');
      process.kill(r.pidOf(minimal.down()), 'SIGTERM');
      await waitFor(() => !isAlive(watcher) && !isAlive(r.pidOf(minimal.down())), 'the guardian, its watcher and its `down` to end');
    },
    timeout,
  );

  test(
    'a clean end (Ctrl+C): the session tears down itself, the watcher exits, and nothing but the CLI ran a command',
    async () => {
      const { r, cli, watcher } = await guardedSession();
      cli.signal('SIGINT');
      expect((await cli.exit()).code).toBe(130);
      await waitFor(() => !isAlive(watcher), 'the watcher to exit');
      const log = r.log().filter((e) => e.argv !== undefined);
      expect(inSteps(callsOf(log), [...attachedSteps, ...minimal.teardown()])).toEqual([...attachedSteps, ...minimal.teardown()]);
      expect(log.filter((e) => e.ppid !== cli.pid)).toEqual([]);
    },
    timeout,
  );

  test(
    '--no-guardian: nothing but the CLI and its compose children runs; SIGKILL leaves the followers and session.json, for `dev down`',
    async () => {
      const r = rig('minimal');
      const cli = await attachedSession(r, ['--no-guardian']);
      const fakeDocker = (cmdline: string): boolean => cmdline.includes('/test/fixtures/bin/docker');
      expect(processesIn(r.cwd).filter((p) => p.pid !== cli.pid && !fakeDocker(p.cmdline))).toEqual([]);
      const followers = followerPids(r, cli);

      process.kill(cli.pid, 'SIGKILL');
      expect(await cli.ended()).toEqual({ code: null, signal: 'SIGKILL' });
      expect(followers.filter(isAlive).sort()).toEqual([...followers].sort());
      expect(sessionState(r)).toBe('attached');
      // `dev down` finishes the job (the followers end once `down` ran, as compose's do).
      expect((await r.run(['down'])).code).toBe(0);
      expect(existsSync(sessionPath(r))).toBe(false);
      for (const pid of followers) if (isAlive(pid)) process.kill(pid, 'SIGTERM');
      await waitFor(() => followers.every((pid) => !isAlive(pid)), 'the orphaned followers to end');
    },
    timeout,
  );

  test(
    'STAGECRAFT_NO_GUARDIAN=1 turns it off as the flag does; a --detach run never has one',
    async () => {
      const r = rig('minimal');
      const off = r.spawn([], { scenario: { 'logs --follow': { hang: true } }, env: { ...recordPpid, STAGECRAFT_NO_GUARDIAN: '1' } });
      await r.waitForCall(off, minimal.follow);
      expect(processesIn(r.cwd).filter((p) => p.pid !== off.pid && !p.cmdline.includes('/test/fixtures/bin/docker'))).toEqual([]);
      off.signal('SIGINT');
      expect((await off.exit()).code).toBe(130);

      const detached = r.spawn(['--detach']);
      await r.waitForCall(detached, minimal.up());
      expect(processesIn(r.cwd).filter((p) => p.pid !== detached.pid && !p.cmdline.includes('/test/fixtures/bin/docker'))).toEqual([]);
      expect((await detached.exit()).code).toBe(0);
      expect((await r.run(['down'])).code).toBe(0);
    },
    timeout,
  );
});

describe('the guardian of a `--detach --wait` run', () => {
  test(
    'SIGKILL while it waits: the guardian kills its `events` stream and nothing else; the stack and its record stay (they are meant to outlive the run)',
    async () => {
      const r = rig('minimal');
      // No event ever comes: the run waits for app and web (up to --wait-timeout, 120 s).
      const cli = r.spawn(['--detach', '--wait'], { scenario: { events: { hang: true } }, env: recordPpid });
      await r.waitForOutput(cli, 'stderr', 'waiting up to 120 s for app, web to be ready');
      await r.waitForCallEnded(cli, minimal.ps);
      await waitFor(() => guardiansIn(r.cwd).length === 1, "the guardian's watcher to run", 5000);
      const watcher = guardiansIn(r.cwd)[0] as number;
      const events = r.log().filter((e) => e.ppid === cli.pid && same(e.argv, minimal.events)).map((e) => e.pid);
      expect(events).toHaveLength(1);
      expect(events.filter(isAlive)).toEqual(events);

      process.kill(cli.pid, 'SIGKILL');
      expect(await cli.ended()).toEqual({ code: null, signal: 'SIGKILL' });
      await waitFor(() => !isAlive(watcher), 'the guardian to finish and exit', 10_000, () => JSON.stringify(r.calls()));
      expect(events.filter(isAlive)).toEqual([]);
      // Killed (no marker of its own), and every command was the CLI's: no teardown.
      const log = r.log();
      for (const pid of events) expect(log.filter((e) => e.pid === pid && e.argv === undefined)).toEqual([]);
      expect(log.filter((e) => e.argv !== undefined && e.ppid !== cli.pid)).toEqual([]);
      expect(sessionState(r)).toBe('waiting');
      expect((await r.run(['down'])).code).toBe(0);
    },
    timeout,
  );
});
