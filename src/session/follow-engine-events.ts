// Following the engine's event stream (`C -p P events --json`) for a machine: each line as an
// ENGINE_EVENT, the stream's end (however it ended) as one EVENTS_ENDED with the reason. The
// session and `dev restart` both follow it this way.
import type { DevPlan, PlannedCommand } from '../../machines/dev-session.types.js';
import type { EngineEvent } from '../../machines/service.types.js';
import { parseComposeEvents } from '../compose/compose-events.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import { hasMessage } from '../util/has-message.js';
import { describeFailure } from './describe-failure.js';

export type EngineStreamEvent =
  | { readonly type: 'ENGINE_EVENT'; readonly event: EngineEvent }
  | { readonly type: 'EVENTS_ENDED'; readonly reason: string };

/** Follows `command`; returns the function that stops it (no EVENTS_ENDED after that). */
export function followEngineEvents(
  runner: ComposeRunner,
  command: PlannedCommand,
  plan: DevPlan,
  sendBack: (event: EngineStreamEvent) => void,
): () => void {
  let stopped = false;
  const followed = runner.follow(command, (text) => {
    for (const event of parseComposeEvents(text)) sendBack({ type: 'ENGINE_EVENT', event });
  });
  const ended = (reason: string): void => {
    if (!stopped) sendBack({ type: 'EVENTS_ENDED', reason });
  };
  followed.done.then(
    () => ended('it ended'),
    (error: unknown) => {
      const failure = describeFailure(error, plan);
      ended(hasMessage(failure) ? failure.message : String(error));
    },
  );
  return () => {
    stopped = true;
    followed.stop();
  };
}
