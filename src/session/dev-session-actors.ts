import { fromCallback, fromPromise } from 'xstate';
import type {
  devSessionMachine,
  DevSessionEvent,
  DiagnoseInput,
  FollowLogsInput,
  ObservedServices,
} from '../../machines/dev-session.machine.js';
import type { ClaimResult, DevOptions, DevPlan, LogCursor, PlannedCommand, Removal, StaleSession } from '../../machines/dev-session.types.js';
import type { CommandResult, ComposeRunner, FollowedProcess } from '../compose/compose-runner.js';
import { LogCursorTracker } from '../compose/log-cursor.js';
import { failedServices, parsePsOutput } from '../compose/parse-ps.js';
import type { Reporter } from '../output/reporter.js';
import { loadPlan } from '../plan/load-plan.js';
import type { AcquireResult } from '../session-file/session-lock.js';
import { lockedFailure, staleSession } from './session-claims.js';
import { describeFailure, runPlanned } from './describe-failure.js';
import { followEngineEvents } from './follow-engine-events.js';
import { hasMessage } from '../util/has-message.js';
import { observeServices } from './observe-services.js';
import { showFailedServices } from './show-failed-services.js';
import { runStart } from './run-start.js';
import { forceTearDown, tearDown } from './tear-down.js';

/** How long a forced teardown waits for cancelled children before SIGKILLing them. */
export const forcedKillAfterMs = 1000;

/** The part of the session lock the actors use (SessionLock in production). */
export interface SessionClaim {
  /** The session record's path, for messages. */
  readonly file: string;
  /** Claims the session file; an aborted `signal` (STOP meanwhile) gives up waiting for it. */
  acquire(plan: DevPlan, state: string, signal?: AbortSignal): Promise<AcquireResult>;
  /** The stale session found by `acquire` has been torn down. */
  reconciled(): void;
}

export interface DevSessionDeps {
  readonly runner: ComposeRunner;
  readonly lock: SessionClaim;
  readonly reporter: Reporter;
  /** The working directory the dev dir is relative to. */
  readonly cwd: string;
}

type ActorImplementations = Parameters<typeof devSessionMachine.provide>[0]['actors'];

/**
 * The real effects of the dev-session machine, for `.provide({ actors })`.
 * Each one runs only commands from the plan; failures reach the machine as
 * `SessionFailure` data.
 */
export function createDevSessionActors(deps: DevSessionDeps) {
  const { runner, reporter } = deps;
  const logs = (text: string): void => reporter.report({ type: 'logs', text });

  const runStep = (command: PlannedCommand, plan: DevPlan, signal: AbortSignal): Promise<CommandResult> =>
    runPlanned(runner, command, plan, signal);

  async function readContainers(plan: DevPlan, signal: AbortSignal) {
    const { stdout } = await runStep(plan.exitCodes, plan, signal);
    return parsePsOutput(plan.exitCodes, stdout);
  }

  /**
   * No service is at fault: `C version` says whether compose itself still works (SPEC §3
   * explain; run only after a failure). Best effort: it can only add to the error.
   */
  async function explain(plan: DevPlan, signal: AbortSignal): Promise<void> {
    const failed = await runner.run(plan.explain, signal).then(
      () => undefined,
      (error: unknown) => describeFailure(error, plan),
    );
    if (failed !== undefined && hasMessage(failed)) {
      reporter.report({ type: 'warning', message: `no service is at fault, and compose itself fails: ${failed.message}` });
    }
  }

  const actors = {
    validate: fromPromise<DevPlan, DevOptions>(({ input }) => loadPlan(input, deps.cwd)),

    claim: fromPromise<ClaimResult, DevPlan>(async ({ input, signal }) => {
      const claim = await deps.lock.acquire(input, 'claiming', signal);
      if (claim.kind === 'held') throw lockedFailure(claim);
      return { stale: claim.stale === undefined ? undefined : staleSession(claim.stale, input, deps.lock.file) };
    }),

    reconcile: fromPromise<Removal, StaleSession>(async ({ input, signal }) => {
      const removal = await tearDown(runner, input.plan.teardown, input.plan, signal);
      deps.lock.reconciled();
      return removal;
    }),

    start: fromPromise<void, DevPlan>(({ input, signal }) => runStart(runner, input, deps.cwd, signal)),

    followEvents: fromCallback<DevSessionEvent, DevPlan>(({ input, sendBack }) =>
      followEngineEvents(runner, input.events, input, sendBack),
    ),

    followLogs: fromCallback<DevSessionEvent, FollowLogsInput>(({ input, sendBack, receive }) => {
      let stopped = false;
      const tracker = new LogCursorTracker(input.cursor, input.floor);
      let followed: FollowedProcess | undefined;
      const follow = (cursor: LogCursor | undefined): void => {
        const attach = cursor?.since === undefined
          ? input.plan.attach
          : { ...input.plan.attach, argv: [...input.plan.attach.argv, '--since', cursor.since] };
        const current = runner.follow(attach, (text) => {
          const shown = tracker.show(text);
          if (shown !== '') logs(shown);
        });
        followed = current;
        // However the stream ended, the machine decides from the services whether that matters.
        const end = (): void => {
          if (!stopped && followed === current) sendBack({ type: 'LOGS_ENDED', cursor: tracker.cursor() });
        };
        current.done.then(end, end);
      };
      follow(input.cursor);
      // compose does not follow a container the engine restarted: the machine asks for a
      // new stream from where this one got to (lines already shown are dropped).
      receive((event) => {
        if (event.type !== 'REATTACH_LOGS' || stopped || followed === undefined) return;
        // One stream at a time: the old one ends (its last lines shown) before the new one starts.
        const previous = followed;
        followed = undefined;
        previous.stop();
        void previous.done.catch(() => undefined).then(() => {
          if (!stopped && followed === undefined) follow(tracker.cursor());
        });
      });
      return () => {
        stopped = true;
        followed?.stop();
      };
    }),

    observeServices: fromPromise<ObservedServices, DevPlan>(({ input, signal }) => observeServices(runner, input.exitCodes, input, signal)),

    diagnose: fromPromise<readonly string[], DiagnoseInput>(async ({ input, signal }) => {
      const { plan, failure } = input;
      const known = failure?.kind === 'start-failed' ? failure.services : [];
      const services =
        known.length > 0
          ? known
          : failedServices(plan.expectedServices, await readContainers(plan, signal), {
              stderr: failure?.kind === 'start-failed' ? failure.stderrTail : '',
              projectName: plan.projectName,
              serviceImages: plan.serviceImages,
            });
      if (services.length === 0) {
        await explain(plan, signal);
        return services;
      }
      // The plan's `logs --tail 50`, with the services found at fault appended (SPEC §3); best
      // effort: the rollback matters more.
      await showFailedServices(runner, reporter, { diagnostics: plan.diagnostics, health: plan.health, services, statuses: input.services }, signal);
      return services;
    }),

    teardown: fromPromise<Removal, DevPlan>(async ({ input, signal }) => {
      await runner.idle({ phases: ['start'] });
      return tearDown(runner, input.teardown, input, signal);
    }),

    forcedTeardown: fromPromise<Removal, DevPlan>(async ({ input, signal }) => {
      // Forcing: what was cancelled (a stuck graceful `down`) gets a second, not the usual grace.
      await runner.idle({ killAfterMs: forcedKillAfterMs });
      return forceTearDown(runner, input, signal);
    }),
  } satisfies ActorImplementations;
  return actors;
}
