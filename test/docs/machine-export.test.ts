// The exports of `dev machine` are read from the machine definitions (src/machine-docs/):
// every state, every transition including eventless (`always`) and targetless ones, and the
// machine's own handlers (source `*`, "any state"); mermaid and dot draw parallel regions and
// composite states. The expectations are the current machines, transition by transition.
import { describeMachine, type MachineName } from '../../src/commands/machine-command.js';
import { parentOf, type MachineGraph } from '../../src/machine-docs/machine-graph.js';

type Exported = MachineGraph & { id: string; initial: string };
const exportOf = (name: MachineName): Exported => JSON.parse(describeMachine('json', name)) as Exported;
/** `source --event [guard]--> target`, `(stays)` for a targetless transition. */
const compact = (graph: MachineGraph): string[] =>
  graph.edges.map((e) => `${e.source} --${e.event}${e.guard === undefined ? '' : ` [${e.guard}]`}--> ${e.targetless ? '(stays)' : e.target}`);

describe('the session machine', () => {
  const session = exportOf('session');

  it('lists every state of SPEC §4 with its type, initial child and invoked actors', () => {
    expect([session.id, session.initial]).toStrictEqual(['devSession', 'validating']);
    expect(session.states.map((s) => [s.path, s.type, s.initial ?? '', s.invokes.join(',')].join(' ').trimEnd())).toStrictEqual([
      'validating atomic  validate',
      'claiming atomic  claim',
      'reconciling atomic  reconcile',
      'starting atomic  start',
      'waiting compound observing',
      'waiting.observing atomic  observeServices',
      'waiting.watching atomic',
      'waiting.resyncing atomic  observeServices',
      'ready atomic',
      'attached parallel',
      'attached.logs compound following',
      'attached.logs.following atomic  followLogs',
      'attached.logs.between atomic',
      'attached.engine compound seeding',
      'attached.engine.seeding atomic  observeServices',
      'attached.engine.watching atomic',
      'attached.engine.ended atomic',
      'attached.engine.draining atomic',
      'attached.engine.resyncing atomic  observeServices',
      'stopping compound graceful',
      'stopping.graceful atomic  teardown',
      'stopping.forced atomic  forcedTeardown',
      'rollingBack compound diagnosing',
      'rollingBack.diagnosing atomic  diagnose',
      'rollingBack.tearingDown atomic  teardown',
      'rollingBack.forced atomic  forcedTeardown',
      'detached final',
      'stopped final',
      'failed final',
      'abandoned final',
    ]);
  });

  it('lists every transition: events, done/error, named delays, eventless, and the root handlers', () => {
    expect(compact(session)).toStrictEqual([
      '* --ENGINE_EVENT--> (stays)',
      '* --SERVICE_CHANGED--> (stays)',
      '* --EVENTS_ENDED--> (stays)',
      'validating --STOP--> stopped',
      'validating --done: validate--> claiming',
      'validating --error: validate--> failed',
      'claiming --STOP--> stopped',
      'claiming --done: claim [foundStale]--> reconciling',
      'claiming --done: claim--> starting',
      'claiming --error: claim--> failed',
      'reconciling --STOP--> stopped',
      'reconciling --done: reconcile--> starting',
      'reconciling --error: reconcile--> failed',
      'reconciling --after: teardownDeadline--> failed',
      'starting --STOP--> stopping',
      'starting --EVENTS_ENDED--> (stays)',
      'starting --done: start [waits]--> waiting',
      'starting --done: start [isDetached]--> detached',
      'starting --done: start--> attached',
      'starting --error: start [createdNothing]--> failed',
      'starting --error: start--> rollingBack',
      'starting --after: startTimeout--> rollingBack',
      'waiting --STOP--> stopping',
      'waiting --after: waitTimeout--> rollingBack',
      'waiting --always [eventsKeepEnding]--> rollingBack',
      'waiting --always [anyFailed]--> rollingBack',
      'waiting.observing --EVENTS_ENDED--> waiting.resyncing',
      'waiting.observing --done: observeServices [eventsDown]--> waiting.watching',
      'waiting.observing --done: observeServices--> waiting.watching',
      'waiting.observing --error: observeServices--> waiting.watching',
      'waiting.watching --EVENTS_ENDED--> waiting.resyncing',
      'waiting.watching --always [allReady]--> ready',
      'waiting.resyncing --done: resync--> waiting.watching',
      'waiting.resyncing --error: resync--> rollingBack',
      'ready --always [isDetached]--> detached',
      'ready --always--> attached',
      'attached --STOP--> stopping',
      'attached --always [eventsKeepEnding]--> stopping',
      'attached.logs.following --LOGS_ENDED [logsAreLast]--> stopping',
      'attached.logs.following --LOGS_ENDED--> attached.logs.between',
      'attached.logs.following --error: followLogs--> stopping',
      'attached.logs.between --after: reattachDelay--> attached.logs.following',
      'attached.logs.between --always [logsAreLast]--> attached.logs.following',
      'attached.engine.seeding --EVENTS_ENDED--> attached.engine.resyncing',
      'attached.engine.seeding --done: observeServices [eventsDown]--> attached.engine.watching',
      'attached.engine.seeding --done: observeServices--> attached.engine.watching',
      'attached.engine.seeding --error: observeServices--> attached.engine.watching',
      'attached.engine.watching --EVENTS_ENDED--> attached.engine.resyncing',
      'attached.engine.watching --always [stackEnded]--> attached.engine.ended',
      'attached.engine.ended --EVENTS_ENDED--> attached.engine.resyncing',
      'attached.engine.ended --after: logDrainTimeout--> attached.engine.draining',
      'attached.engine.ended --always [not(stackEnded)]--> attached.engine.watching',
      'attached.engine.draining --EVENTS_ENDED--> attached.engine.resyncing',
      'attached.engine.draining --after: logDrainDeadline--> stopping',
      'attached.engine.draining --always [not(stackEnded)]--> attached.engine.watching',
      'attached.engine.resyncing --done: resync--> attached.engine.watching',
      'attached.engine.resyncing --error: resync--> stopping',
      'stopping.graceful --STOP--> stopping.forced',
      'stopping.graceful --done: teardown--> stopped',
      'stopping.graceful --error: teardown--> failed',
      'stopping.graceful --after: teardownDeadline--> stopping.forced',
      'stopping.forced --STOP--> (stays)',
      'stopping.forced --done: forcedTeardown--> stopped',
      'stopping.forced --error: forcedTeardown--> failed',
      'stopping.forced --after: forcedTeardownDeadline--> abandoned',
      'rollingBack.diagnosing --STOP [keepOnFailure]--> failed',
      'rollingBack.diagnosing --STOP--> rollingBack.tearingDown',
      'rollingBack.diagnosing --done: diagnose [keepOnFailure]--> failed',
      'rollingBack.diagnosing --done: diagnose--> rollingBack.tearingDown',
      'rollingBack.diagnosing --error: diagnose [keepOnFailure]--> failed',
      'rollingBack.diagnosing --error: diagnose--> rollingBack.tearingDown',
      'rollingBack.diagnosing --after: diagnoseDeadline [keepOnFailure]--> failed',
      'rollingBack.diagnosing --after: diagnoseDeadline--> rollingBack.tearingDown',
      'rollingBack.tearingDown --STOP--> rollingBack.forced',
      'rollingBack.tearingDown --done: teardown--> failed',
      'rollingBack.tearingDown --error: teardown--> failed',
      'rollingBack.tearingDown --after: teardownDeadline--> rollingBack.forced',
      'rollingBack.forced --STOP--> (stays)',
      'rollingBack.forced --done: forcedTeardown--> failed',
      'rollingBack.forced --error: forcedTeardown--> failed',
      'rollingBack.forced --after: forcedTeardownDeadline--> abandoned',
    ]);
  });

  it('a targetless transition stays in its own state, and only those are marked targetless', () => {
    expect(session.edges.filter((e) => (e.target === e.source) !== (e.targetless === true))).toStrictEqual([]);
    expect(session.edges.filter((e) => e.targetless === true).map((e) => `${e.source} ${e.event}`)).toStrictEqual([
      '* ENGINE_EVENT',
      '* SERVICE_CHANGED',
      '* EVENTS_ENDED',
      'starting EVENTS_ENDED',
      // A STOP cannot cut a forced teardown short (its own bound ends it).
      'stopping.forced STOP',
      'rollingBack.forced STOP',
    ]);
  });

  it('every leaf it can rest in handles STOP, itself or through an ancestor (not the finals, nor transient `ready`)', () => {
    const ancestors = (path: string): string[] => {
      const parent = parentOf(path);
      return parent === undefined ? [path] : [path, ...ancestors(parent)];
    };
    // A leaf with an unguarded `always` is only passed through.
    const transient = session.edges.filter((e) => e.event === 'always' && e.guard === undefined).map((e) => e.source);
    expect(transient).toStrictEqual(['ready']);
    const leaves = session.states.filter((s) => s.type === 'atomic' && !transient.includes(s.path)).map((s) => s.path);
    const unhandled = leaves.filter((leaf) => !ancestors(leaf).some((p) => session.edges.some((e) => e.source === p && e.event.startsWith('STOP'))));
    expect(unhandled).toStrictEqual([]);
  });

  it('mermaid nests composite states, divides the parallel regions of attached, and hangs the root handlers off `any state`', () => {
    const mermaid = describeMachine('mermaid', 'session');
    const lines = mermaid.split('\n');
    expect(lines.slice(0, 3)).toStrictEqual(['stateDiagram-v2', '  [*] --> validating', '  state "any state" as __any']);
    const from = lines.indexOf('  state "attached" as attached {');
    expect(lines.slice(from, from + 18)).toStrictEqual([
      '  state "attached" as attached {',
      '    state "logs" as attached_logs {',
      '      [*] --> attached_logs_following',
      '      state "following" as attached_logs_following',
      '      state "between" as attached_logs_between',
      '    }',
      '    --',
      '    state "engine" as attached_engine {',
      '      [*] --> attached_engine_seeding',
      '      state "seeding" as attached_engine_seeding',
      '      state "watching" as attached_engine_watching',
      '      state "ended" as attached_engine_ended',
      '      state "draining" as attached_engine_draining',
      '      state "resyncing" as attached_engine_resyncing',
      '    }',
      '  }',
      '  state "stopping" as stopping {',
      '    [*] --> stopping_graceful',
    ]);
    for (const line of [
      '  __any --> __any: ENGINE_EVENT',
      '  __any --> __any: SERVICE_CHANGED',
      '  __any --> __any: EVENTS_ENDED',
      '  waiting_watching --> ready: always [allReady]',
      '  ready --> detached: always [isDetached]',
      '  ready --> attached: always',
      '  attached --> stopping: always [eventsKeepEnding]',
      '  attached_engine_watching --> attached_engine_ended: always [stackEnded]',
      '  starting --> starting: EVENTS_ENDED',
      '  attached_engine_seeding --> attached_engine_watching: done: observeServices [eventsDown]',
      '  attached_engine_ended --> attached_engine_watching: always [not(stackEnded)]',
    ]) {
      expect(lines).toContain(line);
    }
    // One line per transition, after the declarations.
    expect(lines.filter((line) => / --> [^[]/.test(line) && !line.includes('[*]'))).toHaveLength(session.edges.length);
  });

  it('dot clusters the composite states (the parallel regions dashed inside attached) and clips edges at them', () => {
    const dot = describeMachine('dot', 'session');
    expect(dot.split('\n').slice(0, 6)).toStrictEqual([
      'digraph "devSession" {',
      '  rankdir=LR;',
      '  compound=true;',
      '  node [shape=box, style=rounded];',
      '  __start [shape=point];',
      '  "*" [label="any state", shape=plaintext];',
    ]);
    expect(dot).toContain(
      [
        '  subgraph "cluster_attached" {',
        '    label="attached (parallel)";',
        '    subgraph "cluster_attached.logs" {',
        '      label="logs";',
        '      style=dashed;',
        '      "attached.logs.following" [label="following"];',
        '      "attached.logs.between" [label="between"];',
        '    }',
        '    subgraph "cluster_attached.engine" {',
        '      label="engine";',
        '      style=dashed;',
        '      "attached.engine.seeding" [label="seeding"];',
        '      "attached.engine.watching" [label="watching"];',
        '      "attached.engine.ended" [label="ended"];',
        '      "attached.engine.draining" [label="draining"];',
        '      "attached.engine.resyncing" [label="resyncing"];',
        '    }',
        '  }',
      ].join('\n'),
    );
    for (const line of [
      '  __start -> "validating";',
      '  "*" -> "*" [label="ENGINE_EVENT"];',
      '  "ready" -> "attached.logs.following" [label="always", lhead="cluster_attached"];',
      '  "attached.logs.following" -> "stopping.graceful" [label="STOP", ltail="cluster_attached", lhead="cluster_stopping"];',
      '  "attached.logs.following" -> "stopping.graceful" [label="LOGS_ENDED [logsAreLast]", lhead="cluster_stopping"];',
      '  "attached.engine.ended" -> "attached.engine.watching" [label="always [not(stackEnded)]"];',
      '  "waiting.watching" -> "ready" [label="always [allReady]"];',
      '  "waiting.observing" -> "rollingBack.diagnosing" [label="always [anyFailed]", ltail="cluster_waiting", lhead="cluster_rollingBack"];',
    ]) {
      expect(dot.split('\n')).toContain(line);
    }
  });
});

describe('the service machine', () => {
  const service = exportOf('service');

  it('handles the engine events in any state (the machine root), and a death while stopping in stopping (→ stopped)', () => {
    expect(compact(service)).toStrictEqual([
      '* --CREATE--> created',
      '* --START [hasHealthcheck]--> starting',
      '* --START--> running',
      '* --DIE [otherContainersLive]--> (stays)',
      '* --DIE [willRestart]--> restarting',
      '* --DIE--> exited',
      '* --HEALTHY--> healthy',
      '* --UNHEALTHY--> unhealthy',
      '* --KILL--> stopping',
      '* --DESTROY--> removed',
      '* --OBSERVED [observedRestarting]--> restarting',
      '* --OBSERVED [observedExited]--> exited',
      '* --OBSERVED [observedCreated]--> created',
      '* --OBSERVED [observedHealthy]--> healthy',
      '* --OBSERVED [observedUnhealthy]--> unhealthy',
      '* --OBSERVED [observedStarting]--> starting',
      '* --OBSERVED [observedRunning]--> running',
      'stopping --DIE [otherContainersLive]--> (stays)',
      'stopping --DIE--> stopped',
    ]);
  });

  it('prints as this mermaid diagram', () => {
    expect(describeMachine('mermaid', 'service')).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> pending',
        '  state "any state" as __any',
        ...['pending', 'created', 'starting', 'running', 'healthy', 'unhealthy', 'stopping', 'stopped', 'restarting', 'exited', 'removed'].map(
          (state) => `  state "${state}" as ${state}`,
        ),
        '  __any --> created: CREATE',
        '  __any --> starting: START [hasHealthcheck]',
        '  __any --> running: START',
        '  __any --> __any: DIE [otherContainersLive]',
        '  __any --> restarting: DIE [willRestart]',
        '  __any --> exited: DIE',
        '  __any --> healthy: HEALTHY',
        '  __any --> unhealthy: UNHEALTHY',
        '  __any --> stopping: KILL',
        '  __any --> removed: DESTROY',
        '  __any --> restarting: OBSERVED [observedRestarting]',
        '  __any --> exited: OBSERVED [observedExited]',
        '  __any --> created: OBSERVED [observedCreated]',
        '  __any --> healthy: OBSERVED [observedHealthy]',
        '  __any --> unhealthy: OBSERVED [observedUnhealthy]',
        '  __any --> starting: OBSERVED [observedStarting]',
        '  __any --> running: OBSERVED [observedRunning]',
        '  stopping --> stopping: DIE [otherContainersLive]',
        '  stopping --> stopped: DIE',
        '',
      ].join('\n'),
    );
  });
});

describe.each(['session', 'down', 'service'] as const)('the %s machine in dot', (name) => {
  it('declares every non-composite state and draws one edge per transition, plus the initial arrow', () => {
    const graph = exportOf(name);
    const dot = describeMachine('dot', name);
    for (const state of graph.states.filter((s) => s.type === 'atomic' || s.type === 'final')) expect(dot).toContain(`"${state.path}" [label=`);
    for (const state of graph.states.filter((s) => s.type === 'compound' || s.type === 'parallel')) expect(dot).toContain(`subgraph "cluster_${state.path}" {`);
    expect(dot.match(/ -> /g)).toHaveLength(graph.edges.length + 1);
  });
});
