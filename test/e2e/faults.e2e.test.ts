// L4 under faults (issue 14 item 8): every phase bounded and the exit status honest.
// A second, private engine (test/e2e/second-engine.ts) is frozen with SIGSTOP and killed with
// SIGKILL under the CLI; on the main engine, bursts of signals hit an attached session and
// `dev down` races a start and another `dev down`. After each, nothing of the project is left.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  describeE2e,
  forceRemove,
  leftovers,
  nothingLeft,
  oneShot,
  processesOf,
  projectName,
  removeDir,
  runCli,
  signalGroup,
  stack,
  stackDir,
  startCli,
  waitUntil,
  type CliRun,
} from './e2e-harness.js';
import { startSecondEngine, type SecondEngine } from './second-engine.js';

/** One long-running service that says `web ready`; busybox's sleep under an init stops at once. */
const webStack = stack(oneShot('web', 'echo web ready; exec sleep 100000'));

/** Resolves once the session follows web's logs; rejects with what the CLI said if not within 60 s. */
async function attached(run: CliRun): Promise<void> {
  try {
    await waitUntil('the session attached to web', () => /web-1 +\| web ready/.test(run.stdout()));
  } catch (error) {
    throw new Error(`${(error as Error).message}; its stderr:\n${run.stderr()}`);
  }
}

const recordOf = (dir: string): string => path.join(dir, '.stagecraft/dev/session.json');

/** How a CLI run ended: its code, the seconds since `since`, its output, and the processes of its project then. */
interface Ending {
  readonly code: number;
  readonly seconds: number;
  readonly stderr: string;
  readonly processes: readonly string[];
}

/**
 * Waits for the run to end by itself, at most `boundMs`: past it, the run is killed (SIGKILL to
 * its group) and this rejects with what it printed. `processes` is read the moment it ended.
 */
async function ending(run: CliRun, project: string, since: number, boundMs: number): Promise<Ending> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), boundMs)));
  const code = await Promise.race([run.exited, bound]);
  clearTimeout(timer);
  if (code === 'hung') {
    process.kill(-(run.child.pid as number), 'SIGKILL');
    throw new Error(`\`stagecraft dev\` of ${project} still ran ${boundMs / 1000} s later; its stderr:\n${run.stderr()}`);
  }
  return { code, seconds: (Date.now() - since) / 1000, stderr: run.stderr(), processes: processesOf(project) };
}

/** The command an abandoned teardown prints to finish by hand. */
function manualCommand(stderr: string): string {
  const line = /^stagecraft dev: remove it by hand: (.*)$/m.exec(stderr);
  if (line?.[1] === undefined) throw new Error(`no "remove it by hand" line in:\n${stderr}`);
  return line[1];
}

describeE2e('faults of a second engine', () => {
  let engine: SecondEngine;

  beforeAll(async () => {
    engine = await startSecondEngine();
  }, 120_000);

  afterAll(async () => {
    await engine?.stop();
  }, 120_000);

  describe('frozen (SIGSTOP): three commands on one freeze, each ending by itself within its bound', () => {
    // They run side by side: each mostly waits out its bounds (86 s, 51 s, 30 s), one after the other would take 3 min.
    const project = { detach: projectName('frozendetach'), session: projectName('frozensession'), status: projectName('frozenstatus') };
    const dir = { detach: '', session: '', status: '' };
    let detach: Ending;
    let session: Ending;
    let status: Ending;

    beforeAll(async () => {
      for (const name of ['detach', 'session', 'status'] as const) dir[name] = stackDir(webStack);
      const foreground = startCli(dir.session, ['--grace', '1', '-p', project.session], engine.env);
      await attached(foreground);
      engine.freeze();
      try {
        const frozenAt = Date.now();
        const detached = startCli(dir.detach, ['--detach', '--start-timeout', '5', '--grace', '1', '-p', project.detach], engine.env);
        signalGroup(foreground, 'SIGINT');
        const statusRun = startCli(dir.status, ['status', '-p', project.status], engine.env);
        [detach, session, status] = await Promise.all([
          ending(detached, project.detach, frozenAt, 150_000),
          ending(foreground, project.session, frozenAt, 150_000),
          ending(statusRun, project.status, frozenAt, 90_000),
        ]);
      } finally {
        engine.thaw();
      }
    }, 240_000);

    afterAll(() => {
      for (const name of Object.values(project)) forceRemove(name, { env: engine.env });
      for (const d of Object.values(dir)) if (d !== '') removeDir(d);
    });

    test('`dev --detach --start-timeout 5 --grace 1`: the start ends after 5 s, diagnostics 30 s, graceful 31 s, forced 20 s: abandoned, exit 2, the manual command printed — frozendetach', () => {
      const p = project.detach;
      expect(detach.code).toBe(2);
      expect(detach.stderr).toContain(
        `stagecraft dev: error: starting project ${p} did not finish in 5 s (--start-timeout): the engine may be hung, or a pull or build stalled\n` +
          '  the start took longer than 5 s: raise --start-timeout if it needs longer, or check the engine (`docker info`); then run stagecraft dev again\n',
      );
      expect(detach.stderr).toContain('stagecraft dev: start failed; rolling back\nstagecraft dev: the graceful teardown did not finish in time; forcing it\n');
      expect(detach.stderr).toContain(
        `stagecraft dev: gave up on the teardown; project ${p} may still be running\n` +
          `stagecraft dev: remove it by hand: docker ps --all --quiet --filter label=com.docker.compose.project=${p} | xargs -r docker rm --force --volumes && docker compose -p ${p} down --remove-orphans --timeout 0\n`,
      );
      expect(detach.seconds).toBeGreaterThanOrEqual(5 + 30 + 31 + 20);
      expect(detach.seconds).toBeLessThan(5 + 30 + 31 + 20 + 25);
      expect(detach.processes).toEqual([]); // compose children included
    });

    test('an attached session, then one SIGINT and no other: graceful 31 s, forced 20 s, abandoned, exit 2, the manual command printed — frozensession', () => {
      const p = project.session;
      expect(session.code).toBe(2);
      expect(session.stderr).toContain(
        `stagecraft dev: got SIGINT: stopping project ${p} (Ctrl+C again to force)\n` +
          'stagecraft dev: the graceful teardown did not finish in time; forcing it\n',
      );
      expect(session.stderr).toContain(
        `stagecraft dev: gave up on the teardown; project ${p} may still be running\n` +
          `stagecraft dev: remove it by hand: docker ps --all --quiet --filter label=com.docker.compose.project=${p} | xargs -r docker rm --force --volumes && docker compose -p ${p} down --remove-orphans --timeout 0\n`,
      );
      expect(session.seconds).toBeGreaterThanOrEqual(31 + 20);
      expect(session.seconds).toBeLessThan(31 + 20 + 25);
      expect(session.processes).toEqual([]);
    });

    test('`dev status`: exit 2 after 30 s, "had no answer", its compose child not left running — frozenstatus', () => {
      const p = project.status;
      expect(status.code).toBe(2);
      expect(status.stderr).toBe(
        `stagecraft dev: error: \`docker compose -p ${p} ps --all --format json\` had no answer in 30 s: the engine may be hung; check it (\`docker info\`)\n`,
      );
      expect(status.seconds).toBeGreaterThanOrEqual(30);
      expect(status.seconds).toBeLessThan(30 + 15);
      expect(status.processes).toEqual([]);
    });

    test('thawed (SIGCONT): the printed commands and `dev down` leave nothing of the three projects, and no record — frozencleanup', async () => {
      for (const [ended, p] of [[detach, project.detach], [session, project.session]] as const) {
        const byHand = spawnSync('sh', ['-c', manualCommand(ended.stderr)], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...engine.env } });
        expect({ p, status: byHand.status, stderr: byHand.stderr }).toMatchObject({ p, status: 0 });
      }
      for (const name of ['detach', 'session', 'status'] as const) {
        const down = await runCli(dir[name], ['down', '-p', project[name]], engine.env);
        expect({ name, code: down.code }).toEqual({ name, code: 0 });
        expect({ name, record: existsSync(recordOf(dir[name])) }).toEqual({ name, record: false });
        expect(leftovers(project[name], engine.env)).toEqual(nothingLeft);
      }
    });
  });

  describe('killed (SIGKILL)', () => {
    let project: string;
    let dir: string;

    afterEach(async () => {
      await engine.ensureRunning();
      forceRemove(project, { env: engine.env });
      removeDir(dir);
    });

    test('an attached session: it says the engine is not reachable and ends by itself with exit 2; restarted, `dev down` leaves nothing — killed', async () => {
      project = projectName('killed');
      dir = stackDir(webStack);
      const foreground = startCli(dir, ['--grace', '1', '-p', project], engine.env);
      await attached(foreground);
      const killedAt = Date.now();
      await engine.kill();
      const ended = await ending(foreground, project, killedAt, 90_000);
      expect(ended.code).toBe(2);
      expect(ended.stderr).toContain(
        `stagecraft dev: error: the container engine is not reachable (\`docker compose -p ${project} ps --all --format json\` failed); start Docker, or point DOCKER_HOST or DOCKER_CONTEXT at a running engine\n`,
      );
      expect(ended.stderr).toContain(`stagecraft dev: the stack of project ${project} may still be there; remove it with: stagecraft dev down --project-name ${project}\n`);
      // Every step fails at once on a closed socket: no bound needs to pass.
      expect(ended.seconds).toBeLessThan(15);
      expect(ended.processes).toEqual([]);

      await engine.ensureRunning();
      const down = await runCli(dir, ['down', '-p', project], engine.env);
      expect(down.code).toBe(0);
      expect(existsSync(recordOf(dir))).toBe(false);
      expect(leftovers(project, engine.env)).toEqual(nothingLeft);
    });
  });
});

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof signals)[number];
const exitCodeOf: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

interface Shot {
  readonly signal: StopSignal;
  /** Milliseconds after the previous signal. */
  readonly afterMs: number;
}

/** Round r's burst: 3–5 signals of the three kinds, 0–150 ms apart; the same on every run (a small LCG seeded by r). */
function burstOf(round: number): Shot[] {
  let seed = round * 7919 + 17;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  return Array.from({ length: 3 + next(3) }, (_, i) => ({ signal: signals[next(3)] ?? 'SIGINT', afterMs: i === 0 ? 0 : next(151) }));
}

const burstText = (burst: readonly Shot[]): string =>
  burst.map((shot, i) => (i === 0 ? shot.signal : `+${shot.afterMs} ms ${shot.signal}`)).join(', ');

const roundCount = 20;
const roundNumbers = Array.from({ length: roundCount }, (_, i) => i + 1);
/** Rounds run this many at a time (each its own project): one after the other, 60 rounds took 8 min on 2 cores. */
const roundsAtOnce = 4;
/** One test runs all rounds of a kind. */
const roundsTimeoutMs = 400_000;

/**
 * Runs `round(1…roundCount)`, `roundsAtOnce` at a time; resolves with the results in round
 * order. A round that throws gives `{ round, error }` in its place, to be seen in the diff.
 */
async function allRounds<T>(round: (n: number) => Promise<T>): Promise<(T | { round: number; error: string })[]> {
  const results: (T | { round: number; error: string })[] = [];
  const queue = [...roundNumbers];
  const worker = async (): Promise<void> => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      results[n - 1] = await round(n).catch((error: unknown) => ({ round: n, error: String(error) }));
    }
  };
  await Promise.all(Array.from({ length: roundsAtOnce }, worker));
  return results;
}

/** A round on its own project and dir, removed afterwards whatever happened. */
async function onProject<T>(kind: string, n: number, body: (project: string, dir: string) => Promise<T>): Promise<T> {
  const project = projectName(`${kind}${n}`);
  const dir = stackDir(webStack);
  try {
    return await body(project, dir);
  } finally {
    forceRemove(project, { volumes: true });
    removeDir(dir);
  }
}

/** What is left of a project once its commands ended: expected `{ record: false, ...nothingLeft }`. */
const leftOf = (project: string, dir: string) => ({ record: existsSync(recordOf(dir)), ...leftovers(project) });

const nothingOfIt = { record: false, ...nothingLeft };

describeE2e('faults on the main engine: signal bursts and races, 20 rounds each', () => {
  test(
    'a burst of 3–5 signals (SIGINT/SIGTERM/SIGHUP, 0–150 ms apart) at an attached session: exit 128+n of the first signal, the teardown done, nothing left — burst',
    async () => {
      const results = await allRounds((n) =>
        onProject('burst', n, async (project, dir) => {
          const burst = burstOf(n);
          const run = startCli(dir, ['-p', project]);
          await attached(run);
          for (const shot of burst) {
            if (shot.afterMs > 0) await new Promise((resolve) => setTimeout(resolve, shot.afterMs));
            signalGroup(run, shot.signal);
          }
          const ended = await ending(run, project, Date.now(), 90_000);
          const stopped = ended.stderr.includes(`stagecraft dev: stopped project ${project}; nothing left running\n`);
          // Its output, only when it did not end as it should.
          const stderr = ended.code === exitCodeOf[burst[0]?.signal ?? 'SIGINT'] && stopped ? '' : ended.stderr;
          return { round: n, burst: burstText(burst), code: ended.code, stopped, stderr, ...leftOf(project, dir) };
        }),
      );
      expect(results).toEqual(
        roundNumbers.map((round) => ({
          round,
          burst: burstText(burstOf(round)),
          code: exitCodeOf[burstOf(round)[0]?.signal ?? 'SIGINT'],
          stopped: true,
          stderr: '',
          ...nothingOfIt,
        })),
      );
    },
    roundsTimeoutMs,
  );

  test(
    '`dev --detach` and `dev down` at the same instant: down exits 0; the start is stopped by it, refused while it holds the lock, or up and then removed; nothing left — racestart',
    async () => {
      const startEnding: Record<number, string> = { 143: 'stopped by down', 4: 'refused: down held the lock', 0: 'up, then removed by down' };
      const results = await allRounds((n) =>
        onProject('racestart', n, async (project, dir) => {
          const start = startCli(dir, ['--detach', '-p', project]);
          const down = startCli(dir, ['down', '-p', project]);
          const [startCode, downCode] = await Promise.all([start.exited, down.exited]);
          return {
            round: n,
            down: downCode === 0 ? 0 : `exit ${downCode}: ${down.stderr()}`,
            start: startEnding[startCode] ?? `exit ${startCode}: ${start.stderr()}`,
            ...leftOf(project, dir),
          };
        }),
      );
      expect(results).toEqual(
        roundNumbers.map((round) => ({ round, down: 0, start: expect.stringMatching(/^(stopped by down|refused: down held the lock|up, then removed by down)$/), ...nothingOfIt })),
      );
    },
    roundsTimeoutMs,
  );

  test(
    'two `dev down` at once on a detached stack: both exit 0, nothing left — racedown',
    async () => {
      const results = await allRounds((n) =>
        onProject('racedown', n, async (project, dir) => {
          const up = await runCli(dir, ['--detach', '-p', project]);
          const downs = [startCli(dir, ['down', '-p', project]), startCli(dir, ['down', '-p', project])];
          const codes = await Promise.all(downs.map((run) => run.exited));
          return {
            round: n,
            up: up.code === 0 ? 0 : `exit ${up.code}: ${up.stderr}`,
            downs: downs.map((run, i) => (codes[i] === 0 ? 0 : `exit ${codes[i]}: ${run.stderr()}`)),
            ...leftOf(project, dir),
          };
        }),
      );
      expect(results).toEqual(roundNumbers.map((round) => ({ round, up: 0, downs: [0, 0], ...nothingOfIt })));
    },
    roundsTimeoutMs,
  );
});
