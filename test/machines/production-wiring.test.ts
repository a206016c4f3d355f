// A missing production actor would only show up as an ordinary onError path
// ("not provided: …"), so the wiring is checked against the machine itself.
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import type { ComposeRunner } from '../../src/compose/compose-runner.js';
import type { Reporter } from '../../src/output/reporter.js';
import { createDevSessionActors, type SessionClaim } from '../../src/session/dev-session-actors.js';

const unusedRunner: ComposeRunner = {
  run: () => Promise.reject(new Error('the wiring test runs no command')),
  follow: () => {
    throw new Error('the wiring test runs no command');
  },
  idle: () => Promise.resolve(),
};
const unusedReporter: Reporter = { report: () => undefined };
const unusedLock: SessionClaim = {
  acquire: () => Promise.reject(new Error('the wiring test takes no lock')),
  reconciled: () => {
    throw new Error('the wiring test reconciles nothing');
  },
};

const declared = devSessionMachine.implementations.actors;
const supplied = createDevSessionActors({
  runner: unusedRunner,
  reporter: unusedReporter,
  lock: unusedLock,
  cwd: '/nowhere',
});

describe('production wiring', () => {
  it('the machine declares the actors of SPEC §4', () => {
    expect(Object.keys(declared).sort()).toStrictEqual([
      'diagnose',
      'followLogs',
      'forcedTeardown',
      'preflight',
      'readExitCodes',
      'reconcile',
      'start',
      'teardown',
      'validate',
    ]);
  });

  it('createDevSessionActors supplies exactly every actor the machine declares', () => {
    expect(Object.keys(supplied).sort()).toStrictEqual(Object.keys(declared).sort());
  });

  it.each(Object.keys(declared))('%s is a real implementation, not the throwing stub', (name) => {
    const implementation = (supplied as Record<string, unknown>)[name];
    expect(implementation).toBeDefined();
    expect(implementation).not.toBe(declared[name]);
    expect(typeof (implementation as { transition?: unknown }).transition).toBe('function');
  });

  it('providing them replaces every stub of the machine', () => {
    const provided = devSessionMachine.provide({ actors: supplied }).implementations.actors;
    for (const name of Object.keys(declared)) {
      expect(provided[name]).toBe((supplied as Record<string, unknown>)[name]);
    }
  });
});
