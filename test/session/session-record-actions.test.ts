// The session record as the machine's own effects (SPEC §6): the `record`, `releaseRecord`
// and `leaveRecord` actions, over a recording store and over the real SessionLock.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import type { SessionEvent } from '../../src/output/reporter.js';
import type { SessionRecord } from '../../src/session-file/session-file.js';
import { SessionLock } from '../../src/session-file/session-lock.js';
import { createSessionRecordActions, tagsOf, type SessionRecordStore } from '../../src/session/session-record-actions.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan } from '../fixtures/shop-session.js';
import { testProjectLock } from '../fixtures/test-engine.js';

const plan = shopPlan(defaultDevOptions, [
  { name: 'api', traefik: false, profiled: false, image: 'shop/api', healthcheck: false, restart: { kind: 'no' }, noReplicas: false, stopGraceSeconds: undefined },
]);

/** A store that records each call and answers `restoreUnreconciled` with `restores`. */
function recordingStore(restores = false, failing?: unknown) {
  const calls: string[] = [];
  const step = (call: string): Promise<void> => {
    calls.push(call);
    return failing === undefined ? Promise.resolve() : Promise.reject(failing);
  };
  const store: SessionRecordStore = {
    update: (state, tags) => step(`update ${state} [${(tags ?? []).join(',')}]`),
    release: () => step('release'),
    leave: () => step('leave'),
    restoreUnreconciled: () => {
      calls.push('restoreUnreconciled');
      return Promise.resolve(restores);
    },
    flush: () => step('flush'),
  };
  return { store, calls };
}

function actionsOver(store: SessionRecordStore) {
  const reported: SessionEvent[] = [];
  const actions = createSessionRecordActions(store, { report: (event) => reported.push(event) });
  // The actions ignore their first argument (the machine's action args).
  const args = undefined as never;
  return {
    reported,
    record: (state: string) => actions.record(args, { state }),
    releaseRecord: () => actions.releaseRecord(),
    leaveRecord: (state: string) => actions.leaveRecord(args, { state }),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('tagsOf: the tags of a state, from the machine definition', () => {
  it.each([
    ['reconciling', ['tearingDown']],
    ['starting', ['stackMayExist']],
    ['waiting', ['stackMayExist']],
    ['attached', ['stackMayExist']],
    ['stopping.graceful', ['stackMayExist', 'tearingDown']],
    ['stopping.forced', ['stackMayExist', 'tearingDown']],
    ['rollingBack.diagnosing', ['stackMayExist', 'startFailed']],
    ['rollingBack.tearingDown', ['stackMayExist', 'startFailed', 'tearingDown']],
    ['rollingBack.forced', ['stackMayExist', 'startFailed', 'tearingDown']],
    ['detached', []],
    ['failed', []],
    ['abandoned', []],
    ['stopped', []],
  ])('%s → %j', (state, tags) => {
    expect(tagsOf(state)).toStrictEqual(tags);
  });

  it('throws for a state the machine does not have (a bug)', () => {
    expect(() => tagsOf('preflight')).toThrow();
  });

  it('covers every state the machine records', () => {
    // Each `record` in the definition names a state tagsOf reads.
    const recorded = JSON.stringify(devSessionMachine.config).match(/"type":"record","params":\{"state":"[^"]+"\}/g) ?? [];
    const states = recorded.map((text) => /"state":"([^"]+)"/.exec(text)?.[1] ?? '');
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) expect(() => tagsOf(state)).not.toThrow();
  });
});

describe('the record actions over a store', () => {
  it('record writes the state with its tags', async () => {
    const { store, calls } = recordingStore();
    actionsOver(store).record('stopping.graceful');
    expect(calls).toStrictEqual(['update stopping.graceful [stackMayExist,tearingDown]']);
  });

  // Queued at once, as the action runs: a `flush()` right after the machine ends waits for them.
  it('releaseRecord queues the stale-record check, then the release, at once', () => {
    const { store, calls } = recordingStore(false);
    actionsOver(store).releaseRecord();
    expect(calls).toStrictEqual(['restoreUnreconciled', 'release']);
  });

  it('leaveRecord queues the check, the final state and the leave, at once', () => {
    const { store, calls } = recordingStore(false);
    actionsOver(store).leaveRecord('detached');
    expect(calls).toStrictEqual(['restoreUnreconciled', 'update detached []', 'leave']);
  });

  it('a failed write is reported as a notice, not thrown', async () => {
    const { store } = recordingStore(false, new Error('EACCES: permission denied'));
    const actions = actionsOver(store);
    actions.record('attached');
    actions.releaseRecord();
    await settle();
    expect(actions.reported).toStrictEqual([
      { type: 'notice', message: 'could not update the session file: Error: EACCES: permission denied' },
      { type: 'notice', message: 'could not update the session file: Error: EACCES: permission denied' },
    ]);
  });

  // What SessionLock rejects with when the dev dir turned read-only or full mid-session.
  it('a failed write of the file system is reported in its own sentence', async () => {
    const message = 'cannot write /p/.stagecraft/dev/session.json: no space left on device; free some space or pass another --dev-dir';
    const { store } = recordingStore(false, { kind: 'input', message });
    const actions = actionsOver(store);
    actions.record('attached');
    await settle();
    expect(actions.reported).toStrictEqual([{ type: 'notice', message: `could not update the session file: ${message}` }]);
  });
});

describe('the record actions over the real SessionLock', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-record-'));
    file = path.join(dir, 'session.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = () => JSON.parse(readFileSync(file, 'utf8')) as SessionRecord;

  async function claimed(mode: 'foreground' | 'detach' = 'foreground') {
    const lock = new SessionLock(file, mode, { lock: testProjectLock() });
    expect(await lock.acquire(plan, 'claiming')).toStrictEqual({ kind: 'acquired', stale: undefined });
    return { lock, actions: actionsOver(lock) };
  }

  it('each recorded state is on disk with its tags once flushed', async () => {
    const { lock, actions } = await claimed();
    expect(read()).toMatchObject({ state: 'claiming', pid: process.pid });
    expect(read().tags).toBeUndefined();
    actions.record('starting');
    await lock.flush();
    expect(read()).toMatchObject({ state: 'starting', tags: ['stackMayExist'] });
    actions.record('stopping.graceful');
    await lock.flush();
    expect(read()).toMatchObject({ state: 'stopping.graceful', tags: ['stackMayExist', 'tearingDown'] });
  });

  it('releaseRecord: the file is gone once flushed', async () => {
    const { lock, actions } = await claimed();
    actions.record('attached');
    actions.releaseRecord();
    await lock.flush();
    expect(existsSync(file)).toBe(false);
    expect(lock.held).toBe(false);
  });

  it('leaveRecord: the file stays, in the final state, and this process no longer holds it', async () => {
    const { lock, actions } = await claimed('detach');
    actions.record('starting');
    actions.leaveRecord('detached');
    await lock.flush();
    expect(read()).toMatchObject({ mode: 'detach', state: 'detached', tags: [], pid: process.pid });
    expect(lock.held).toBe(false);
    // Later writes are no-ops: the next session owns the file now.
    actions.record('attached');
    await lock.flush();
    expect(read().state).toBe('detached');
  });

  it.each([
    ['releaseRecord', (a: ReturnType<typeof actionsOver>) => a.releaseRecord()],
    ['leaveRecord', (a: ReturnType<typeof actionsOver>) => a.leaveRecord('failed')],
  ])('%s puts back a stale record replaced but never reconciled, as it was', async (_name, act) => {
    const stale: SessionRecord = {
      version: 1,
      project: 'other',
      mode: 'detach',
      pid: 999_999_999,
      pidStartTicks: 1,
      startedAt: '2026-01-02T03:04:05.000Z',
      state: 'detached',
      updatedAt: '2026-01-02T03:04:09.000Z',
      plan,
    };
    const { writeSessionFile } = await import('../../src/session-file/session-file.js');
    await writeSessionFile(file, stale);
    const lock = new SessionLock(file, 'foreground', { lock: testProjectLock() });
    expect(await lock.acquire(plan, 'claiming')).toStrictEqual({ kind: 'acquired', stale });
    act(actionsOver(lock));
    await lock.flush();
    expect(read()).toStrictEqual(stale);
    expect(lock.held).toBe(false);
  });
});
