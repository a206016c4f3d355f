// Fake effects for the dev-session machine, supplied through `.provide()`.
// Each one-shot actor is gated: it records its input and abort signal, then waits for
// the test to resolve or reject it. The two followers (`followEvents`, `followLogs`) are
// callback fakes the test drives: they send what the real ones would send back and record
// what the machine sends them. The session-record actions are recorded, not written.
// No timers, no processes.
import { fromCallback, fromPromise } from 'xstate';
import {
  devSessionMachine,
  type DevSessionEvent,
  type DiagnoseInput,
  type FollowLogsInput,
  type ObservedServices,
} from '../../machines/dev-session.machine.js';
import type { ClaimResult, DevOptions, DevPlan, LogCursor, Removal, StaleSession } from '../../machines/dev-session.types.js';
import type { EngineEvent } from '../../machines/service.types.js';

/** One invocation of a gated `fromPromise` fake. */
export interface GatedCall<TInput, TOutput> {
  readonly input: TInput;
  /** The abort signal xstate handed the actor; aborted when the machine stopped it. */
  readonly signal: AbortSignal;
  resolve(output: TOutput): void;
  reject(error: unknown): void;
}

/** Checks that there were exactly `expectedCount` calls and returns the `index`-th (0-based). */
function nthOf<T>(name: string, calls: readonly T[], index: number, expectedCount: number): T {
  const call = calls[index];
  if (calls.length !== expectedCount || call === undefined) {
    throw new Error(`${name}: expected ${expectedCount} call(s), got ${calls.length}`);
  }
  return call;
}

/** A `fromPromise` actor that settles only when the test says so. */
export class GatedPromiseActor<TOutput, TInput> {
  readonly calls: GatedCall<TInput, TOutput>[] = [];
  readonly #name: string;

  readonly logic = fromPromise<TOutput, TInput>(
    ({ input, signal }) =>
      new Promise<TOutput>((resolve, reject) => {
        this.calls.push({ input, signal, resolve, reject });
      }),
  );

  constructor(name: string) {
    this.#name = name;
  }

  /** The only call so far; throws (failing the test) when there is not exactly one. */
  only(): GatedCall<TInput, TOutput> {
    return this.nth(0, 1);
  }

  /** The `index`-th call (0-based), checking that exactly `expectedCount` calls were made. */
  nth(index: number, expectedCount: number): GatedCall<TInput, TOutput> {
    return nthOf(this.#name, this.calls, index, expectedCount);
  }

  /** The latest call; throws when there is none. */
  last(): GatedCall<TInput, TOutput> {
    return nthOf(this.#name, this.calls, this.calls.length - 1, this.calls.length);
  }
}

/** One run of a callback fake. */
export interface CallbackCall<TInput> {
  readonly input: TInput;
  /** Sends `event` to the session as the real actor's `sendBack` would. */
  send(event: DevSessionEvent): void;
  /** What the session sent this run (`sendTo`), in order. */
  readonly received: DevSessionEvent[];
  /** True once the machine ran the run's cleanup (it stopped the actor). */
  readonly stopped: boolean;
}

/** A `fromCallback` actor that records its runs and lets the test speak for it. */
export class FakeCallbackActor<TInput> {
  readonly calls: CallbackCall<TInput>[] = [];
  /** When set, the next run throws this as it starts (the actor errors) and the field is cleared. */
  failOnStart: unknown = undefined;
  readonly #name: string;

  readonly logic = fromCallback<DevSessionEvent, TInput>(({ input, sendBack, receive }) => {
    if (this.failOnStart !== undefined) {
      const error = this.failOnStart;
      this.failOnStart = undefined;
      throw error;
    }
    const call = { input, send: sendBack, received: [] as DevSessionEvent[], stopped: false };
    receive((event) => call.received.push(event));
    this.calls.push(call);
    return () => {
      call.stopped = true;
    };
  });

  constructor(name: string) {
    this.#name = name;
  }

  only(): CallbackCall<TInput> {
    return this.nth(0, 1);
  }

  nth(index: number, expectedCount: number): CallbackCall<TInput> {
    return nthOf(this.#name, this.calls, index, expectedCount);
  }

  /** The latest run; throws when there is none. */
  last(): CallbackCall<TInput> {
    return nthOf(this.#name, this.calls, this.calls.length - 1, this.calls.length);
  }

  /** The runs the machine has not stopped. */
  live(): CallbackCall<TInput>[] {
    return this.calls.filter((call) => !call.stopped);
  }
}

/** The fake `compose events --json` follower: the test plays the engine. */
export class FakeFollowEvents extends FakeCallbackActor<DevPlan> {
  constructor() {
    super('followEvents');
  }

  /** One line of the events stream, from the live follower. */
  engineEvent(event: EngineEvent): void {
    this.#live().send({ type: 'ENGINE_EVENT', event });
  }

  /** The events stream ended (engine restarted, or the child failed). */
  endEvents(reason = 'the events stream ended'): void {
    this.#live().send({ type: 'EVENTS_ENDED', reason });
  }

  #live(): CallbackCall<DevPlan> {
    const live = this.live();
    const call = live[0];
    if (live.length !== 1 || call === undefined) throw new Error(`followEvents: expected 1 live follower, got ${live.length}`);
    return call;
  }
}

/** The fake `logs --follow` follower. */
export class FakeFollowLogs extends FakeCallbackActor<FollowLogsInput> {
  constructor() {
    super('followLogs');
  }

  /** compose ended the latest log stream, which got to `cursor`. */
  endLogs(cursor: LogCursor | undefined): void {
    this.last().send({ type: 'LOGS_ENDED', cursor });
  }

  /** How many REATTACH_LOGS the run `index` (default: the latest) received. */
  reattachRequests(index = this.calls.length - 1): number {
    return (this.calls[index]?.received ?? []).filter((event) => event.type === 'REATTACH_LOGS').length;
  }
}

type ActorImplementations = NonNullable<Parameters<typeof devSessionMachine.provide>[0]['actors']>;
type ActionImplementations = NonNullable<Parameters<typeof devSessionMachine.provide>[0]['actions']>;

/** Every fake, by the actor name it stands in for (the `service` machine stays real). */
export interface FakeActors {
  readonly validate: GatedPromiseActor<DevPlan, DevOptions>;
  readonly claim: GatedPromiseActor<ClaimResult, DevPlan>;
  readonly reconcile: GatedPromiseActor<Removal, StaleSession>;
  readonly start: GatedPromiseActor<void, DevPlan>;
  readonly followEvents: FakeFollowEvents;
  readonly followLogs: FakeFollowLogs;
  /** Every `observeServices` invoke runs this one fake: the read after `up` (waiting.observing, attached.engine.seeding) and `resync`. */
  readonly observeServices: GatedPromiseActor<ObservedServices, DevPlan>;
  readonly diagnose: GatedPromiseActor<readonly string[], DiagnoseInput>;
  readonly teardown: GatedPromiseActor<Removal, DevPlan>;
  readonly forcedTeardown: GatedPromiseActor<Removal, DevPlan>;
}

export function createFakeActors(): FakeActors {
  return {
    validate: new GatedPromiseActor('validate'),
    claim: new GatedPromiseActor('claim'),
    reconcile: new GatedPromiseActor('reconcile'),
    start: new GatedPromiseActor('start'),
    followEvents: new FakeFollowEvents(),
    followLogs: new FakeFollowLogs(),
    observeServices: new GatedPromiseActor('observeServices'),
    diagnose: new GatedPromiseActor('diagnose'),
    teardown: new GatedPromiseActor('teardown'),
    forcedTeardown: new GatedPromiseActor('forcedTeardown'),
  };
}

/** The fakes as the `actors` argument of `devSessionMachine.provide()`. */
export function fakeImplementations(fakes: FakeActors) {
  return {
    validate: fakes.validate.logic,
    claim: fakes.claim.logic,
    reconcile: fakes.reconcile.logic,
    start: fakes.start.logic,
    followEvents: fakes.followEvents.logic,
    followLogs: fakes.followLogs.logic,
    observeServices: fakes.observeServices.logic,
    diagnose: fakes.diagnose.logic,
    teardown: fakes.teardown.logic,
    forcedTeardown: fakes.forcedTeardown.logic,
  } satisfies ActorImplementations;
}

/** One call of a session-record action, as the machine made it. */
export type RecordCall =
  | { readonly action: 'record'; readonly state: string }
  | { readonly action: 'releaseRecord' }
  | { readonly action: 'leaveRecord'; readonly state: string };

/** The `record`, `releaseRecord` and `leaveRecord` actions, recording their calls in order. */
export class RecordingRecordActions {
  readonly calls: RecordCall[] = [];

  readonly implementations = {
    record: (_: unknown, params: { state: string }) => {
      this.calls.push({ action: 'record', state: params.state });
    },
    releaseRecord: () => {
      this.calls.push({ action: 'releaseRecord' });
    },
    leaveRecord: (_: unknown, params: { state: string }) => {
      this.calls.push({ action: 'leaveRecord', state: params.state });
    },
  } satisfies ActionImplementations;
}

/** The machine with `fakes` for its actors and recording (by default: throwaway) record actions. */
export function provideFakes(fakes: FakeActors, records: RecordingRecordActions = new RecordingRecordActions()) {
  return devSessionMachine.provide({ actors: fakeImplementations(fakes), actions: records.implementations });
}
