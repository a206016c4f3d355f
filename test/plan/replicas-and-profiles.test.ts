// Services compose.yaml keeps without a container (`deploy.replicas: 0`, `scale: 0`) and
// services behind a profile, followed from the plan to what uses it: `dev status` lists the
// first `scaled to 0` (never `absent`), a failed start never blames them, and the session
// waits for neither, but for a profiled service whose profile is active (COMPOSE_PROFILES).
import { createActor, SimulatedClock, toPromise, waitFor } from 'xstate';
import type { DevOptions, DevPlan } from '../../machines/dev-session.types.js';
import type { EngineEvent } from '../../machines/service.types.js';
import { buildStatusReport, formatStatus } from '../../src/commands/status-report.js';
import { failedServices, type ContainerState } from '../../src/compose/parse-ps.js';
import { parseComposeModel } from '../../src/dev-files/compose-model.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { createFakeActors, provideFakes } from '../fakes/fake-actors.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';

const composeFile = '.stagecraft/dev/compose.yaml';
const yaml = [
  'name: shop',
  'services:',
  '  api: {image: shop/api}',
  '  spare:',
  '    image: shop/spare',
  '    deploy: {replicas: 0}',
  '  standby:',
  '    image: shop/standby',
  '    scale: 0',
  '  tools:',
  '    image: shop/tools',
  '    profiles: [p]',
  '  docs:',
  '    image: shop/docs',
  '    profiles: [docs]',
  '',
].join('\n');

function planWith(overrides: Partial<DevOptions> = {}): DevPlan {
  return buildPlan({ devDir: '.stagecraft/dev', composeFile, ...parseComposeModel(yaml, composeFile) }, { ...defaultDevOptions, ...overrides });
}

const running = (service: string): ContainerState => ({
  name: `shop-${service}-1`,
  service,
  state: 'running',
  health: '',
  exitCode: 0,
  status: 'Up 2 seconds',
});

describe('the plan of services without a container', () => {
  it('expects neither a scaled-to-0 service nor one behind an inactive profile; spawns no machine for them', () => {
    const plan = planWith();
    expect(plan.expectedServices).toStrictEqual(['api']);
    expect(plan.scaledToZero).toStrictEqual(['spare', 'standby']);
    expect(plan.services.map((s) => [s.name, s.profiled])).toStrictEqual([
      ['api', false],
      ['docs', true],
      ['tools', true],
    ]);
  });

  it('expects a profiled service whose profile is active', () => {
    const plan = planWith({ profiles: ['p'] });
    expect(plan.expectedServices).toStrictEqual(['api', 'tools']);
    expect(plan.services.map((s) => [s.name, s.profiled])).toStrictEqual([
      ['api', false],
      ['docs', true],
      ['tools', false],
    ]);
  });
});

describe('dev status', () => {
  it('lists a scaled-to-0 service as `scaled to 0`, an expected one without a container as `absent`', () => {
    const report = buildStatusReport(planWith(), undefined, false, []);
    expect(report.services).toStrictEqual([
      { service: 'api', container: null, state: 'absent', health: null, exitCode: null, status: '' },
      { service: 'spare', container: null, state: 'scaled to 0', health: null, exitCode: null, status: '' },
      { service: 'standby', container: null, state: 'scaled to 0', health: null, exitCode: null, status: '' },
    ]);
    expect(formatStatus(report)).toBe(
      [
        'project  shop (.stagecraft/dev/compose.yaml)',
        'session  none',
        '',
        'SERVICE  CONTAINER  STATE        HEALTH  EXIT',
        'api      -          absent       -       -',
        'spare    -          scaled to 0  -       -',
        'standby  -          scaled to 0  -       -',
        '',
      ].join('\n'),
    );
  });

  it('lists the container instead when one runs after all (scaled up by hand)', () => {
    const report = buildStatusReport(planWith(), undefined, false, [running('api'), running('spare')]);
    expect(report.services.map((r) => [r.service, r.state])).toStrictEqual([
      ['api', 'running'],
      ['spare', 'running'],
      ['standby', 'scaled to 0'],
    ]);
  });
});

describe('a failed start never blames a scaled-to-0 service', () => {
  const plan = planWith();
  const hints = (stderr: string) => ({ stderr, projectName: 'shop', serviceImages: plan.serviceImages });

  it('expected but never created: api, not the services with no replicas', () => {
    expect(failedServices(plan.expectedServices, [], hints(''))).toStrictEqual(['api']);
  });

  it('api runs: nobody, though no container of spare or standby exists', () => {
    expect(failedServices(plan.expectedServices, [running('api')], hints(''))).toStrictEqual([]);
  });

  it("even where compose's errors name one of them", () => {
    const stderr = 'Error response from daemon: pull access denied for shop/spare\nError: container shop-standby-1 failed';
    expect(failedServices(plan.expectedServices, [running('api')], hints(stderr))).toStrictEqual([]);
  });
});

describe('the session waits for the expected services only (--detach --wait)', () => {
  const time = '2026-01-02T03:04:05.000000000Z';
  const engineEvent = (action: 'create' | 'start', service: string): EngineEvent => ({ action, service, container: `${service}-1`, time });

  it.each([
    [[], ['api']],
    [['p'], ['api', 'tools']],
  ])('COMPOSE_PROFILES=%j: waits for %j, detaches with 0 once they run', async (profiles, waitedFor) => {
    const options: DevOptions = { ...defaultDevOptions, mode: 'detach', wait: true, profiles };
    const plan = planWith(options);
    const fakes = createFakeActors();
    const actor = createActor(provideFakes(fakes), { input: { options }, clock: new SimulatedClock() });
    const waiting: unknown[] = [];
    actor.on('waiting', (event) => waiting.push(event.services));
    actor.start();
    fakes.validate.only().resolve(plan);
    await waitFor(actor, (s) => s.matches('claiming'));
    fakes.claim.only().resolve({ stale: undefined });
    await waitFor(actor, (s) => s.matches('starting'));
    fakes.start.only().resolve();
    await waitFor(actor, (s) => s.matches({ waiting: 'observing' }));
    fakes.observeServices.only().resolve({});
    await waitFor(actor, (s) => s.matches({ waiting: 'watching' }));
    for (const service of waitedFor) {
      fakes.followEvents.engineEvent(engineEvent('create', service));
      fakes.followEvents.engineEvent(engineEvent('start', service));
    }
    const output = await toPromise(actor);
    expect(waiting).toStrictEqual([waitedFor]);
    expect([output.finalState, output.exitCode]).toStrictEqual(['detached', 0]);
    expect(Object.keys(actor.getSnapshot().context.services).sort()).toStrictEqual(waitedFor);
  });
});
