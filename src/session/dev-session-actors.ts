import { fromCallback, fromPromise } from 'xstate';
import type { devSessionMachine, DevSessionEvent, DiagnoseInput } from '../../machines/dev-session.machine.js';
import type {
  DevOptions,
  DevPlan,
  PlannedCommand,
  PreflightResult,
  ServiceExit,
  StaleSession,
} from '../../machines/dev-session.types.js';
import type { CommandResult, ComposeRunner } from '../compose/compose-runner.js';
import { isComposeFailure } from '../compose/compose-runner.js';
import { failedServices, parsePsOutput, serviceExits, type ContainerState } from '../compose/parse-ps.js';
import type { Reporter } from '../output/reporter.js';
import { loadPlan } from '../plan/load-plan.js';
import type { AcquireResult } from '../session-file/session-lock.js';
import { lockedFailure, staleSession } from './session-claims.js';
import { quoteArgv } from '../util/shell-words.js';
import { runPlanned } from './describe-failure.js';
import { checkForEndedStack, type EndedStackCheck } from './ended-stack-check.js';

/** How long a forced teardown waits for cancelled children before SIGKILLing them. */
export const forcedKillAfterMs = 1000;

/** Container states (compose's `ps` State) of a service that has not ended. */
const runningStates: ReadonlySet<string> = new Set(['running', 'restarting', 'paused']);

/** True when the stack has containers and none of them runs any more. */
function noneRunning(containers: readonly ContainerState[]): boolean {
  return containers.length > 0 && containers.every((c) => !runningStates.has(c.state));
}

function logsEndedEarly(plan: DevPlan, running: readonly string[]) {
  return {
    kind: 'command-failed',
    message: `the log stream (\`${quoteArgv(plan.attach.argv)}\`) ended while ${running.join(', ')} still ran, so the session ends; check the engine (\`docker info\`) and run \`stagecraft dev\` again`,
  } as const;
}

/** The part of the session lock the actors use (SessionLock in production). */
export interface SessionClaim {
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
  /** How long after `logs --follow` starts, or reports an exit, `ps` checks for an ended stack (2 s). */
  readonly endedStackSettleMs?: number;
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

  const actors = {
    validate: fromPromise<DevPlan, DevOptions>(({ input }) => loadPlan(input, deps.cwd)),

    preflight: fromPromise<PreflightResult, DevPlan>(async ({ input, signal }) => {
      await runStep(input.preflight, input, signal);
      const claim = await deps.lock.acquire(input, 'preflight', signal);
      if (claim.kind === 'held') throw lockedFailure(claim.holder, claim.elsewhere);
      return { stale: claim.stale === undefined ? undefined : staleSession(claim.stale) };
    }),

    reconcile: fromPromise<void, StaleSession>(async ({ input, signal }) => {
      await runStep(input.plan.teardown, input.plan, signal);
      deps.lock.reconciled();
    }),

    start: fromPromise<void, DevPlan>(async ({ input, signal }) => {
      await runStep(input.start, input, signal);
    }),

    followLogs: fromCallback<DevSessionEvent, DevPlan>(({ input, sendBack }) => {
      let stopped = false;
      const end = (exitCode: number): void => {
        if (stopped) return;
        stopped = true;
        endedCheck?.stop();
        sendBack({ type: 'LOGS_ENDED', exitCode });
      };
      let endedCheck: EndedStackCheck | undefined;
      const followed = runner.follow(input.attach, (text) => {
        endedCheck?.output(text);
        logs(text);
      });
      // compose may miss an exit and follow an ended stack forever: `ps` decides then.
      endedCheck = checkForEndedStack({
        settleMs: deps.endedStackSettleMs ?? 2000,
        stackEnded: async (signal) => noneRunning(await readContainers(input, signal)),
        onEnded: () => {
          end(0);
          followed.stop();
        },
      });
      followed.done.then(
        () => end(0),
        (error: unknown) => end(isComposeFailure(error) ? (error.exitCode ?? 1) : 1),
      );
      return () => {
        stopped = true;
        endedCheck?.stop();
        followed.stop();
      };
    }),

    readExitCodes: fromPromise<readonly ServiceExit[], DevPlan>(async ({ input, signal }) => {
      const exits = serviceExits(await readContainers(input, signal));
      // `logs --follow` also ends when it is killed or loses the engine: then the stack
      // has not ended, and reading its running containers as "exited 0" would be a lie.
      const running = exits.filter((exit) => runningStates.has(exit.state)).map((exit) => exit.service);
      if (running.length > 0) throw logsEndedEarly(input, [...new Set(running)]);
      return exits;
    }),

    diagnose: fromPromise<readonly string[], DiagnoseInput>(async ({ input, signal }) => {
      const { plan } = input;
      const services = failedServices(plan.expectedServices, await readContainers(plan, signal), {
        stderr: input.failure?.kind === 'start-failed' ? input.failure.stderrTail : '',
        projectName: plan.projectName,
        serviceImages: plan.serviceImages,
      });
      if (services.length === 0) return services;
      reporter.report({ type: 'diagnostics', services });
      // The plan's `logs --tail 50`, with the services found at fault appended (SPEC §3).
      const followed = runner.follow({ ...plan.diagnostics, argv: [...plan.diagnostics.argv, ...services] }, logs);
      signal.addEventListener('abort', () => followed.stop(), { once: true });
      await followed.done.catch(() => undefined); // best effort: the rollback matters more
      return services;
    }),

    teardown: fromPromise<void, DevPlan>(async ({ input, signal }) => {
      await runner.idle();
      await runStep(input.teardown, input, signal);
    }),

    forcedTeardown: fromPromise<void, DevPlan>(async ({ input, signal }) => {
      // Forcing: what was cancelled (a stuck graceful `down`) gets a second, not the usual grace.
      await runner.idle(forcedKillAfterMs);
      const [kill, down] = input.forcedTeardown;
      // `kill` failing (say, a container already gone) must not keep `down` from running.
      await runner.run(kill, signal).catch(() => undefined);
      await runStep(down, input, signal);
    }),
  } satisfies ActorImplementations;
  return actors;
}
