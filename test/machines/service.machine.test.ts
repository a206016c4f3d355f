// L1: one service's machine (machines/service.machine.ts), driven by the engine's events
// through a tiny parent that forwards them and keeps every SERVICE_CHANGED it reports.
import { assign, createActor, sendTo, setup } from 'xstate';
import {
  serviceEventOf,
  serviceMachine,
  statusOf,
  type ObservedContainer,
  type ServiceChanged,
  type ServiceContext,
  type ServiceEvent,
} from '../../machines/service.machine.js';
import { waitingFor, type RestartPolicy, type ServiceSpec, type ServiceState, type ServiceStatus } from '../../machines/service.types.js';

function spec(name: string, overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return { name, healthcheck: false, restart: { kind: 'no' }, profiled: false, ...overrides };
}

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

interface Service {
  send(event: ServiceEvent): void;
  /** The service machine's state. */
  state(): unknown;
  context(): ServiceContext;
  /** Every status it reported, in order. */
  reports(): readonly ServiceStatus[];
  /** The last status it reported. */
  last(): ServiceStatus;
}

function startService(input: ServiceSpec): Service {
  const parent = createActor(parentMachine, { input });
  parent.start();
  const child = () => {
    const ref = parent.getSnapshot().children['service'];
    if (ref === undefined) throw new Error('the service machine is not running');
    return ref.getSnapshot();
  };
  const reports = () => parent.getSnapshot().context.reports;
  return {
    send: (event) => parent.send({ type: 'TO_SERVICE', event }),
    state: () => child().value,
    context: () => child().context,
    reports,
    last: () => {
      const last = reports().at(-1);
      if (last === undefined) throw new Error('no report yet');
      return last;
    },
  };
}

/** The status a service `name` reports; every field given, so each test states what it expects. */
function status(
  name: string,
  state: ServiceState,
  fields: Omit<ServiceStatus, 'service' | 'state'>,
): ServiceStatus {
  return { service: name, state, ...fields };
}

const create = (container = 'c1'): ServiceEvent => ({ type: 'CREATE', container });
const start = (container = 'c1'): ServiceEvent => ({ type: 'START', container });
const die = (exitCode: number, container = 'c1'): ServiceEvent => ({ type: 'DIE', container, exitCode });
const healthy = (container = 'c1'): ServiceEvent => ({ type: 'HEALTHY', container });
const unhealthy = (container = 'c1'): ServiceEvent => ({ type: 'UNHEALTHY', container });
const kill = (container = 'c1'): ServiceEvent => ({ type: 'KILL', container });
const destroy = (container = 'c1'): ServiceEvent => ({ type: 'DESTROY', container });
const observed = (fields: Partial<ObservedContainer>): ServiceEvent => ({
  type: 'OBSERVED',
  container: { container: 'c9', state: 'running', health: '', exitCode: 0, ...fields },
});

describe('a service without a healthcheck', () => {
  it('reports pending when spawned, then created, then running (ready)', () => {
    const s = startService(spec('api'));
    expect(s.state()).toBe('pending');
    expect(s.reports()).toStrictEqual([
      status('api', 'pending', { ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: undefined, healthcheck: false }),
    ]);

    s.send(create());
    expect(s.state()).toBe('created');
    s.send(start());
    expect(s.state()).toBe('running');
    expect(s.reports().slice(1)).toStrictEqual([
      status('api', 'created', { ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'c1', healthcheck: false }),
      status('api', 'running', { ready: true, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'c1', healthcheck: false }),
    ]);
    expect(s.context().live).toStrictEqual(['c1']);
  });

  it('a one-shot (restart: no) that exits 0 is done: exited, ready, not failed, no longer active', () => {
    const s = startService(spec('migrate'));
    s.send(create());
    s.send(start());
    s.send(die(0));
    expect(s.state()).toBe('exited');
    expect(s.last()).toStrictEqual(
      status('migrate', 'exited', { ready: true, active: false, failed: false, exitCode: 0, restarts: 0, container: 'c1', healthcheck: false }),
    );
    expect(s.context().live).toStrictEqual([]);
  });

  it.each([1, 2, 137])('a one-shot that exits %i has failed for good', (code) => {
    const s = startService(spec('migrate'));
    s.send(start());
    s.send(die(code));
    expect(s.state()).toBe('exited');
    expect(s.last()).toStrictEqual(
      status('migrate', 'exited', { ready: false, active: false, failed: true, exitCode: code, restarts: 0, container: 'c1', healthcheck: false }),
    );
  });

  it('takes a health event from the engine at its word', () => {
    // The engine only sends health_status for containers with a healthcheck; the machine takes it at its word.
    const s = startService(spec('api'));
    s.send(start());
    s.send(healthy());
    expect(s.state()).toBe('healthy');
    expect(s.last().ready).toBe(true);
  });
});

describe('a service with a healthcheck', () => {
  it('goes starting (not ready) → healthy (ready) → unhealthy (failed, still active) → healthy again', () => {
    const s = startService(spec('db', { healthcheck: true }));
    s.send(create());
    s.send(start());
    expect(s.state()).toBe('starting');
    expect(s.last()).toStrictEqual(
      status('db', 'starting', { ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'c1', healthcheck: true }),
    );

    s.send(healthy());
    expect(s.state()).toBe('healthy');
    expect(s.last()).toStrictEqual(
      status('db', 'healthy', { ready: true, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'c1', healthcheck: true }),
    );

    s.send(unhealthy());
    expect(s.state()).toBe('unhealthy');
    expect(s.last()).toStrictEqual(
      status('db', 'unhealthy', { ready: false, active: true, failed: true, exitCode: undefined, restarts: 0, container: 'c1', healthcheck: true }),
    );

    s.send(healthy());
    expect(s.state()).toBe('healthy');
    expect(s.reports().map((r) => r.state)).toStrictEqual(['pending', 'created', 'starting', 'healthy', 'unhealthy', 'healthy']);
  });

  it('running is not ready while the healthcheck has not passed (a service with a healthcheck is never `running`)', () => {
    const s = startService(spec('db', { healthcheck: true }));
    s.send(start());
    expect(s.state()).toBe('starting');
    expect(statusOf('running', s.context()).ready).toBe(false);
  });
});

describe('restart policies: a death the engine will follow with a start is `restarting`, not `exited`', () => {
  it.each<[RestartPolicy, number]>([
    [{ kind: 'always' }, 0],
    [{ kind: 'always' }, 1],
    [{ kind: 'unless-stopped' }, 0],
    [{ kind: 'unless-stopped' }, 3],
    [{ kind: 'on-failure' }, 1],
    [{ kind: 'on-failure', maxRetries: 1 }, 1],
  ])('%j, exit %i → restarting (active, not failed)', (restart, code) => {
    const s = startService(spec('worker', { restart }));
    s.send(start());
    s.send(die(code));
    expect(s.state()).toBe('restarting');
    expect(s.last()).toStrictEqual(
      status('worker', 'restarting', { ready: false, active: true, failed: false, exitCode: code, restarts: 0, container: 'c1', healthcheck: false }),
    );
  });

  it.each<[RestartPolicy, number]>([
    [{ kind: 'no' }, 1],
    [{ kind: 'on-failure' }, 0],
    [{ kind: 'on-failure', maxRetries: 3 }, 0],
    [{ kind: 'on-failure', maxRetries: 0 }, 1],
  ])('%j, exit %i → exited for good', (restart, code) => {
    const s = startService(spec('worker', { restart }));
    s.send(start());
    s.send(die(code));
    expect(s.state()).toBe('exited');
    expect(s.last().active).toBe(false);
  });

  it('counts each start after a death as a restart, and reports the count', () => {
    const s = startService(spec('api', { restart: { kind: 'always' } }));
    s.send(start());
    expect(s.last().restarts).toBe(0);
    s.send(die(1));
    s.send(start());
    expect(s.state()).toBe('running');
    expect(s.last()).toStrictEqual(
      status('api', 'running', { ready: true, active: true, failed: false, exitCode: 1, restarts: 1, container: 'c1', healthcheck: false }),
    );
    s.send(die(2));
    s.send(start());
    expect(s.last().restarts).toBe(2);
    expect(s.reports().map((r) => `${r.state}/${r.restarts}`)).toStrictEqual([
      'pending/0',
      'running/0',
      'restarting/0',
      'running/1',
      'restarting/1',
      'running/2',
    ]);
  });

  it('on-failure:2 restarts twice, then the third non-zero exit is for good', () => {
    const s = startService(spec('worker', { restart: { kind: 'on-failure', maxRetries: 2 } }));
    s.send(start());
    s.send(die(1));
    expect(s.state()).toBe('restarting');
    s.send(start());
    s.send(die(1));
    expect(s.state()).toBe('restarting');
    s.send(start());
    expect(s.last().restarts).toBe(2);
    s.send(die(3));
    expect(s.state()).toBe('exited');
    expect(s.last()).toStrictEqual(
      status('worker', 'exited', { ready: false, active: false, failed: true, exitCode: 3, restarts: 2, container: 'c1', healthcheck: false }),
    );
  });

  it('on-failure without a maximum restarts for as long as it fails', () => {
    const s = startService(spec('worker', { restart: { kind: 'on-failure' } }));
    s.send(start());
    for (let i = 0; i < 10; i += 1) {
      s.send(die(1));
      expect(s.state()).toBe('restarting');
      s.send(start());
    }
    expect(s.last().restarts).toBe(10);
  });
});

describe('stopped on purpose: kill → stopping → stopped', () => {
  it('a scaled service being stopped is stopped only once its last replica died', () => {
    const s = startService(spec('api', { restart: { kind: 'always' } }));
    s.send(start('c1'));
    s.send(start('c2'));
    s.send(kill('c1'));
    s.send(die(143, 'c1'));
    expect(s.state()).toBe('stopping');
    s.send(kill('c2'));
    s.send(die(143, 'c2'));
    expect(s.state()).toBe('stopped');
    expect(s.last().exitCode).toBe(143);
  });

  it('a killed service that dies is stopped: neither active, nor ready, nor failed, whatever its exit code and restart policy', () => {
    const s = startService(spec('api', { restart: { kind: 'always' } }));
    s.send(start());
    s.send(kill());
    expect(s.state()).toBe('stopping');
    expect(s.last()).toStrictEqual(
      status('api', 'stopping', { ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'c1', healthcheck: false }),
    );
    s.send(die(137));
    expect(s.state()).toBe('stopped');
    expect(s.last()).toStrictEqual(
      status('api', 'stopped', { ready: false, active: false, failed: false, exitCode: 137, restarts: 0, container: 'c1', healthcheck: false }),
    );
    expect(s.reports().map((r) => r.state)).toStrictEqual(['pending', 'running', 'stopping', 'stopped']);
  });

  it('a healthy service stopped with exit 0 is stopped, not exited (a one-shot that ends by itself is exited)', () => {
    const s = startService(spec('db', { healthcheck: true }));
    s.send(start());
    s.send(healthy());
    s.send(kill());
    s.send(die(0));
    expect(s.state()).toBe('stopped');
    expect(s.last()).toStrictEqual(
      status('db', 'stopped', { ready: false, active: false, failed: false, exitCode: 0, restarts: 0, container: 'c1', healthcheck: true }),
    );
  });

  it('`compose restart`: kill, die, start → running again, the start counted as a restart', () => {
    const s = startService(spec('api'));
    s.send(start());
    s.send(kill());
    s.send(die(143));
    expect(s.state()).toBe('stopped');
    s.send(start());
    expect(s.state()).toBe('running');
    expect(s.last()).toStrictEqual(
      status('api', 'running', { ready: true, active: true, failed: false, exitCode: 143, restarts: 1, container: 'c1', healthcheck: false }),
    );
    expect(s.reports().map((r) => r.state)).toStrictEqual(['pending', 'running', 'stopping', 'stopped', 'running']);
  });

  it('with a healthcheck, a stopped service started again is starting (not ready) until healthy', () => {
    const s = startService(spec('db', { healthcheck: true }));
    s.send(start());
    s.send(healthy());
    s.send(kill());
    s.send(die(0));
    s.send(start());
    expect(s.state()).toBe('starting');
    expect(s.last()).toMatchObject({ state: 'starting', ready: false, active: true, failed: false, restarts: 1 });
    s.send(healthy());
    expect(s.last()).toMatchObject({ state: 'healthy', ready: true, active: true, restarts: 1 });
  });

  it('destroy → removed (neither active nor failed); create → created again', () => {
    const s = startService(spec('api'));
    s.send(start());
    s.send(kill());
    s.send(die(0));
    expect(s.state()).toBe('stopped');
    s.send(destroy());
    expect(s.state()).toBe('removed');
    expect(s.last()).toStrictEqual(
      status('api', 'removed', { ready: false, active: false, failed: false, exitCode: 0, restarts: 0, container: 'c1', healthcheck: false }),
    );
    s.send(create('c2'));
    expect(s.state()).toBe('created');
    expect(s.last().container).toBe('c2');
    expect(s.last().active).toBe(true);
  });
});

describe('a scaled service (several replicas)', () => {
  it('stays running while one replica dies and another still runs; the last death decides', () => {
    const s = startService(spec('web'));
    s.send(start('r1'));
    s.send(start('r2'));
    expect(s.context().live).toStrictEqual(['r1', 'r2']);
    const reportsBefore = s.reports().length;

    s.send(die(1, 'r1'));
    expect(s.state()).toBe('running');
    expect(s.context().live).toStrictEqual(['r2']);
    // Nothing changed for the service: no report.
    expect(s.reports()).toHaveLength(reportsBefore);

    s.send(die(0, 'r2'));
    expect(s.state()).toBe('exited');
    expect(s.last()).toStrictEqual(
      status('web', 'exited', { ready: true, active: false, failed: false, exitCode: 0, restarts: 0, container: 'r2', healthcheck: false }),
    );
  });

  it('the same container started twice is counted once', () => {
    const s = startService(spec('web'));
    s.send(start('r1'));
    s.send(start('r1'));
    expect(s.context().live).toStrictEqual(['r1']);
    s.send(die(2, 'r1'));
    expect(s.state()).toBe('exited');
  });
});

describe('OBSERVED: what one `ps` read saw', () => {
  it.each<[Partial<ObservedContainer>, ServiceState, Partial<ServiceStatus>]>([
    [{ state: 'running', health: '' }, 'running', { ready: true, active: true }],
    [{ state: 'running', health: 'healthy' }, 'healthy', { ready: true, active: true }],
    [{ state: 'running', health: 'unhealthy' }, 'unhealthy', { failed: true, active: true }],
    [{ state: 'running', health: 'starting' }, 'starting', { ready: false, active: true }],
    [{ state: 'created' }, 'created', { ready: false, active: true }],
    [{ state: 'restarting', exitCode: 1 }, 'restarting', { active: true, exitCode: 1 }],
    [{ state: 'exited', exitCode: 0 }, 'exited', { ready: true, active: false, failed: false, exitCode: 0 }],
    [{ state: 'exited', exitCode: 2 }, 'exited', { ready: false, active: false, failed: true, exitCode: 2 }],
    [{ state: 'dead', exitCode: 137 }, 'exited', { active: false, failed: true, exitCode: 137 }],
  ])('pending + %j → %s', (container, state, expected) => {
    const s = startService(spec('svc', { healthcheck: container.health !== '' && container.health !== undefined }));
    s.send(observed(container));
    expect(s.state()).toBe(state);
    expect(s.last()).toMatchObject({ service: 'svc', state, container: 'c9', ...expected });
  });

  it('an observed running container is live: its death is the service death', () => {
    const s = startService(spec('svc'));
    s.send(observed({ container: 'c9', state: 'running' }));
    expect(s.context().live).toStrictEqual(['c9']);
    s.send(die(4, 'c9'));
    expect(s.state()).toBe('exited');
    expect(s.last().exitCode).toBe(4);
  });

  it('an observed state compose has no mapping for (paused, removing) leaves the service pending', () => {
    const s = startService(spec('svc'));
    s.send(observed({ state: 'paused' }));
    expect(s.state()).toBe('pending');
    expect(s.reports()).toHaveLength(1);
  });

  it('applies past pending too: a resync after the events were lost learns of a death it missed', () => {
    // The session sends a read after `up` only to services still pending; one after the
    // events stream was lost goes to every service, and is the newest news there is.
    const s = startService(spec('svc', { restart: { kind: 'always' } }));
    s.send(start('c1'));
    s.send(observed({ container: 'c1', state: 'exited', exitCode: 1 }));
    expect(s.state()).toBe('exited');
    expect(s.last()).toMatchObject({ state: 'exited', exitCode: 1, active: false, failed: true });
    expect(s.context().live).toStrictEqual([]);
    s.send(observed({ container: 'c2', state: 'running' }));
    expect(s.state()).toBe('running');
    expect(s.context().live).toStrictEqual(['c2']);
    expect(s.reports().map((r) => r.state)).toStrictEqual(['pending', 'running', 'exited', 'running']);
  });
});

describe('serviceEventOf: one engine event → the service machine event', () => {
  const base = { service: 'api', container: 'c1', time: '2026-01-02T03:04:05.000000000Z' } as const;

  it.each([
    ['create', 'CREATE'],
    ['start', 'START'],
    ['kill', 'KILL'],
    ['destroy', 'DESTROY'],
  ] as const)('%s → %s', (action, type) => {
    expect(serviceEventOf({ ...base, action })).toStrictEqual({ type, container: 'c1' });
  });

  it('die → DIE with its exit code', () => {
    expect(serviceEventOf({ ...base, action: 'die', exitCode: 137 })).toStrictEqual({ type: 'DIE', container: 'c1', exitCode: 137 });
  });

  it.each([
    ['healthy', 'HEALTHY'],
    ['unhealthy', 'UNHEALTHY'],
  ] as const)('health %s → %s', (health, type) => {
    expect(serviceEventOf({ ...base, action: 'health', health })).toStrictEqual({ type, container: 'c1' });
  });
});

describe('statusOf: ready, active and failed by SPEC §4', () => {
  const context = (overrides: Partial<ServiceContext> = {}): ServiceContext => ({
    spec: spec('api'),
    exitCode: undefined,
    restarts: 0,
    container: undefined,
    live: [],
    ...overrides,
  });

  it.each<[ServiceState, boolean, boolean, boolean]>([
    // state, ready, active, failed (no healthcheck, no exit code)
    ['pending', false, true, false],
    ['created', false, true, false],
    ['starting', false, true, false],
    ['running', true, true, false],
    ['healthy', true, true, false],
    ['unhealthy', false, true, true],
    ['stopping', false, true, false],
    ['restarting', false, true, false],
    ['stopped', false, false, false],
    ['removed', false, false, false],
  ])('%s: ready %s, active %s, failed %s', (state, ready, active, failed) => {
    expect(statusOf(state, context())).toMatchObject({ state, ready, active, failed });
  });

  it('exited: ready with 0, failed otherwise (an exit code never read counts as failed)', () => {
    expect(statusOf('exited', context({ exitCode: 0 }))).toMatchObject({ ready: true, failed: false, active: false });
    expect(statusOf('exited', context({ exitCode: 1 }))).toMatchObject({ ready: false, failed: true, active: false });
    expect(statusOf('exited', context())).toMatchObject({ ready: false, failed: true, active: false });
  });

  it('stopped: never ready nor failed, whatever its exit code', () => {
    for (const exitCode of [0, 1, 137, 143, undefined]) {
      expect(statusOf('stopped', context({ exitCode }))).toMatchObject({ ready: false, failed: false, active: false, exitCode });
    }
  });
});

describe('waitingFor: why a service that is not ready is not', () => {
  const at = (state: ServiceState, fields: Partial<ServiceStatus> = {}): ServiceStatus =>
    status('api', state, { ready: false, active: true, failed: false, exitCode: undefined, restarts: 0, container: 'c1', healthcheck: false, ...fields });

  it.each<[ServiceState, Partial<ServiceStatus>, string]>([
    ['pending', {}, 'not created yet'],
    ['created', {}, 'created, not started'],
    ['starting', {}, 'waiting for healthy'],
    ['unhealthy', {}, 'unhealthy'],
    ['restarting', { restarts: 2 }, 'restarting (2)'],
    ['stopping', {}, 'being stopped'],
    ['exited', { exitCode: 3 }, 'exited with code 3'],
    ['exited', {}, 'exited with code ?'],
    ['stopped', { exitCode: 143 }, 'stopped (exit code 143)'],
    ['stopped', {}, 'stopped (exit code ?)'],
    ['removed', {}, 'its container was removed'],
    ['running', {}, 'ready'],
    ['healthy', {}, 'ready'],
  ])('%s %j → %s', (state, fields, why) => {
    expect(waitingFor(at(state, fields))).toBe(why);
  });
});
