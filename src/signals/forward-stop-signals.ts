import type { EventEmitter } from 'node:events';
import type { StopSignal } from '../../machines/dev-session.types.js';

export const stopSignals: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Turns every SIGINT, SIGTERM and SIGHUP received by `processLike` into a call
 * of `stop(signal)`. Each signal is forwarded every time: the machine decides
 * what a second or third STOP means. Having listeners also keeps Node from
 * dying on the signal. Returns the function that removes the listeners.
 */
export function forwardStopSignals(processLike: EventEmitter, stop: (signal: StopSignal) => void): () => void {
  const listeners = stopSignals.map((signal) => [signal, () => stop(signal)] as const);
  for (const [signal, listener] of listeners) processLike.on(signal, listener);
  return () => {
    for (const [signal, listener] of listeners) processLike.off(signal, listener);
  };
}
