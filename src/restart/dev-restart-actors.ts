import { fromCallback, fromPromise } from 'xstate';
import type { DevRestartEvent, DiagnoseRestartInput, devRestartMachine } from '../../machines/dev-restart.machine.js';
import type { RestartPlan } from '../../machines/dev-restart.types.js';
import type { ObservedServices } from '../../machines/dev-session.machine.js';
import type { DevPlan } from '../../machines/dev-session.types.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { Reporter } from '../output/reporter.js';
import { runPlanned } from '../session/describe-failure.js';
import { followEngineEvents } from '../session/follow-engine-events.js';
import { observeServices } from '../session/observe-services.js';
import { showFailedServices } from '../session/show-failed-services.js';

export interface DevRestartDeps {
  readonly runner: ComposeRunner;
  readonly reporter: Reporter;
  /** The project's plan: what failure messages cite. */
  readonly plan: DevPlan;
}

type ActorImplementations = Parameters<typeof devRestartMachine.provide>[0]['actors'];

/** The real effects of the restart machine, for `.provide({ actors })`: only the restart plan's commands. */
export function createDevRestartActors({ runner, reporter, plan }: DevRestartDeps) {
  return {
    survey: fromPromise<ObservedServices, RestartPlan>(({ input, signal }) => observeServices(runner, input.survey, plan, signal)),
    followEvents: fromCallback<DevRestartEvent, RestartPlan>(({ input, sendBack }) => followEngineEvents(runner, input.events, plan, sendBack)),
    restart: fromPromise<void, RestartPlan>(async ({ input, signal }) => {
      await runPlanned(runner, input.restart, plan, signal);
    }),
    diagnose: fromPromise<void, DiagnoseRestartInput>(({ input, signal }) =>
      showFailedServices(runner, reporter, { ...input.plan, services: input.services, statuses: input.statuses }, signal),
    ),
  } satisfies ActorImplementations;
}
