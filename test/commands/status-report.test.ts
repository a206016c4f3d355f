// `stagecraft dev status`: the report built from the plan, the session file and `ps`,
// and its two renderings (the --json document is the report itself).
import type { DevOptions } from '../../machines/dev-session.types.js';
import { buildStatusReport, formatStatus, type StatusReport } from '../../src/commands/status-report.js';
import type { ContainerState } from '../../src/compose/parse-ps.js';
import type { SessionRecord } from '../../src/session-file/session-file.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { composeService } from '../fixtures/compose-service.js';
import { shopApi, shopPlan, shopRecord } from '../fixtures/shop-session.js';

const options: DevOptions = { ...defaultDevOptions, noTraefik: true };
const plan = shopPlan(options, [
  shopApi,
  composeService('db', { traefik: false, profiled: false, image: 'postgres:16' }),
  composeService('tools', { traefik: false, profiled: true, image: 'shop/tools' }),
  composeService('traefik', { traefik: true, profiled: false, image: 'traefik:v3' }),
  composeService('worker', { traefik: false, profiled: false, image: 'shop/worker' }),
]);
const record: SessionRecord = shopRecord({ plan });

const container = (overrides: Partial<ContainerState> & Pick<ContainerState, 'service'>): ContainerState => ({
  name: `shop-${overrides.service}-1`,
  state: 'running',
  health: '',
  exitCode: 0,
  status: 'Up 2 minutes',
  ...overrides,
});

const containers: ContainerState[] = [
  container({ service: 'db', health: 'healthy', status: 'Up 2 minutes (healthy)' }),
  container({ service: 'api', state: 'exited', exitCode: 3, status: 'Exited (3) 5 seconds ago' }),
  // A second container of one service, and a one-off service the plan does not expect.
  container({ service: 'api', name: 'shop-api-2', status: 'Up 1 second' }),
  container({ service: 'extra', status: 'Up 3 minutes' }),
];

describe('buildStatusReport', () => {
  it('lists every container and every expected service without one (absent), sorted; the live session', () => {
    expect(buildStatusReport(plan, record, true, containers)).toStrictEqual({
      project: 'shop',
      composeFile: '.stagecraft/dev/compose.yaml',
      session: {
        state: 'attached',
        mode: 'foreground',
        pid: 4242,
        alive: true,
        startedAt: '2026-01-02T03:04:05.000Z',
        updatedAt: '2026-01-02T03:04:09.000Z',
      },
      services: [
        { service: 'api', container: 'shop-api-1', state: 'exited', health: null, exitCode: 3, status: 'Exited (3) 5 seconds ago' },
        { service: 'api', container: 'shop-api-2', state: 'running', health: null, exitCode: null, status: 'Up 1 second' },
        { service: 'db', container: 'shop-db-1', state: 'running', health: 'healthy', exitCode: null, status: 'Up 2 minutes (healthy)' },
        { service: 'extra', container: 'shop-extra-1', state: 'running', health: null, exitCode: null, status: 'Up 3 minutes' },
        // Scaled to 0 (traefik) and profiled (tools) services are not expected, so not listed as absent.
        { service: 'worker', container: null, state: 'absent', health: null, exitCode: null, status: '' },
      ],
    } satisfies StatusReport);
  });

  it('no session file: session null; nothing running: every expected service absent', () => {
    expect(buildStatusReport(plan, undefined, false, [])).toStrictEqual({
      project: 'shop',
      composeFile: '.stagecraft/dev/compose.yaml',
      session: null,
      services: [
        { service: 'api', container: null, state: 'absent', health: null, exitCode: null, status: '' },
        { service: 'db', container: null, state: 'absent', health: null, exitCode: null, status: '' },
        { service: 'worker', container: null, state: 'absent', health: null, exitCode: null, status: '' },
      ],
    });
  });

  it('a stale session file is reported with alive: false', () => {
    const report = buildStatusReport(plan, { ...record, mode: 'detach', state: 'detached' }, false, []);
    expect(report.session).toStrictEqual({
      state: 'detached',
      mode: 'detach',
      pid: 4242,
      alive: false,
      startedAt: '2026-01-02T03:04:05.000Z',
      updatedAt: '2026-01-02T03:04:09.000Z',
    });
  });

  it('a session file of another project is not this project’s session', () => {
    expect(buildStatusReport(plan, { ...record, project: 'other' }, true, []).session).toBeNull();
  });

  it('an exited container with code 0 reports exitCode 0; a created one reports none', () => {
    const report = buildStatusReport(plan, undefined, false, [
      container({ service: 'api', state: 'exited', exitCode: 0, status: 'Exited (0)' }),
      container({ service: 'db', state: 'created', exitCode: 0, status: 'Created' }),
      container({ service: 'worker', state: 'restarting', health: 'unhealthy', exitCode: 1, status: 'Restarting (1)' }),
    ]);
    expect(report.services.map((s) => [s.service, s.state, s.health, s.exitCode])).toStrictEqual([
      ['api', 'exited', null, 0],
      ['db', 'created', null, null],
      ['worker', 'restarting', 'unhealthy', null],
    ]);
  });

  it('is the --json document: it serialises with null, never undefined', () => {
    const json = JSON.stringify(buildStatusReport(plan, undefined, false, []));
    expect(JSON.parse(json)).toStrictEqual(buildStatusReport(plan, undefined, false, []));
  });
});

describe('formatStatus', () => {
  it('prints the project, the session and an aligned table', () => {
    expect(formatStatus(buildStatusReport(plan, record, true, containers))).toBe(
      [
        'project  shop (.stagecraft/dev/compose.yaml)',
        'session  attached · foreground · pid 4242 (running) · since 2026-01-02T03:04:05.000Z',
        '',
        'SERVICE  CONTAINER     STATE    HEALTH   EXIT',
        'api      shop-api-1    exited   -        3',
        'api      shop-api-2    running  -        -',
        'db       shop-db-1     running  healthy  -',
        'extra    shop-extra-1  running  -        -',
        'worker   -             absent   -        -',
        '',
      ].join('\n'),
    );
  });

  it('no session file: "session  none"; a stale one says (exited)', () => {
    expect(formatStatus(buildStatusReport(plan, undefined, false, []))).toBe(
      [
        'project  shop (.stagecraft/dev/compose.yaml)',
        'session  none',
        '',
        'SERVICE  CONTAINER  STATE   HEALTH  EXIT',
        'api      -          absent  -       -',
        'db       -          absent  -       -',
        'worker   -          absent  -       -',
        '',
      ].join('\n'),
    );
    expect(formatStatus(buildStatusReport(plan, { ...record, mode: 'detach', state: 'detached' }, false, [])).split('\n')[1]).toBe(
      'session  detached · detach · pid 4242 (exited) · since 2026-01-02T03:04:05.000Z',
    );
  });

  it('with no services at all prints the header alone, no trailing spaces on any line', () => {
    const report: StatusReport = { project: 'p', composeFile: 'c.yaml', session: null, services: [] };
    const text = formatStatus(report);
    expect(text).toBe('project  p (c.yaml)\nsession  none\n\nSERVICE  CONTAINER  STATE  HEALTH  EXIT\n');
    expect(text.split('\n').filter((line) => line !== line.trimEnd())).toStrictEqual([]);
  });
});
