// The session record (SPEC §6) as the machine's own effects: each state's entry records
// the state and its tags; a final state releases the record or leaves it for the next
// session. Writes are queued by the store, in order; `flush()` waits for them.
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import type { Reporter } from '../output/reporter.js';

/** The writes the session machine's record actions need (SessionLock in production). */
export interface SessionRecordStore {
  update(state: string, tags?: readonly string[]): Promise<void>;
  release(): Promise<void>;
  leave(): Promise<void>;
  /** Puts back a stale record this session replaced and never reconciled; true when it did. */
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
    reporter.report({ type: 'notice', message: `could not update the session file: ${String(error)}` });
  const settle = async (keep: () => Promise<void>): Promise<void> => {
    // A stale record this session replaced but did not reconcile goes back for the next one.
    if (await store.restoreUnreconciled()) return;
    await keep();
  };
  return {
    record: (_, params: { state: string }) => {
      store.update(params.state, tagsOf(params.state)).catch(reportFailure);
    },
    releaseRecord: () => {
      settle(() => store.release()).catch(reportFailure);
    },
    leaveRecord: (_, params: { state: string }) => {
      settle(async () => {
        await store.update(params.state, tagsOf(params.state));
        await store.leave();
      }).catch(reportFailure);
    },
  } satisfies ActionImplementations;
}
