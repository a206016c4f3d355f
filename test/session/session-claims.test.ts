import type { DevPlan } from '../../machines/dev-session.types.js';
import type { DevFiles } from '../../src/dev-files/read-dev-files.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { SessionRecord } from '../../src/session-file/session-file.js';
import { staleSession } from '../../src/session/session-claims.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { composeService } from '../fixtures/compose-service.js';
import { containersArgv, downArgv, killArgv, networksArgv, removeVolumesArgv } from '../fixtures/teardown-commands.js';

const files: DevFiles = {
  devDir: '.stagecraft/dev',
  composeFile: '.stagecraft/dev/compose.yaml',
  name: 'shop',
  services: [composeService('api', { stopGraceSeconds: 15 })],
};
const planWith = (graceSeconds: number | undefined): DevPlan => buildPlan(files, { ...defaultDevOptions, graceSeconds });
const file = '/work/shop/.stagecraft/dev/session.json';

/** A record left by a dead session of project `old`, whose plan was written (and read back) as JSON. */
function recordOf(plan: DevPlan): SessionRecord {
  return JSON.parse(
    JSON.stringify({
      version: 1,
      project: 'old',
      mode: 'foreground',
      pid: 4242,
      pidStartTicks: null,
      startedAt: '2026-01-02T03:04:05.000Z',
      state: 'attached',
      updatedAt: '2026-01-02T03:04:05.000Z',
      plan,
    }),
  ) as SessionRecord;
}

const down = downArgv('old');

describe('staleSession: the teardown of the recorded project', () => {
  it("lists, removes and kills the record's project, never this one", () => {
    const { plan } = staleSession(recordOf(planWith(undefined)), planWith(undefined), file);
    expect(plan.teardown).toStrictEqual({
      containers: { phase: 'teardown', argv: containersArgv('old') },
      networks: { phase: 'teardown', argv: networksArgv('old') },
      down: { phase: 'teardown', argv: down },
      removeVolumes: { phase: 'teardown', argv: removeVolumesArgv() },
    });
    expect(plan.forcedTeardown.kill.argv).toStrictEqual(killArgv('old'));
    expect(plan.forcedTeardown.teardown.down.argv).toStrictEqual([...down, '--timeout', '0']);
  });
});

describe('staleSession: the grace of the teardown', () => {
  it("a record without --grace, and none now: no --timeout (each service's stop_grace_period holds)", () => {
    const stale = staleSession(recordOf(planWith(undefined)), planWith(undefined), file);
    expect(stale.plan.teardown.down.argv).toStrictEqual(down);
    expect(stale.plan.graceSeconds).toBeUndefined();
    expect('graceSeconds' in stale.plan).toBe(false);
    expect(stale.plan.stopGraceSeconds).toBe(15);
  });

  it("a record with --grace 3 keeps its own grace, whatever this command's", () => {
    expect(staleSession(recordOf(planWith(3)), planWith(undefined), file).plan.teardown.down.argv).toStrictEqual([...down, '--timeout', '3']);
    expect(staleSession(recordOf(planWith(3)), planWith(9), file).plan.teardown.down.argv).toStrictEqual([...down, '--timeout', '3']);
  });

  it("a record without --grace takes this command's --grace", () => {
    expect(staleSession(recordOf(planWith(undefined)), planWith(9), file).plan.teardown.down.argv).toStrictEqual([...down, '--timeout', '9']);
  });
});
