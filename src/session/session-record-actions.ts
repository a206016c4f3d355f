// The session record (SPEC §6) as the machine's own effects: each state's entry records
// the state and its tags; a final state releases the record or leaves it for the next
// session. Writes are queued by the store, in order, when the action runs; `flush()` waits for them.
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import type { Reporter } from '../output/reporter.js';
import { isInputFailure } from '../util/input-failure.js';

/** The writes the session machine's record actions need (SessionLock in production). */
export interface SessionRecordStore {
  update(state: string, tags?: readonly string[]): Promise<void>;
  release(): Promise<void>;
  leave(): Promise<void>;
  /**
   * Puts back a stale record this session replaced and never reconciled; true when it did.
   * The store then holds no record: `update`, `release` and `leave` after it are no-ops.
   */
  restoreUnreconciled(): Promise<boolean>;
  flush(): Promise<void>;
}

/** The tags of a state of the session machine, by its dotted name, from the definition itself. */
export function tagsOf(state: string): string[] {
  const tags = new Set<string>();
  const path = state.split('.');
  for (let depth = 1; depth <= path.length; depth += 1) {
    const node = devSessionMachine.getStateNodeById(`devSession.${path.slice(0, depth).join('.')}`);
    for (const tag of node.tags) tags.add(tag);
  }
  return [...tags].sort();
}

type ActionImplementations = NonNullable<Parameters<typeof devSessionMachine.provide>[0]['actions']>;

/** The `record`, `releaseRecord` and `leaveRecord` actions over `store`; a failed write is reported, not fatal. */
export function createSessionRecordActions(store: SessionRecordStore, reporter: Reporter) {
  const reportFailure = (error: unknown): void =>
    reporter.report({ type: 'notice', message: `could not update the session file: ${isInputFailure(error) ? error.message : String(error)}` });
  // Every write of a final state is queued at once, in order, so the `flush()` that follows
  // the machine's end waits for all of them (awaiting one before queueing the next let
  // `flush()` resolve first). A stale record this session replaced but did not reconcile
  // goes back for the next one; the store then holds nothing, so the writes after it are no-ops.
  const settle = (...writes: Array<() => Promise<unknown>>): void => {
    Promise.all([store.restoreUnreconciled(), ...writes.map((write) => write())]).catch(reportFailure);
  };
  return {
    record: (_, params: { state: string }) => {
      store.update(params.state, tagsOf(params.state)).catch(reportFailure);
    },
    releaseRecord: () => settle(() => store.release()),
    leaveRecord: (_, params: { state: string }) =>
      settle(
        () => store.update(params.state, tagsOf(params.state)),
        () => store.leave(),
      ),
  } satisfies ActionImplementations;
}
