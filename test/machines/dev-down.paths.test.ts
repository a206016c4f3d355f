// L2: model-based paths through the dev-down machine (issue 11 item 6; STYLE §6).
//
// `getSimplePaths` walks the real machine with, in every non-final state, the done and error
// events of the actor it invokes (representative outputs and failures), the delay it runs,
// and a STOP (the first with each of SIGINT, SIGTERM and SIGHUP; a later one with another
// signal). Every simple path to a final state is replayed on a fresh actor with gated fakes
// (path-replay.ts) and must satisfy, whatever happened:
//   1. it ends in done | failed | interrupted, with the exit code SPEC §5 gives for its events;
//   2. a holder tearing down already (its tags, or mode `down` without tags) is never signalled,
//      and no holder is signalled more than twice;
//   3. nothing is torn down without the lock, the stale project before this one;
//   4. a lock that was tried is always let go: released after the teardowns, or restored;
//   5. no fake child is left running;
//   6. each teardown that finished is announced (`removed`, with its project and what it
//      removed) as it finishes, and nothing else is.
import { getShortestPaths, getSimplePaths, getStateNodes, serializeSnapshot } from 'xstate/graph';
import type { SnapshotFrom } from 'xstate';
import { devDownMachine } from '../../machines/dev-down.machine.js';
import type { LockTaken, RecordSurvey } from '../../machines/dev-down.types.js';
import type { DevPlan, Removal, SessionFailure, StopSignal } from '../../machines/dev-session.types.js';
import { exitCodeTable } from '../../machines/exit-code.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopHolder } from '../fixtures/shop-holder.js';
import { shopPlan } from '../fixtures/shop-session.js';
import { replayPromisePath, type PromiseModelStep } from './path-replay.js';

type DownSnapshot = SnapshotFrom<typeof devDownMachine>;
type Step = PromiseModelStep<typeof devDownMachine>;
type ModelEvent = Step['event'] & { readonly [key: string]: unknown };

const plan = shopPlan();
const stalePlan = shopPlan({ ...defaultDevOptions, projectName: 'old' });
const holder = shopHolder;
const surveys: Record<string, RecordSurvey> = {
  none: { recordedProject: undefined, holder: undefined },
  stale: { recordedProject: 'shop', holder: undefined },
  live: { recordedProject: 'shop', holder: holder() },
  stopping: { recordedProject: 'shop', holder: holder({ state: 'stopping.graceful', tags: ['tearingDown'] }) },
  otherDown: { recordedProject: 'shop', holder: holder({ mode: 'down', state: 'down', tags: undefined }) },
};

/** What each project's teardown removed (the stale one's differs, to tell the announcements apart). */
const removals: Record<string, Removal> = {
  shop: { containers: ['shop-api-1'], networks: ['shop_default'], volumes: [] },
  old: { containers: ['old-api-1'], networks: [], volumes: ['cd'.repeat(32)] },
};

const failure = (kind: Exclude<SessionFailure['kind'], 'start-failed' | 'services-failed'>): SessionFailure => ({
  kind,
  message: `${kind} (path test)`,
});
/** A rejection that is not a SessionFailure: a bug in stagecraft. */
const bug = (where: string): Error => new Error(`bug in ${where} (path test)`);

const done = (id: string, output: unknown): ModelEvent => ({ type: `xstate.done.actor.${id}`, output, actorId: id });
const error = (id: string, err: unknown): ModelEvent => ({ type: `xstate.error.actor.${id}`, error: err, actorId: id });
const after = (delay: string, state: string): ModelEvent => ({ type: `xstate.after.${delay}.devDown.${state}` });

const graceSeconds = 10;
/** The bounds SPEC §4 asks for, in ms, at --grace 10: the holder's own deadline and some. */
const delays: Record<string, number> = { holderStopTimeout: 70_000, holderForceTimeout: 30_000, holderTeardownTimeout: 100_000 };

const model: Record<string, { readonly invokes: string; readonly events: readonly ModelEvent[] }> = {
  reading: {
    invokes: 'readRecord',
    events: [...Object.values(surveys).map((survey) => done('readRecord', survey)), error('readRecord', failure('input')), error('readRecord', bug('readRecord'))],
  },
  planning: { invokes: 'loadPlan', events: [done('loadPlan', plan), error('loadPlan', failure('input'))] },
  'stoppingHolder.asking': {
    invokes: 'signalHolder',
    events: [done('signalHolder', 'sent'), done('signalHolder', 'gone'), error('signalHolder', failure('locked')), error('signalHolder', bug('signalHolder'))],
  },
  'stoppingHolder.waiting': {
    invokes: 'awaitHolderExit',
    events: [done('awaitHolderExit', undefined), error('awaitHolderExit', bug('awaitHolderExit')), after('holderStopTimeout', 'stoppingHolder.waiting')],
  },
  'stoppingHolder.forcing': {
    invokes: 'signalHolder',
    events: [done('signalHolder', 'sent'), done('signalHolder', 'gone'), error('signalHolder', failure('locked'))],
  },
  'stoppingHolder.waitingForced': {
    invokes: 'awaitHolderExit',
    events: [done('awaitHolderExit', undefined), after('holderForceTimeout', 'stoppingHolder.waitingForced')],
  },
  awaitingHolder: {
    invokes: 'awaitHolderExit',
    events: [done('awaitHolderExit', undefined), error('awaitHolderExit', bug('awaitHolderExit')), after('holderTeardownTimeout', 'awaitingHolder')],
  },
  locking: {
    invokes: 'takeLock',
    events: [
      done('takeLock', { stalePlan: undefined } satisfies LockTaken),
      done('takeLock', { stalePlan } satisfies LockTaken),
      error('takeLock', failure('locked')),
      error('takeLock', failure('input')),
    ],
  },
  'tearingDown.staleProject': { invokes: 'teardown', events: [done('teardown', removals['old']), error('teardown', failure('command-failed'))] },
  'tearingDown.ownProject': {
    invokes: 'teardown',
    events: [done('teardown', removals['shop']), error('teardown', failure('command-failed')), error('teardown', failure('engine-unreachable'))],
  },
  releasing: { invokes: 'release', events: [done('release', undefined), error('release', bug('release'))] },
  restoring: { invokes: 'restoreLock', events: [done('restoreLock', undefined), error('restoreLock', bug('restoreLock'))] },
};

const finals = ['done', 'failed', 'interrupted'] as const;
const signals: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function stateName(snapshot: DownSnapshot): string {
  const value = snapshot.value as string | Record<string, string>;
  if (typeof value === 'string') return value;
  const [[parent, child]] = Object.entries(value) as [[string, string]];
  return `${parent}.${child}`;
}

function modelEvents(snapshot: DownSnapshot): readonly ModelEvent[] {
  if (snapshot.status !== 'active') return [];
  const entry = model[stateName(snapshot)];
  if (entry === undefined) throw new Error(`the path model has no events for state ${stateName(snapshot)}; add them`);
  const first = snapshot.context.signal;
  const stops = first === undefined ? signals : [first === 'SIGINT' ? 'SIGTERM' : 'SIGINT'];
  return [...entry.events, ...stops.map((signal) => ({ type: 'STOP', signal }))];
}

const invokedIn = (snapshot: DownSnapshot): readonly string[] => {
  const entry = snapshot.status === 'active' ? model[stateName(snapshot)] : undefined;
  return entry === undefined ? [] : [entry.invokes];
};

const input = { graceSeconds, exitCodes: exitCodeTable };
type TraversalEvents = NonNullable<Parameters<typeof getSimplePaths<typeof devDownMachine>>[1]>['events'];
const traversal = { input, events: modelEvents as unknown as TraversalEvents };

// --- The expectation, from SPEC §5 and the path's events alone ----------------------------

const signalNumber: Record<StopSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
const codeOfKind = (kind: SessionFailure['kind']): number =>
  ({ input: 1, internal: 3, locked: 4 } as Partial<Record<SessionFailure['kind'], number>>)[kind] ?? 2;

/** The exit code and final state the path's events call for. */
function expected(steps: readonly Step[]): { readonly code: number; readonly final: (typeof finals)[number] } {
  let failed: SessionFailure['kind'] | undefined;
  let signal: StopSignal | undefined;
  steps.forEach(({ event }, index) => {
    const before = index > 0 ? stateName((steps[index - 1] as Step).state) : '';
    const e = event as ModelEvent;
    // A STOP while releasing or restoring is not acted on: the work is done, or being undone.
    if (e.type === 'STOP' && before !== 'releasing' && before !== 'restoring' && failed === undefined) signal ??= e['signal'] as StopSignal;
    if (e.type.startsWith('xstate.error.actor.') && e['actorId'] !== 'restoreLock') {
      failed ??= e['error'] instanceof Error ? 'internal' : (e['error'] as SessionFailure).kind;
    }
    if (e.type.startsWith('xstate.after.holderForceTimeout') || e.type.startsWith('xstate.after.holderTeardownTimeout')) failed ??= 'locked';
  });
  if (failed !== undefined) return { code: codeOfKind(failed), final: 'failed' };
  if (signal !== undefined) return { code: 128 + signalNumber[signal], final: 'interrupted' };
  return { code: 0, final: 'done' };
}

const describePath = (steps: readonly Step[]): string =>
  steps
    .slice(1)
    .map(({ event }) => {
      const e = event as ModelEvent;
      if (e.type === 'STOP') return `STOP(${String(e['signal'])})`;
      const short = e.type.replace(/^xstate\.(done|error)\.actor\./, '$1:').replace(/^xstate\.after\.([^.]+)\..*/, 'after:$1');
      return e.type.startsWith('xstate.done.actor.readRecord') ? `${short}(${describeSurvey(e['output'] as RecordSurvey)})` : short;
    })
    .join(' → ');

const describeSurvey = (survey: RecordSurvey): string =>
  Object.entries(surveys).find(([, s]) => s === survey)?.[0] ?? 'survey';

const order = (runs: readonly { readonly name: string }[]): string[] => runs.map((run) => run.name);

const isFinal = (snapshot: DownSnapshot): boolean => snapshot.status === 'done';
const paths = getSimplePaths(devDownMachine, { ...traversal, toState: isFinal }).map((path) => path.steps as unknown as readonly Step[]);

describe('every simple path of `dev down` to a final state', () => {
  it(`replays ${paths.length} paths: exit code, signals, lock and teardowns as SPEC §4–§6 say`, async () => {
    expect(paths.length).toBeGreaterThanOrEqual(150);
    for (const steps of paths) {
      try {
        const { final, fakes, emitted } = await replayPromisePath(steps, {
          machine: devDownMachine,
          input,
          actors: Object.keys(devDownMachine.implementations.actors),
          delayMs: (delay) => delays[delay] ?? Number.NaN,
          invokedIn,
        });
        const want = expected(steps);
        const runs = fakes.runs;
        const started = (name: string): number => runs.filter((run) => run.name === name).length;

        // 1. a final state and the exit code of SPEC §5
        expect(final.status).toBe('done');
        expect(final.value).toBe(want.final);
        expect(final.output).toStrictEqual(expect.objectContaining({ outcome: want.final, exitCode: want.code }));

        // 2. a holder tearing down is waited for, never signalled; no holder more than twice
        const survey = (steps[1]?.event as ModelEvent | undefined)?.['output'] as RecordSurvey | undefined;
        if (survey === surveys['stopping'] || survey === surveys['otherDown']) expect(started('signalHolder')).toBe(0);
        expect(started('signalHolder')).toBeLessThanOrEqual(2);
        if (survey?.holder === undefined) expect(started('signalHolder') + started('awaitHolderExit')).toBe(0);
        // …and a live one that is not tearing down is asked first, once the plan is known
        const planned = steps.some(({ event }) => event.type === 'xstate.done.actor.loadPlan');
        if (survey === surveys['live'] && planned) expect(order(runs)[2]).toBe('signalHolder');
        if (survey !== surveys['live'] && survey?.holder !== undefined && planned) expect(order(runs)[2]).toBe('awaitHolderExit');

        // 3. no teardown without the lock; the stale project's first
        if (started('teardown') > 0) expect(fakes.succeeded('takeLock')).toBe(true);
        const teardownInputs = runs.filter((run) => run.name === 'teardown').map((run) => run.input);
        if (teardownInputs.length === 2) expect(teardownInputs).toStrictEqual([stalePlan, plan]);

        // 4. a lock that was tried is let go exactly once: released, or restored
        if (started('takeLock') > 0) expect(started('release') + started('restoreLock')).toBe(1);
        else expect(started('release') + started('restoreLock')).toBe(0);
        if (started('release') > 0) expect(order(runs).lastIndexOf('teardown')).toBeLessThan(order(runs).indexOf('release'));
        if (final.value === 'done') expect(fakes.succeeded('release')).toBe(true);

        // 5. nothing left running
        expect(fakes.live().map((run) => run.name)).toStrictEqual([]);
        expect(Object.keys(final.children)).toStrictEqual([]);

        // 6. `removed` for each teardown that finished, in order, with its project and removal
        const removedProjects = runs
          .filter((run) => run.name === 'teardown' && run.resolved)
          .map((run) => (run.input as DevPlan).projectName);
        expect(emitted.filter((event) => event.type === 'removed')).toStrictEqual(
          removedProjects.map((projectName) => ({ type: 'removed', projectName, removal: removals[projectName] })),
        );
      } catch (cause) {
        throw new Error(`path: ${describePath(steps)}\n${(cause as Error).message}`, { cause });
      }
    }
  }, 60_000);

  it('reach a final state from every reachable state, and visit every state of the machine', () => {
    const reachable = getShortestPaths(devDownMachine, traversal).map((path) => serializeSnapshot(path.state));
    const onFinalPath = new Set(paths.flatMap((steps) => steps.map((step) => serializeSnapshot(step.state))));
    expect(reachable.filter((state) => !onFinalPath.has(state))).toStrictEqual([]);
    const visited = new Set(paths.flatMap((steps) => steps.map((step) => stateName(step.state))));
    const all = getStateNodes(devDownMachine.root)
      .filter((node) => node.type === 'atomic' || node.type === 'final')
      .map((node) => node.path.join('.'))
      .sort();
    expect([...visited].sort()).toStrictEqual(all);
    expect(Object.keys(model).sort()).toStrictEqual(all.filter((name) => !(finals as readonly string[]).includes(name)));
  });
});
