// The runner's observer: every command, line and end reaches the reporter as it did, and the
// lines of `up` and `down` are read for each service's progress (compose's own words).
import { observerFor, type SessionEvent } from '../../src/output/reporter.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan } from '../fixtures/shop-session.js';

const plan = shopPlan(defaultDevOptions);

function observe(run: (observer: ReturnType<typeof observerFor>) => void): SessionEvent[] {
  const reported: SessionEvent[] = [];
  run(observerFor({ report: (event) => reported.push(event) }));
  return reported;
}

describe('observerFor', () => {
  it("reads `up`'s lines for progress, after relaying each line", () => {
    const reported = observe((o) => {
      o.commandStarted(plan.start);
      o.commandOutput(plan.start, '#5 [api 2/3] RUN npm ci');
      o.commandOutput(plan.start, ' Container shop-api-1  Starting');
      o.commandEnded(plan.start, 0, undefined);
    });
    expect(reported).toStrictEqual([
      { type: 'command', command: plan.start },
      { type: 'commandOutput', command: plan.start, line: '#5 [api 2/3] RUN npm ci' },
      { type: 'progress', progress: { service: 'api', activity: 'building', step: { index: 2, total: 3, text: 'RUN npm ci' } } },
      { type: 'commandOutput', command: plan.start, line: ' Container shop-api-1  Starting' },
      { type: 'progress', progress: { service: 'api', activity: 'starting' } },
      { type: 'commandEnded', command: plan.start, exitCode: 0 },
    ]);
  });

  it("reads a teardown's `down`, of the project its `-p` names", () => {
    const down = { phase: 'teardown', argv: ['docker', 'compose', '-p', 'other', 'down'] } as const;
    const reported = observe((o) => {
      o.commandStarted(down);
      o.commandOutput(down, ' Container other-db-1  Removed');
      o.commandOutput(down, ' Container shop-db-1  Removed');
    });
    expect(reported.filter((e) => e.type === 'progress')).toStrictEqual([{ type: 'progress', progress: { service: 'db', activity: 'removed' } }]);
  });

  it('reads no other phase, nor a command after it ended', () => {
    const reported = observe((o) => {
      o.commandStarted(plan.diagnostics);
      o.commandOutput(plan.diagnostics, ' Container shop-api-1  Starting');
      o.commandStarted(plan.start);
      o.commandEnded(plan.start, 1, undefined);
      o.commandOutput(plan.start, ' Container shop-api-1  Starting');
    });
    expect(reported.filter((e) => e.type === 'progress')).toStrictEqual([]);
  });
});
