import type { EventEmitter } from 'node:events';
import { createActor, type InspectionEvent, type Observer } from 'xstate';
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import type { DevOptions, DevSessionOutput } from '../../machines/dev-session.types.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { Reporter } from '../output/reporter.js';
import { runUntilFinal } from '../signals/run-until-final.js';
import { createDevSessionActors, type SessionClaim } from './dev-session-actors.js';
import { createSessionRecordActions, type SessionRecordStore } from './session-record-actions.js';

export interface RunDevSessionOptions {
  readonly options: DevOptions;
  readonly runner: ComposeRunner;
  readonly reporter: Reporter;
  /** The session lock and record: claimed by the machine, then written by its own actions. */
  readonly lock: SessionClaim & SessionRecordStore;
  readonly cwd: string;
  /** Where SIGINT/SIGTERM/SIGHUP come from: `process`, or an EventEmitter in tests. */
  readonly signals: EventEmitter;
  /** Receives the actor system's inspection events (the Stately inspector). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

/** `{ stopping: 'graceful' }` → `stopping.graceful`; a parallel state names its first region. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', undefined];
  if (child === undefined) return key;
  // attached: { logs: …, engine: … } reads as `attached`.
  if (typeof child === 'object' && child !== null && Object.keys(child).length > 1) return key;
  return `${key}.${stateName(child)}`;
}

function forwardInspection(inspect: RunDevSessionOptions['inspect'], event: InspectionEvent): void {
  if (inspect === undefined) return;
  if (typeof inspect === 'function') inspect(event);
  else inspect.next?.(event);
}

/**
 * Runs one dev session: boots the machine with the real actors, forwards stop
 * signals as STOP events, reports what happens, and resolves with the
 * machine's output once it reaches a final state (every child it started has
 * ended, and every session-record write its actions asked for is done).
 * Rejects only on a bug in stagecraft. Its stop-signal listeners stay on
 * `signals` afterwards, ignoring what comes, for the life of the process.
 */
export async function runDevSession(run: RunDevSessionOptions): Promise<DevSessionOutput> {
  const machine = devSessionMachine.provide({
    actors: createDevSessionActors({ runner: run.runner, reporter: run.reporter, lock: run.lock, cwd: run.cwd }),
    actions: createSessionRecordActions(run.lock, run.reporter),
  });
  let current: string | undefined;
  const actor = createActor(machine, {
    input: { options: run.options },
    inspect: (event) => {
      // Microstep events arrive before the step's actions run, so a transition is
      // reported before the commands it starts. Only the root's own steps count.
      if (event.type === '@xstate.microstep' && event.actorRef.sessionId === event.rootId) {
        const to = stateName((event.snapshot as { value?: unknown }).value);
        if (to !== current) run.reporter.report({ type: 'transition', from: current, event: event.event.type, to });
        current = to;
      }
      forwardInspection(run.inspect, event);
    },
  });
  // Listeners go on before start(): the first transitions happen inside it.
  actor.on('*', (event) => run.reporter.report(event));
  current = stateName(actor.getSnapshot().value);
  run.reporter.report({ type: 'transition', from: undefined, event: undefined, to: current });
  const output = await runUntilFinal(actor, run.signals);
  // The machine's last actions asked for the record's last write: it is on disk before we answer.
  await run.lock.flush();
  return output;
}
