// Pure judgements over the services' statuses (machines/dev-session.services.ts): has the
// stack ended, which service failed the wait, which are not ready yet and why.
import {
  endedStackFailure,
  notReadyFailure,
  serviceFailedFailure,
  specOf,
  stackEnded,
} from '../../machines/dev-session.services.js';
import { statusOf } from '../../machines/service.machine.js';
import type { ServiceSpec, ServiceState, ServiceStatus } from '../../machines/service.types.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { composeService } from '../fixtures/compose-service.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';

const plan = buildPlan(
  {
    devDir: '.stagecraft/dev',
    composeFile: '.stagecraft/dev/compose.yaml',
    name: 'shop',
    services: [
      composeService('api', { restart: { kind: 'always' } }),
      composeService('db', { healthcheck: true }),
      composeService('debug', { profiled: true }),
    ],
  },
  defaultDevOptions,
);

/** The status a service machine in `state` reports (through the machine's own statusOf). */
function status(
  service: string,
  state: ServiceState,
  { exitCode, restarts = 0, healthcheck = false }: { exitCode?: number; restarts?: number; healthcheck?: boolean } = {},
): ServiceStatus {
  const spec: ServiceSpec = { name: service, healthcheck, restart: { kind: 'no' }, profiled: false };
  return statusOf(state, { spec, exitCode, restarts, container: `${service}-1`, live: [] });
}

const byName = (...statuses: ServiceStatus[]): Record<string, ServiceStatus> =>
  Object.fromEntries(statuses.map((s) => [s.service, s]));

describe('stackEnded', () => {
  it('is false before any service reported', () => {
    expect(stackEnded({})).toBe(false);
  });

  it('is true when every service exited (whatever the code) or was removed', () => {
    expect(stackEnded(byName(status('api', 'exited', { exitCode: 0 }), status('db', 'exited', { exitCode: 3 }), status('w', 'removed')))).toBe(true);
  });

  it.each<ServiceState>(['pending', 'created', 'starting', 'running', 'healthy', 'unhealthy', 'stopping', 'restarting'])(
    'is false while one service is %s',
    (state) => {
      expect(stackEnded(byName(status('api', 'exited', { exitCode: 0 }), status('db', state)))).toBe(false);
    },
  );
});

describe('endedStackFailure', () => {
  it('is undefined when every service exited 0 (or was removed)', () => {
    expect(endedStackFailure(byName(status('api', 'exited', { exitCode: 0 }), status('db', 'removed')))).toBeUndefined();
  });

  it('names the services whose last exit was non-zero, sorted by name', () => {
    expect(
      endedStackFailure(
        byName(
          status('zeta', 'exited', { exitCode: 137 }),
          status('api', 'exited', { exitCode: 0 }),
          status('worker', 'exited', { exitCode: 1 }),
        ),
      ),
    ).toStrictEqual({
      kind: 'services-failed',
      services: [
        { service: 'worker', state: 'exited', exitCode: 1 },
        { service: 'zeta', state: 'exited', exitCode: 137 },
      ],
    });
  });

  it('does not count a removed service with a non-zero code from an earlier life, nor an exit it never heard', () => {
    expect(endedStackFailure(byName(status('api', 'removed', { exitCode: 2 }), status('db', 'exited')))).toBeUndefined();
  });
});

describe('serviceFailedFailure', () => {
  it('names each failed service and why, sorted: a start failure with no stderr', () => {
    expect(
      serviceFailedFailure(
        plan,
        byName(
          status('migrate', 'exited', { exitCode: 3 }),
          status('api', 'running'),
          status('db', 'unhealthy', { healthcheck: true }),
        ),
      ),
    ).toStrictEqual({
      kind: 'start-failed',
      message: 'starting project shop failed: db turned unhealthy, migrate exited with code 3 before the stack was ready',
      stderrTail: '',
      services: ['db', 'migrate'],
    });
  });

  it('says `?` for an exit code it never heard', () => {
    expect(serviceFailedFailure(plan, byName(status('api', 'exited')))).toMatchObject({
      message: 'starting project shop failed: api exited with code ? before the stack was ready',
      services: ['api'],
    });
  });
});

describe('notReadyFailure', () => {
  it('names every service not ready, sorted, with what it waits for; ready ones are left out', () => {
    const statuses = byName(
      status('a-pending', 'pending'),
      status('b-created', 'created'),
      status('c-starting', 'starting', { healthcheck: true }),
      status('d-unhealthy', 'unhealthy', { healthcheck: true }),
      status('e-restarting', 'restarting', { restarts: 2 }),
      status('f-stopping', 'stopping'),
      status('g-exited', 'exited', { exitCode: 1 }),
      status('h-removed', 'removed'),
      status('i-running', 'running'),
      status('j-healthy', 'healthy', { healthcheck: true }),
      status('k-done', 'exited', { exitCode: 0 }),
    );
    expect(notReadyFailure(plan, statuses, 45)).toStrictEqual({
      kind: 'start-failed',
      message:
        'project shop was not ready after 45 s: a-pending (not created yet), b-created (created, not started), ' +
        'c-starting (waiting for healthy), d-unhealthy (unhealthy), e-restarting (restarting (2)), f-stopping (being stopped), ' +
        'g-exited (exited with code 1), h-removed (its container was removed); raise --wait-timeout if it needs longer',
      stderrTail: '',
      services: ['a-pending', 'b-created', 'c-starting', 'd-unhealthy', 'e-restarting', 'f-stopping', 'g-exited', 'h-removed'],
    });
  });

  it('a service with a healthcheck that has not turned healthy is waiting for healthy', () => {
    // A service with a healthcheck goes starting → healthy; `running` is only for those without one.
    expect(notReadyFailure(plan, byName(status('db', 'starting', { healthcheck: true })), 120)).toMatchObject({
      message: 'project shop was not ready after 120 s: db (waiting for healthy); raise --wait-timeout if it needs longer',
      services: ['db'],
    });
  });
});

describe('specOf', () => {
  it('is the plan’s spec of a service compose.yaml names (profiled ones included)', () => {
    expect(specOf(plan, 'api')).toStrictEqual({ name: 'api', healthcheck: false, restart: { kind: 'always' }, profiled: false });
    expect(specOf(plan, 'db')).toStrictEqual({ name: 'db', healthcheck: true, restart: { kind: 'no' }, profiled: false });
    expect(specOf(plan, 'debug')).toStrictEqual({ name: 'debug', healthcheck: false, restart: { kind: 'no' }, profiled: true });
  });

  it('gives a service it does not name (a `run`, a foreign label) the defaults: no healthcheck, no restart', () => {
    expect(specOf(plan, 'oneoff')).toStrictEqual({ name: 'oneoff', healthcheck: false, restart: { kind: 'no' }, profiled: false });
  });
});
