import type { EventEmitter } from 'node:events';
import { toPromise, type AnyActorRef, type OutputFrom } from 'xstate';
import { forwardStopSignals } from './forward-stop-signals.js';

/**
 * Starts `actor` and resolves with its output once it reaches a final state. Until then every
 * SIGINT, SIGTERM and SIGHUP of `processLike` is a STOP; the machine decides what each means.
 * The listeners stay on afterwards, inert: the rest of a burst of Ctrl+C (or a late SIGTERM)
 * arriving while the CLI drains its output would otherwise get Node's default action and kill
 * the process mid-exit, without the exit code the machine chose.
 */
export async function runUntilFinal<TActor extends AnyActorRef>(actor: TActor, processLike: EventEmitter): Promise<OutputFrom<TActor>> {
  let finished = false;
  forwardStopSignals(processLike, (signal) => {
    if (!finished) actor.send({ type: 'STOP', signal });
  });
  try {
    actor.start();
    return (await toPromise(actor)) as OutputFrom<TActor>;
  } finally {
    finished = true;
  }
}
