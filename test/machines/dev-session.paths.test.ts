// L2: model-based paths through the dev-session machine (issue 4, item 5; STYLE §6).
//
// `getSimplePaths` from xstate/graph walks the real machine's `transition` with the events
// below: in every non-final state a STOP, and the done and error events of the actor that
// state invokes, with representative outputs and failures; LOGS_ENDED in `attached`; the
// teardown deadline where one runs. Every simple path that ends in a final state is replayed
// on a fresh actor with gated fakes (path-replay.ts) and must satisfy, whatever happened:
//   1. it ends in a final state (detached | stopped | failed | abandoned) that fits what happened;
//   2. if `start` ran, a teardown or forced teardown ran, unless it ended detached or abandoned,
//      or --keep-on-failure was set and the start failed;
//   3. its exit code is the one SPEC §5 gives, worked out here from the path's events;
//   4. no fake child is left running (checked after every step too, by the replay);
//   5. the output names a command to remove the stack exactly when the stack may be left.
//
// Bounding: the graph tells states apart by value and context. Only the first STOP names the
// exit code, so the first STOP of a path is offered with each of SIGINT, SIGTERM and SIGHUP,
// and each later STOP with one signal that differs from the first (a later signal must not
// change the code). With that the traversal needs no limit: a few hundred paths per variant.
import { getShortestPaths, getSimplePaths, getStateNodes, serializeSnapshot } from 'xstate/graph';
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import type {
  DevOptions,
  DevPlan,
  PreflightResult,
  ServiceExit,
  SessionFailure,
  StaleSession,
  StopSignal,
} from '../../machines/dev-session.types.js';
import type { DevFiles } from '../../src/dev-files/read-dev-files.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { replayPath, stateName, type ModelEvent, type ModelStep, type SessionSnapshot } from './path-replay.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';

const devFiles: DevFiles = {
  devDir: '.stagecraft/dev',
  composeFile: '.stagecraft/dev/compose.yaml',
  name: 'shop',
  services: [
    { name: 'api', traefik: false, profiled: false, image: undefined },
    { name: 'db', traefik: false, profiled: false, image: undefined },
  ],
};

const baseOptions: DevOptions = defaultDevOptions;

/** The bound on a graceful teardown before it is forced: the grace period plus 30 s. */
const deadlineMs = (options: DevOptions): number => (options.graceSeconds + 30) * 1000;

const plan: DevPlan = buildPlan(devFiles, baseOptions);
const stale: StaleSession = {
  project: 'shop',
  pid: 4242,
  state: 'attached',
  plan: buildPlan(devFiles, { ...baseOptions, graceSeconds: 3 }),
};
const allZero: readonly ServiceExit[] = [
  { service: 'api', state: 'exited', exitCode: 0 },
  { service: 'db', state: 'exited', exitCode: 0 },
];
const oneNonZero: readonly ServiceExit[] = [
  { service: 'api', state: 'exited', exitCode: 1 },
  { service: 'db', state: 'exited', exitCode: 0 },
];

const failure = (kind: Exclude<SessionFailure['kind'], 'start-failed' | 'services-failed'>): SessionFailure => ({
  kind,
  message: `${kind} (path test)`,
});
const startFailed: SessionFailure = {
  kind: 'start-failed',
  message: 'starting project shop failed: `docker compose … up` exited with code 1',
  stderrTail: 'Error response from daemon: pull access denied for shop/api',
  services: [],
};
/** A rejection that is not a SessionFailure: a bug in stagecraft. */
const bug = (where: string): Error => new Error(`bug in ${where} (path test)`);

const done = (id: string, output: unknown): ModelEvent => ({ type: `xstate.done.actor.${id}`, output, actorId: id });
const error = (id: string, err: unknown): ModelEvent => ({ type: `xstate.error.actor.${id}`, error: err, actorId: id });
const deadline = (stateId: string): ModelEvent => ({ type: `xstate.after.teardownDeadline.devSession.${stateId}` });

/** The actor each non-final state runs, and what it may answer. */
const model: Record<string, { readonly invokes: string; readonly events: readonly ModelEvent[] }> = {
  validating: {
    invokes: 'validate',
    events: [done('validate', plan), error('validate', failure('input')), error('validate', bug('validate'))],
  },
  preflight: {
    invokes: 'preflight',
    events: [
      done('preflight', { stale: undefined } satisfies PreflightResult),
      done('preflight', { stale } satisfies PreflightResult),
      error('preflight', failure('compose-unavailable')),
      error('preflight', failure('engine-unreachable')),
      error('preflight', failure('locked')),
    ],
  },
  reconciling: {
    invokes: 'reconcile',
    events: [done('reconcile', undefined), error('reconcile', failure('command-failed'))],
  },
  starting: {
    invokes: 'start',
    events: [done('start', undefined), error('start', startFailed), error('start', bug('start'))],
  },
  attached: {
    invokes: 'followLogs',
    events: [{ type: 'LOGS_ENDED', exitCode: 0 }, error('followLogs', bug('followLogs'))],
  },
  'stopping.readingExitCodes': {
    invokes: 'readExitCodes',
    events: [
      done('readExitCodes', allZero),
      done('readExitCodes', oneNonZero),
      error('readExitCodes', failure('command-failed')),
    ],
  },
  'stopping.graceful': {
    invokes: 'teardown',
    events: [done('teardown', undefined), error('teardown', failure('command-failed')), deadline('stopping.graceful')],
  },
  'stopping.forced': {
    invokes: 'forcedTeardown',
    events: [done('forcedTeardown', undefined), error('forcedTeardown', failure('command-failed'))],
  },
  'rollingBack.diagnosing': {
    invokes: 'diagnose',
    events: [done('diagnose', ['api']), error('diagnose', bug('diagnose'))],
  },
  'rollingBack.tearingDown': {
    invokes: 'teardown',
    events: [
      done('teardown', undefined),
      error('teardown', failure('command-failed')),
      deadline('rollingBack.tearingDown'),
    ],
  },
};

const finalStates = ['detached', 'stopped', 'failed', 'abandoned'] as const;
const signals: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function modelEvents(snapshot: SessionSnapshot): readonly ModelEvent[] {
  if (snapshot.status !== 'active') return [];
  const name = stateName(snapshot);
  const entry = model[name];
  if (entry === undefined) throw new Error(`the path model has no events for state ${name}; add them`);
  const first = snapshot.context.signal;
  const stops: readonly StopSignal[] =
    first === undefined ? signals : [first === 'SIGINT' ? 'SIGTERM' : 'SIGINT'];
  return [...entry.events, ...stops.map((signal) => ({ type: 'STOP', signal }) as const)];
}

const invokedIn = (snapshot: SessionSnapshot): readonly string[] => {
  if (snapshot.status !== 'active') return [];
  const entry = model[stateName(snapshot)];
  return entry === undefined ? [] : [entry.invokes];
};

// The graph API types events as the machine's own events; the model adds xstate's.
type TraversalEvents = NonNullable<Parameters<typeof getSimplePaths<typeof devSessionMachine>>[1]>['events'];
const traversal = (options: DevOptions) => ({
  input: { options },
  events: modelEvents as unknown as TraversalEvents,
});

// --- The expectation, from SPEC §5 and the path's events alone ----------------------------

const signalNumber: Record<StopSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

function kindOf(rejection: unknown): SessionFailure['kind'] {
  if (rejection instanceof Error) return 'internal';
  return (rejection as SessionFailure).kind;
}

function codeOfKind(kind: SessionFailure['kind']): number {
  switch (kind) {
    case 'input':
      return 1; // bad flag, dev files missing or invalid
    case 'internal':
      return 3; // a bug
    case 'locked':
      return 4; // another live session holds the project
    default:
      return 2; // docker/compose missing or failing, start failed, a service exited non-zero
  }
}

interface PathFacts {
  readonly events: readonly ModelEvent[];
  readonly firstSignal: StopSignal | undefined;
  /** The first thing that went wrong, teardowns aside (diagnostics are best effort). */
  readonly firstFailure: SessionFailure['kind'] | undefined;
  readonly teardownFailed: boolean;
  readonly startFailed: boolean;
  /** validate, preflight or reconcile failed: the stack was never started. */
  readonly earlyFailure: boolean;
}

function factsOf(steps: readonly ModelStep[]): PathFacts {
  let firstSignal: StopSignal | undefined;
  let firstFailure: SessionFailure['kind'] | undefined;
  let teardownFailed = false;
  let startFailed = false;
  let earlyFailure = false;
  for (const { event } of steps) {
    if (event.type === 'STOP') firstSignal ??= event.signal;
    else if (event.type.startsWith('xstate.error.actor.')) {
      const { actorId, error: rejection } = event as { actorId: string; error: unknown };
      if (actorId === 'teardown' || actorId === 'forcedTeardown') teardownFailed = true;
      else if (actorId !== 'diagnose') firstFailure ??= kindOf(rejection);
      if (actorId === 'start') startFailed = true;
      if (actorId === 'validate' || actorId === 'preflight' || actorId === 'reconcile') earlyFailure = true;
    } else if (event.type === 'xstate.done.actor.readExitCodes') {
      const exits = (event as { output: readonly ServiceExit[] }).output;
      if (exits.some((exit) => exit.exitCode !== 0)) firstFailure ??= 'services-failed';
    }
  }
  return {
    events: steps.map((step) => step.event),
    firstSignal,
    firstFailure,
    teardownFailed,
    startFailed,
    earlyFailure,
  };
}

/**
 * The final states SPEC §4 allows after this path: a failure before `up` or of `up` itself, or a
 * failed teardown, ends in `failed` (a start failure may still be abandoned by a third STOP);
 * only a started detach session ends `detached`; only a STOP during the forced teardown
 * abandons; `stopped` needs a teardown that succeeded whenever `up` ran.
 */
function allowedFinalStates(
  facts: PathFacts,
  options: DevOptions,
  fakes: { started(name: string): boolean; succeeded(name: string): boolean },
): readonly string[] {
  const last = facts.events[facts.events.length - 1];
  if (options.mode === 'detach' && fakes.succeeded('start')) return ['detached'];
  if (last?.type === 'STOP' && fakes.started('forcedTeardown') && !fakes.succeeded('forcedTeardown')) {
    return ['abandoned'];
  }
  if (facts.teardownFailed || facts.earlyFailure || facts.startFailed) return ['failed'];
  const tornDown = fakes.succeeded('teardown') || fakes.succeeded('forcedTeardown');
  return !fakes.started('start') || tornDown ? ['stopped'] : [];
}

function expectedExitCode(finalState: string, facts: PathFacts): number {
  if (finalState === 'detached') return 0; // the detached stack is up
  if (finalState === 'abandoned') return 2; // the stack may still run: an external failure
  if (facts.firstFailure !== undefined) return codeOfKind(facts.firstFailure);
  if (facts.teardownFailed) return 2;
  if (facts.firstSignal !== undefined) return 128 + signalNumber[facts.firstSignal];
  return 0; // the stack ended by itself, every service exited 0, teardown succeeded
}

function describePath(steps: readonly ModelStep[]): string {
  return steps
    .slice(1)
    .map(({ event }) => {
      const type = event.type.replace(/^xstate\.(done|error)\.actor\./, '$1:').replace(/^xstate\.after\./, 'after:');
      if (event.type === 'STOP') return `STOP(${event.signal})`;
      if (event.type.startsWith('xstate.error.actor.')) {
        return `${type}(${kindOf((event as { error: unknown }).error)})`;
      }
      return type;
    })
    .join(' → ');
}

// --- The variants -------------------------------------------------------------------------

interface Variant {
  readonly name: string;
  readonly options: DevOptions;
  /** An empty or collapsed traversal must fail; the counts today are well above these. */
  readonly floor: number;
}

const variants: readonly Variant[] = [
  { name: 'foreground', options: baseOptions, floor: 400 },
  { name: 'detach', options: { ...baseOptions, mode: 'detach' }, floor: 200 },
  { name: 'foreground --keep-on-failure', options: { ...baseOptions, keepOnFailure: true }, floor: 250 },
  { name: 'detach --keep-on-failure', options: { ...baseOptions, mode: 'detach', keepOnFailure: true }, floor: 60 },
];

const isFinal = (snapshot: SessionSnapshot): boolean => snapshot.status === 'done';

const pathCache = new Map<Variant, readonly (readonly ModelStep[])[]>();

function pathsOf(variant: Variant): readonly (readonly ModelStep[])[] {
  const cached = pathCache.get(variant);
  if (cached !== undefined) return cached;
  const paths = getSimplePaths(devSessionMachine, { ...traversal(variant.options), toState: isFinal }).map(
    (path) => path.steps as unknown as readonly ModelStep[],
  );
  pathCache.set(variant, paths);
  return paths;
}

const checked: string[] = [];

afterAll(() => {
  console.log(`dev-session model paths checked: ${checked.join('; ')}`);
});

describe.each(variants)('every simple path to a final state ($name)', (variant) => {
  const paths = pathsOf(variant);

  it(`replays ${paths.length} paths; each ends final, tears down, exits per SPEC §5, leaves no child`, async () => {
    expect(paths.length).toBeGreaterThanOrEqual(variant.floor);

    for (const steps of paths) {
      const path = describePath(steps);
      try {
        const { final, output, fakes } = await replayPath(steps, {
          options: variant.options,
          deadlineMs: deadlineMs(variant.options),
          invokedIn,
        });
        const facts = factsOf(steps);

        // 1. a final state, with the machine's output
        expect(final.status).toBe('done');
        expect(finalStates).toContain(final.value);
        const finalState = final.value as (typeof finalStates)[number];
        expect(output?.finalState).toBe(finalState);
        expect(allowedFinalStates(facts, variant.options, fakes)).toContain(finalState);

        // 2. a stack that may exist gets torn down
        const startRan = fakes.started('start');
        const teardownRan = fakes.started('teardown') || fakes.started('forcedTeardown');
        const exempt =
          finalState === 'detached' ||
          finalState === 'abandoned' ||
          (variant.options.keepOnFailure && facts.startFailed);
        if (startRan && !exempt) expect(teardownRan).toBe(true);
        if (!startRan) expect(teardownRan).toBe(false);
        if (finalState === 'abandoned') expect(fakes.started('forcedTeardown')).toBe(true);

        // 3. the exit code of SPEC §5
        expect(output?.exitCode).toBe(expectedExitCode(finalState, facts));

        // 4. no child left running
        expect(fakes.live().map((run) => run.name)).toStrictEqual([]);
        expect(Object.keys(final.children)).toStrictEqual([]);

        // 5. the output says how to remove a stack that may be left: this session's, or a
        //    stale session's that was found but never reconciled
        const tornDown = fakes.succeeded('teardown') || fakes.succeeded('forcedTeardown');
        const staleLeft = fakes.started('reconcile') && !fakes.succeeded('reconcile');
        expect(output?.leftBehind !== undefined).toBe((startRan && !tornDown) || staleLeft);
      } catch (cause) {
        throw new Error(`${variant.name} path: ${path}\n${(cause as Error).message}`, { cause });
      }
    }
    checked.push(`${paths.length} (${variant.name})`);
  });
});

describe('the traversal itself', () => {
  it.each(variants)('reaches a final state from every reachable state ($name)', (variant) => {
    // getShortestPaths gives one path to every state the traversal can reach, final or not.
    const reachable = getShortestPaths(devSessionMachine, traversal(variant.options)).map((path) =>
      serializeSnapshot(path.state),
    );
    const onFinalPath = new Set(
      pathsOf(variant).flatMap((steps) => steps.map((step) => serializeSnapshot(step.state))),
    );
    expect(reachable.filter((state) => !onFinalPath.has(state))).toStrictEqual([]);
    expect(reachable.length).toBeGreaterThan(variant.floor / 4);
  });

  it('the paths, over all variants, visit every state of the machine', () => {
    // The replays check that the real machine passes through exactly the graph's states.
    const visited = new Set(
      variants.flatMap((variant) => pathsOf(variant).flatMap((steps) => steps.map((step) => stateName(step.state)))),
    );
    const all = getStateNodes(devSessionMachine.root)
      .filter((node) => node.type === 'atomic' || node.type === 'final')
      .map((node) => node.path.join('.'))
      .sort();
    expect([...visited].sort()).toStrictEqual(all);
    expect(Object.keys(model).sort()).toStrictEqual(all.filter((name) => !(finalStates as readonly string[]).includes(name)));
  });
});
