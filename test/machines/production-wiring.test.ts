// A missing production actor or action would only show up as an ordinary onError path
// ("not provided: …") or as a session record never written, so the wiring is checked against
// the machine itself.
import { devRestartMachine } from '../../machines/dev-restart.machine.js';
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import { serviceMachine } from '../../machines/service.machine.js';
import type { ComposeRunner } from '../../src/compose/compose-runner.js';
import type { Reporter } from '../../src/output/reporter.js';
import { shopPlan } from '../fixtures/shop-session.js';
import { createDevRestartActors } from '../../src/restart/dev-restart-actors.js';
import { createDevSessionActors, type SessionClaim } from '../../src/session/dev-session-actors.js';
import { createSessionRecordActions, type SessionRecordStore } from '../../src/session/session-record-actions.js';

const unused = (what: string) => () => {
  throw new Error(`the wiring test ${what}`);
};
const unusedRunner: ComposeRunner = {
  run: () => Promise.reject(new Error('the wiring test runs no command')),
  follow: unused('runs no command'),
  idle: () => Promise.resolve(),
};
const unusedReporter: Reporter = { report: () => undefined };
const unusedLock: SessionClaim = { file: '/nowhere/session.json', acquire: () => Promise.reject(new Error('the wiring test takes no lock')), reconciled: unused('reconciles nothing') };
const unusedStore: SessionRecordStore = {
  update: () => Promise.reject(new Error('the wiring test writes no record')),
  release: () => Promise.reject(new Error('the wiring test writes no record')),
  leave: () => Promise.reject(new Error('the wiring test writes no record')),
  restoreUnreconciled: () => Promise.resolve(false),
  flush: () => Promise.resolve(),
};

const declaredActors = devSessionMachine.implementations.actors;
const declaredActions = devSessionMachine.implementations.actions;
const suppliedActors = createDevSessionActors({ runner: unusedRunner, reporter: unusedReporter, lock: unusedLock, cwd: '/nowhere' });
const suppliedActions = createSessionRecordActions(unusedStore, unusedReporter);

/** The effects the machine declares as stubs for src/ to supply: every actor but the service machine (pure). */
const stubActors = Object.keys(declaredActors).filter((name) => declaredActors[name] !== serviceMachine).sort();
/** The actions the machine declares as no-op stubs for src/ (the session record, SPEC §6). */
const stubActions = ['leaveRecord', 'record', 'releaseRecord'];

describe('production wiring', () => {
  it('the machine declares the actors of SPEC §4, the service machine among them', () => {
    expect(Object.keys(declaredActors).sort()).toStrictEqual([
      'claim',
      'diagnose',
      'followEvents',
      'followLogs',
      'forcedTeardown',
      'observeServices',
      'reconcile',
      'service',
      'start',
      'teardown',
      'validate',
    ]);
    expect(declaredActors['service']).toBe(serviceMachine);
  });

  it('createDevSessionActors supplies exactly every stub actor the machine declares', () => {
    expect(Object.keys(suppliedActors).sort()).toStrictEqual(stubActors);
  });

  it.each(stubActors)('%s is a real implementation, not the throwing stub', (name) => {
    const implementation = (suppliedActors as Record<string, unknown>)[name];
    expect(implementation).toBeDefined();
    expect(implementation).not.toBe(declaredActors[name]);
    expect(typeof (implementation as { transition?: unknown }).transition).toBe('function');
  });

  it('createSessionRecordActions supplies exactly the record actions, each replacing its stub', () => {
    expect(Object.keys(suppliedActions).sort()).toStrictEqual(stubActions);
    for (const name of stubActions) {
      expect(declaredActions[name]).toBeDefined();
      expect((suppliedActions as Record<string, unknown>)[name]).not.toBe(declaredActions[name]);
    }
  });

  it('providing them replaces every stub of the machine, and keeps the service machine', () => {
    const provided = devSessionMachine.provide({ actors: suppliedActors, actions: suppliedActions }).implementations;
    for (const name of stubActors) expect(provided.actors[name]).toBe((suppliedActors as Record<string, unknown>)[name]);
    for (const name of stubActions) expect(provided.actions[name]).toBe((suppliedActions as Record<string, unknown>)[name]);
    expect(provided.actors['service']).toBe(serviceMachine);
  });
});

describe('production wiring of `dev restart`', () => {
  const declared = devRestartMachine.implementations.actors;
  const supplied = createDevRestartActors({ runner: unusedRunner, reporter: unusedReporter, plan: shopPlan() });
  const stubs = Object.keys(declared).filter((name) => declared[name] !== serviceMachine).sort();

  it('the machine declares its four effects and the service machine', () => {
    expect(Object.keys(declared).sort()).toStrictEqual(['diagnose', 'followEvents', 'restart', 'service', 'survey']);
  });

  it('createDevRestartActors supplies exactly every stub, each a real implementation', () => {
    expect(Object.keys(supplied).sort()).toStrictEqual(stubs);
    const provided = devRestartMachine.provide({ actors: supplied }).implementations.actors;
    for (const name of stubs) {
      expect(provided[name]).toBe((supplied as Record<string, unknown>)[name]);
      expect(provided[name]).not.toBe(declared[name]);
    }
    expect(provided['service']).toBe(serviceMachine);
  });
});
