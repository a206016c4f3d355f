// L2: model-based paths through one service's machine (machines/service.machine.ts; issue 11
// item 9, STYLE §6), for six specs: healthcheck yes/no × restart no / always / on-failure:1.
//
// Two traversals of the real machine's `transition` (xstate/graph), per spec:
//   - getShortestPaths over every event the service can get, from any state, with payloads:
//     CREATE, START, DIE {exitCode 0 and 1}, HEALTHY, UNHEALTHY, KILL, DESTROY, and OBSERVED for
//     each thing one `ps` read can say (running with each health, created, restarting, exited 0
//     and 2, and `paused`, which it has no mapping for): one path to every reachable state;
//   - getSimplePaths over the stories the engine tells (create, start, health checks, deaths,
//     restarts, compose stopping it and maybe starting it again, removal), a state told apart
//     by its name and restart count:
//     every way a container's life can go, the restart loop included.
// Bounding: START is offered only while fewer than 2 restarts were counted, so the restart
// loop of `always` ends. The graph is walked with the parent report stubbed (a standalone
// machine has no parent to send to); it is pure, so this changes no transition.
//
// Each path is replayed on a real service actor spawned by a small parent that forwards the
// events and keeps every SERVICE_CHANGED. After every step the service's state and context must
// equal the graph's, and its state and last reported status (ready, active, failed, exit code,
// restarts, container) must equal what `expect` below works out from the events and the restart
// policy alone — SPEC §4 restated, without the machine's own `statusOf`.
import { assign, createActor, sendTo, setup, type SnapshotFrom } from 'xstate';
import { getShortestPaths, getSimplePaths, serializeSnapshot } from 'xstate/graph';
import { serviceMachine, type ObservedContainer, type ServiceChanged, type ServiceEvent } from '../../machines/service.machine.js';
import type { RestartPolicy, ServiceSpec, ServiceState, ServiceStatus } from '../../machines/service.types.js';

type ServiceSnapshot = SnapshotFrom<typeof serviceMachine>;
interface Step {
  readonly event: ServiceEvent | { readonly type: 'xstate.init' };
  readonly state: ServiceSnapshot;
}

const container = 'shop-svc-1';
const maxRestarts = 2;

// --- The events, with payloads -------------------------------------------------------------

const create: ServiceEvent = { type: 'CREATE', container };
const start: ServiceEvent = { type: 'START', container };
const die = (exitCode: number): ServiceEvent => ({ type: 'DIE', container, exitCode });
const healthy: ServiceEvent = { type: 'HEALTHY', container };
const unhealthy: ServiceEvent = { type: 'UNHEALTHY', container };
const kill: ServiceEvent = { type: 'KILL', container };
const destroy: ServiceEvent = { type: 'DESTROY', container };
const observed = (state: string, health = '', exitCode = 0): ServiceEvent => ({
  type: 'OBSERVED',
  container: { container, state, health, exitCode },
});
const observations: readonly ServiceEvent[] = [
  observed('running'),
  observed('running', 'healthy'),
  observed('running', 'unhealthy'),
  observed('running', 'starting'),
  observed('created'),
  observed('restarting', '', 1),
  observed('exited', '', 0),
  observed('exited', '', 2),
  observed('paused'),
];

/** START, while the restart loop is within its bound. */
const starts = (snapshot: ServiceSnapshot): readonly ServiceEvent[] => (snapshot.context.restarts < maxRestarts ? [start] : []);

/** Every event the machine handles, in any state. */
const anyEvent = (snapshot: ServiceSnapshot): readonly ServiceEvent[] => [
  create,
  ...starts(snapshot),
  die(0),
  die(1),
  healthy,
  unhealthy,
  kill,
  destroy,
  ...observations,
];

/** What the engine says next of one container, by the state the service is in. */
function engineStory(snapshot: ServiceSnapshot): readonly ServiceEvent[] {
  const state = snapshot.value as ServiceState;
  switch (state) {
    case 'pending':
      return [create];
    case 'created':
      return starts(snapshot);
    case 'starting':
      return [healthy, unhealthy, die(0), die(1), kill];
    case 'running':
      return [die(0), die(1), kill];
    case 'healthy':
      return [unhealthy, die(0), die(1), kill];
    case 'unhealthy':
      return [die(1), kill];
    case 'stopping':
      return [die(0), die(137)];
    case 'restarting':
      return [...starts(snapshot), kill];
    // Stopped by someone: `compose restart` starts it again, `compose down` removes it.
    case 'stopped':
      return [...starts(snapshot), destroy];
    case 'exited':
      return [destroy];
    case 'removed':
      return [];
  }
}

// --- The expectation, from SPEC §4 and the restart policy alone ----------------------------

interface Expected {
  readonly state: ServiceState;
  readonly exitCode: number | undefined;
  readonly restarts: number;
  readonly container: string | undefined;
}

/** Docker's restart policies: `on-failure:N` restarts a non-zero exit at most N times. */
function engineRestarts(policy: RestartPolicy, exitCode: number, restartsSoFar: number): boolean {
  switch (policy.kind) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'no':
      return false;
    case 'on-failure':
      return exitCode !== 0 && restartsSoFar < (policy.maxRetries ?? Number.POSITIVE_INFINITY);
  }
}

/** Where the service is after `event`. */
function next(spec: ServiceSpec, was: Expected, event: ServiceEvent): Expected {
  const at = (state: ServiceState, changes: Partial<Expected> = {}): Expected => ({ ...was, state, container, ...changes });
  switch (event.type) {
    case 'CREATE':
      return at('created');
    // A start after any death (by the policy or by hand) is a restart.
    case 'START':
      return at(spec.healthcheck ? 'starting' : 'running', { restarts: was.exitCode === undefined ? was.restarts : was.restarts + 1 });
    case 'DIE': {
      // Stopped on purpose (compose stop/restart/down, docker stop): stopped, whatever the
      // policy and exit code; it is not the service ending by itself.
      if (was.state === 'stopping') return at('stopped', { exitCode: event.exitCode });
      const restarting = engineRestarts(spec.restart, event.exitCode, was.restarts);
      return at(restarting ? 'restarting' : 'exited', { exitCode: event.exitCode });
    }
    case 'HEALTHY':
      return at('healthy');
    case 'UNHEALTHY':
      return at('unhealthy');
    case 'KILL':
      return at('stopping');
    case 'DESTROY':
      return at('removed');
    case 'OBSERVED':
      return seen(was, event.container, at);
  }
}

/** Where one `ps` read puts the service; a state compose has no mapping for changes nothing. */
function seen(was: Expected, ps: ObservedContainer, at: (state: ServiceState, changes?: Partial<Expected>) => Expected): Expected {
  if (ps.state === 'restarting') return at('restarting', { exitCode: ps.exitCode });
  if (ps.state === 'exited' || ps.state === 'dead') return at('exited', { exitCode: ps.exitCode });
  if (ps.state === 'created') return at('created');
  if (ps.state !== 'running') return was;
  if (ps.health === 'healthy') return at('healthy');
  if (ps.health === 'unhealthy') return at('unhealthy');
  if (ps.health === 'starting') return at('starting');
  return at('running');
}

/** The status SPEC §4 gives a service in `where`. */
function expectedStatus(spec: ServiceSpec, where: Expected): ServiceStatus {
  const { state, exitCode } = where;
  return {
    service: spec.name,
    state,
    ready: state === 'healthy' || (state === 'running' && !spec.healthcheck) || (state === 'exited' && exitCode === 0),
    active: state !== 'exited' && state !== 'stopped' && state !== 'removed',
    failed: state === 'unhealthy' || (state === 'exited' && exitCode !== 0),
    exitCode,
    restarts: where.restarts,
    container: where.container,
    healthcheck: spec.healthcheck,
  };
}

// --- The replay -------------------------------------------------------------------------------

const parentMachine = setup({
  types: {
    context: {} as { readonly spec: ServiceSpec; readonly reports: readonly ServiceStatus[] },
    events: {} as ServiceChanged | { readonly type: 'TO_SERVICE'; readonly event: ServiceEvent },
    input: {} as ServiceSpec,
  },
  actors: { service: serviceMachine },
}).createMachine({
  context: ({ input }) => ({ spec: input, reports: [] }),
  invoke: { id: 'service', src: 'service', input: ({ context }) => context.spec },
  on: {
    SERVICE_CHANGED: { actions: assign({ reports: ({ context, event }) => [...context.reports, event.status] }) },
    TO_SERVICE: { actions: sendTo('service', ({ event }) => event.event) },
  },
});

const describeStep = (event: Step['event']): string =>
  event.type === 'DIE' ? `DIE(${event.exitCode})` : event.type === 'OBSERVED' ? `OBSERVED(${event.container.state}/${event.container.health || '-'}/${event.container.exitCode})` : event.type;

/**
 * Replays `steps` on a real service actor; throws, naming the step, at the first departure.
 * `key` is how the traversal told states apart: the graph's snapshot of a step is the first one
 * it met under that key, so only the key can be compared.
 */
function replay(spec: ServiceSpec, steps: readonly Step[], key: (snapshot: ServiceSnapshot) => string = serializeSnapshot): { readonly final: ServiceSnapshot; readonly expected: Expected; readonly reports: readonly ServiceStatus[] } {
  const parent = createActor(parentMachine, { input: spec });
  parent.start();
  const child = (): ServiceSnapshot => {
    const ref = parent.getSnapshot().children['service'];
    if (ref === undefined) throw new Error('the service machine is not running');
    return ref.getSnapshot() as ServiceSnapshot;
  };
  let expected: Expected = { state: 'pending', exitCode: undefined, restarts: 0, container: undefined };
  const story: string[] = [];
  steps.forEach((step, index) => {
    if (step.event.type !== 'xstate.init') {
      parent.send({ type: 'TO_SERVICE', event: step.event });
      expected = next(spec, expected, step.event);
    }
    story.push(describeStep(step.event));
    const real = child();
    const where = `${spec.name} ${story.join(' → ')}`;
    if (key(real) !== key(step.state)) {
      throw new Error(`${where}: graph says ${key(step.state)}, machine is ${key(real)}`);
    }
    const reported = parent.getSnapshot().context.reports.at(-1);
    const want = expectedStatus(spec, expected);
    if (real.value !== expected.state || JSON.stringify(reported) !== JSON.stringify(want)) {
      throw new Error(`${where} (step ${index}): expected ${JSON.stringify(want)}, machine is ${String(real.value)} and reported ${JSON.stringify(reported)}`);
    }
  });
  const final = child();
  const reports = parent.getSnapshot().context.reports;
  parent.stop();
  return { final, expected, reports };
}

// --- The specs and their paths -----------------------------------------------------------------

const policies: readonly RestartPolicy[] = [{ kind: 'no' }, { kind: 'always' }, { kind: 'on-failure', maxRetries: 1 }];
const specs: readonly ServiceSpec[] = [true, false].flatMap((healthcheck) =>
  policies.map((restart) => ({
    name: `${healthcheck ? 'checked' : 'plain'}-${restart.kind}${restart.maxRetries === undefined ? '' : `-${restart.maxRetries}`}`,
    healthcheck,
    restart,
    profiled: false,
  })),
);

// A standalone service machine has no parent: the graph walks it with the report stubbed.
const graphMachine = serviceMachine.provide({ actions: { report: () => undefined } });
type Traversal = NonNullable<Parameters<typeof getShortestPaths<typeof serviceMachine>>[1]>;
const byNameAndRestarts = (snapshot: ServiceSnapshot): string => `${String(snapshot.value)}/${snapshot.context.restarts}`;

const shortestPaths = (spec: ServiceSpec): readonly (readonly Step[])[] =>
  getShortestPaths(graphMachine, { input: spec, events: anyEvent as unknown as Traversal['events'] }).map(
    (path) => path.steps as unknown as readonly Step[],
  );
const simplePaths = (spec: ServiceSpec): readonly (readonly Step[])[] =>
  getSimplePaths(graphMachine, {
    input: spec,
    events: engineStory as unknown as Traversal['events'],
    serializeState: byNameAndRestarts as unknown as Traversal['serializeState'],
  }).map((path) => path.steps as unknown as readonly Step[]);

/**
 * The paths no other path extends. Every prefix of a simple path is one too, and the replay checks
 * every step, so replaying these checks every path.
 */
function maximal(paths: readonly (readonly Step[])[]): readonly (readonly Step[])[] {
  const keyOf = (steps: readonly Step[]): string => steps.map((step) => JSON.stringify(step.event)).join(' ');
  const extended = new Set(paths.map((steps) => keyOf(steps.slice(0, -1))));
  return paths.filter((steps) => !extended.has(keyOf(steps)));
}

const traversals = specs.map((spec) => {
  const simple = simplePaths(spec);
  return { spec, shortest: shortestPaths(spec), simple, replayed: maximal(simple) };
});
const counts = traversals
  .map(({ spec, shortest, simple, replayed }) => `${spec.name}: ${shortest.length} shortest, ${simple.length} simple in ${replayed.length} maximal`)
  .join('; ');

describe(`service machine paths (${counts})`, () => {
  it.each(traversals.map((t) => [t.spec.name, t] as const))('%s: every shortest path (one per reachable state) replays as SPEC §4 says', (_, { spec, shortest }) => {
    expect(shortest.length).toBeGreaterThanOrEqual(100);
    const finals = new Set<string>();
    for (const steps of shortest) {
      const { final, expected } = replay(spec, steps);
      expect(final.value).toBe(expected.state);
      finals.add(String(final.value));
    }
    // Every state of the machine is reached.
    expect([...finals].sort()).toStrictEqual(['created', 'exited', 'healthy', 'pending', 'removed', 'restarting', 'running', 'starting', 'stopped', 'stopping', 'unhealthy']);
  });

  it.each(traversals.map((t) => [t.spec.name, t] as const))('%s: every simple path of the engine stories replays as SPEC §4 says, step by step', (_, { spec, simple, replayed }) => {
    expect(simple.length).toBeGreaterThanOrEqual(10);
    // Each simple path is a maximal one or a prefix of one.
    const prefixes = new Set(replayed.flatMap((steps) => steps.map((_step, i) => JSON.stringify(steps.slice(0, i + 1).map((s) => s.event)))));
    expect(simple.filter((steps) => !prefixes.has(JSON.stringify(steps.map((s) => s.event))))).toStrictEqual([]);
    for (const steps of replayed) {
      const { final, expected } = replay(spec, steps, byNameAndRestarts);
      expect(final.value).toBe(expected.state);
    }
  });
});

// A few stories spelled out, so the expectation above is seen to say what SPEC §4 says.
describe('stories the simple paths hold, with their outcome', () => {
  const storyOf = (spec: ServiceSpec, events: readonly ServiceEvent[]) => {
    const path = traversals
      .find((t) => t.spec === spec)
      ?.simple.find((steps) => steps.length === events.length + 1 && events.every((event, i) => JSON.stringify(steps[i + 1]?.event) === JSON.stringify(event)));
    if (path === undefined) throw new Error(`no simple path ${events.map(describeStep).join(' → ')} for ${spec.name}`);
    return replay(spec, path, byNameAndRestarts).reports.at(-1);
  };
  const [checkedNo, checkedAlways, checkedOnFailure, plainNo, plainAlways, plainOnFailure] = specs as [ServiceSpec, ServiceSpec, ServiceSpec, ServiceSpec, ServiceSpec, ServiceSpec];

  it('a one-shot that exits 0 is ready and done; exiting 1 it has failed', () => {
    expect(storyOf(plainNo, [create, start, die(0)])).toMatchObject({ state: 'exited', ready: true, active: false, failed: false, exitCode: 0, restarts: 0 });
    expect(storyOf(plainNo, [create, start, die(1)])).toMatchObject({ state: 'exited', ready: false, active: false, failed: true, exitCode: 1, restarts: 0 });
  });

  it('on-failure:1 restarts once after a failure, and the second failure is for good; an exit 0 is never restarted', () => {
    expect(storyOf(plainOnFailure, [create, start, die(1), start, die(1)])).toMatchObject({ state: 'exited', failed: true, active: false, exitCode: 1, restarts: 1 });
    expect(storyOf(checkedOnFailure, [create, start, die(1)])).toMatchObject({ state: 'restarting', failed: false, active: true, exitCode: 1, restarts: 0 });
    expect(storyOf(plainOnFailure, [create, start, die(0)])).toMatchObject({ state: 'exited', ready: true, failed: false, exitCode: 0 });
  });

  it('always restarts every death, until compose stops it: then it is stopped, neither active nor failed', () => {
    expect(storyOf(plainAlways, [create, start, die(0), start, die(1), start])).toMatchObject({ state: 'running', ready: true, active: true, exitCode: 1, restarts: 2 });
    expect(storyOf(checkedAlways, [create, start, healthy, kill, die(137)])).toStrictEqual({
      service: 'checked-always', state: 'stopped', ready: false, active: false, failed: false, exitCode: 137, restarts: 0, container, healthcheck: true,
    });
  });

  it('`compose restart`: stopped, then started again, counted as a restart', () => {
    expect(storyOf(plainNo, [create, start, kill, die(137), start])).toStrictEqual({
      service: 'plain-no', state: 'running', ready: true, active: true, failed: false, exitCode: 137, restarts: 1, container, healthcheck: false,
    });
    expect(storyOf(checkedOnFailure, [create, start, healthy, kill, die(0), start])).toMatchObject({ state: 'starting', ready: false, active: true, failed: false, restarts: 1 });
  });

  it('with a healthcheck, ready means healthy: starting is not, unhealthy has failed while still active', () => {
    expect(storyOf(checkedNo, [create, start])).toMatchObject({ state: 'starting', ready: false, failed: false, active: true });
    expect(storyOf(checkedNo, [create, start, healthy])).toMatchObject({ state: 'healthy', ready: true });
    expect(storyOf(checkedNo, [create, start, healthy, unhealthy])).toMatchObject({ state: 'unhealthy', ready: false, failed: true, active: true });
  });

  it('removed after it was stopped or exited: neither active nor failed', () => {
    expect(storyOf(checkedNo, [create, start, kill, die(0), destroy])).toMatchObject({ state: 'removed', ready: false, active: false, failed: false, exitCode: 0 });
    expect(storyOf(plainNo, [create, start, die(1), destroy])).toMatchObject({ state: 'removed', ready: false, active: false, failed: false, exitCode: 1 });
  });
});
