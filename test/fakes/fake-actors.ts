// Fake effects for the dev-session machine, supplied through
// `devSessionMachine.provide({ actors })`. Each one-shot actor is gated: it
// records its input and abort signal, then waits for the test to resolve or
// reject it. No timers, no processes.
import { fromCallback, fromPromise } from 'xstate';
import type {
  devSessionMachine,
  DevSessionEvent,
  DiagnoseInput,
} from '../../machines/dev-session.machine.js';
import type {
  DevOptions,
  DevPlan,
  PreflightResult,
  ServiceExit,
  StaleSession,
} from '../../machines/dev-session.types.js';

/** One invocation of a gated `fromPromise` fake. */
export interface GatedCall<TInput, TOutput> {
  readonly input: TInput;
  /** The abort signal xstate handed the actor; aborted when the machine stopped it. */
  readonly signal: AbortSignal;
  resolve(output: TOutput): void;
  reject(error: unknown): void;
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
    const call = this.calls[index];
    if (this.calls.length !== expectedCount || call === undefined) {
      throw new Error(`${this.#name}: expected ${expectedCount} call(s), got ${this.calls.length}`);
    }
    return call;
  }
}

/** One run of the fake log follower. */
export interface FollowLogsCall {
  readonly input: DevPlan;
  /** Makes the follower report that the logs ended by themselves. */
  endLogs(exitCode: number): void;
  /** True once the machine ran the follower's cleanup (it stopped the follower). */
  readonly cleanedUp: boolean;
}

/** A `fromCallback` log follower: sends LOGS_ENDED on request, records its cleanup. */
export class FakeFollowLogs {
  readonly calls: FollowLogsCall[] = [];
  /** When set, the follower throws this as it starts (the actor errors). */
  failOnStart: unknown = undefined;

  readonly logic = fromCallback<DevSessionEvent, DevPlan>(({ input, sendBack }) => {
    if (this.failOnStart !== undefined) throw this.failOnStart;
    const call = {
      input,
      cleanedUp: false,
      endLogs: (exitCode: number) => sendBack({ type: 'LOGS_ENDED', exitCode }),
    };
    this.calls.push(call);
    return () => {
      call.cleanedUp = true;
    };
  });

  only(): FollowLogsCall {
    const call = this.calls[0];
    if (this.calls.length !== 1 || call === undefined) {
      throw new Error(`followLogs: expected 1 call, got ${this.calls.length}`);
    }
    return call;
  }
}

type ActorImplementations = NonNullable<Parameters<typeof devSessionMachine.provide>[0]['actors']>;

/** Every fake, by the actor name it stands in for. */
export interface FakeActors {
  readonly validate: GatedPromiseActor<DevPlan, DevOptions>;
  readonly preflight: GatedPromiseActor<PreflightResult, DevPlan>;
  readonly reconcile: GatedPromiseActor<void, StaleSession>;
  readonly start: GatedPromiseActor<void, DevPlan>;
  readonly followLogs: FakeFollowLogs;
  readonly readExitCodes: GatedPromiseActor<readonly ServiceExit[], DevPlan>;
  readonly diagnose: GatedPromiseActor<readonly string[], DiagnoseInput>;
  readonly teardown: GatedPromiseActor<void, DevPlan>;
  readonly forcedTeardown: GatedPromiseActor<void, DevPlan>;
}

export function createFakeActors(): FakeActors {
  return {
    validate: new GatedPromiseActor('validate'),
    preflight: new GatedPromiseActor('preflight'),
    reconcile: new GatedPromiseActor('reconcile'),
    start: new GatedPromiseActor('start'),
    followLogs: new FakeFollowLogs(),
    readExitCodes: new GatedPromiseActor('readExitCodes'),
    diagnose: new GatedPromiseActor('diagnose'),
    teardown: new GatedPromiseActor('teardown'),
    forcedTeardown: new GatedPromiseActor('forcedTeardown'),
  };
}

/** The fakes as the `actors` argument of `devSessionMachine.provide()`. */
export function fakeImplementations(fakes: FakeActors) {
  return {
    validate: fakes.validate.logic,
    preflight: fakes.preflight.logic,
    reconcile: fakes.reconcile.logic,
    start: fakes.start.logic,
    followLogs: fakes.followLogs.logic,
    readExitCodes: fakes.readExitCodes.logic,
    diagnose: fakes.diagnose.logic,
    teardown: fakes.teardown.logic,
    forcedTeardown: fakes.forcedTeardown.logic,
  } satisfies ActorImplementations;
}
