// Issue 14 item 5: `stagecraft dev --detach` and `stagecraft dev down` launched at the same
// instant on one project, 20 rounds: down meets the start claiming (its record not written
// yet: test/down/take-lock.test.ts has that case step by step), starting, or ended and exiting.
// `dev down` exits 0 every round and nothing is left: the start is refused while down holds
// the lock (4), or stopped by down (143), or up and then removed by down's own teardown (0);
// the fake docker's log shows every `up` followed by a `down` that began after it ended, and
// session.json is gone. The rig's afterEach fails the test if any process is left running.
// Before the fix, down exited 4 with session.json left (it found the lock let go and the
// record's process still exiting) and the start died of down's extra SIGTERMs while exiting
// (the last of those, a SIGTERM landing as Node closed its handles, is gone since the CLI exits
// from its `exit` event: exit-after-final.cli.test.ts floods that moment).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { composeFor } from './compose-argv.js';
import { useCliRigs } from './cli-harness.js';
import type { FakeLogEntry, FakeScenario } from '../fixtures/fake-docker.js';

const rig = useCliRigs();
const minimal = composeFor('minimal');
const same = (a: readonly string[] | undefined, b: readonly string[]): boolean => JSON.stringify(a) === JSON.stringify(b);
const startEnding: Record<number, string> = { 0: 'up, then removed by down', 4: 'refused: down held the lock', 143: 'stopped by down' };

/** True when each `up` of `log` ended (by itself, or cancelled with a signal) before some later teardown `down` began. */
function everyUpRemoved(log: readonly FakeLogEntry[]): boolean {
  return log.every((entry, i) => {
    if (!same(entry.argv, minimal.up())) return true;
    const ended = log.findIndex((e, j) => j > i && e.pid === entry.pid && (e.exited !== undefined || e.signal !== undefined));
    return ended !== -1 && log.some((e, j) => j > ended && (same(e.argv, minimal.down()) || same(e.argv, minimal.forcedDown)));
  });
}

const outcome = (ended: { code: number | null; signal: NodeJS.Signals | null }, stderr: string): string =>
  ended.code === null ? `killed by ${ended.signal ?? '?'}: ${stderr}` : `exit ${ended.code}: ${stderr}`;

test(
  '`dev --detach` and `dev down` at the same instant, 20 rounds: down exits 0; the start refused, stopped or removed; nothing left',
  async () => {
    const r = rig('minimal');
    const sessionFile = path.join(r.cwd, '.stagecraft', 'dev', 'session.json');
    const rounds: unknown[] = [];
    for (let round = 0; round < 20; round++) {
      // Every other round `up` takes 300 ms, so down also meets a start that is under way.
      const scenario: FakeScenario = { up: { logExit: true, ...(round % 2 === 1 ? { chunks: [{ text: '', delayMs: 300 }] } : {}) } };
      const logBefore = r.log().length;
      const start = r.spawn(['--detach'], { scenario });
      const down = r.spawn(['down'], { scenario });
      // Each bounded: a stopped start rolls back, then down tears down, a dozen fake calls in a row on a loaded machine.
      const [started, downed] = await Promise.all([start.ended(30_000), down.ended(30_000)]);
      const log = r.log().slice(logBefore);
      rounds.push({
        round,
        down: downed.code === 0 ? 0 : outcome(downed, down.stderr),
        start: startEnding[started.code ?? -1] ?? outcome(started, start.stderr),
        everyUpRemoved: everyUpRemoved(log) || `calls: ${JSON.stringify(log)}\nstart: ${start.stderr}\ndown: ${down.stderr}`,
        sessionFile: existsSync(sessionFile),
      });
    }
    expect(rounds).toEqual(
      rounds.map((_, round) => ({
        round,
        down: 0,
        start: expect.stringMatching(/^(up, then removed by down|refused: down held the lock|stopped by down)$/),
        everyUpRemoved: true,
        sessionFile: false,
      })),
    );
  },
  400_000,
);
