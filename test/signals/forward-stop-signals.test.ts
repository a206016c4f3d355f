// forwardStopSignals in process, with an EventEmitter as the process (STYLE §8.3): every
// SIGINT, SIGTERM and SIGHUP becomes one stop(signal), each time; the returned function takes
// the listeners off again. (Real signals to a real CLI: test/cli/*.cli.test.ts.)
import { EventEmitter } from 'node:events';
import { forwardStopSignals, stopSignals } from '../../src/signals/forward-stop-signals.js';
import type { StopSignal } from '../../machines/dev-session.types.js';

describe('forwardStopSignals', () => {
  it('forwards every stop signal, every time, in order; other events are not its business', () => {
    const processLike = new EventEmitter();
    const stops: StopSignal[] = [];
    forwardStopSignals(processLike, (signal) => stops.push(signal));
    processLike.emit('SIGINT');
    processLike.emit('SIGINT');
    processLike.emit('SIGTERM');
    processLike.emit('SIGHUP');
    processLike.emit('SIGUSR1');
    processLike.emit('exit');
    expect(stops).toStrictEqual(['SIGINT', 'SIGINT', 'SIGTERM', 'SIGHUP']);
  });

  it('listens to exactly SIGINT, SIGTERM and SIGHUP, and the returned function removes its listeners', () => {
    const processLike = new EventEmitter();
    const stops: StopSignal[] = [];
    const off = forwardStopSignals(processLike, (signal) => stops.push(signal));
    expect(stopSignals).toStrictEqual(['SIGINT', 'SIGTERM', 'SIGHUP']);
    expect(stopSignals.map((signal) => processLike.listenerCount(signal))).toStrictEqual([1, 1, 1]);
    off();
    expect(stopSignals.map((signal) => processLike.listenerCount(signal))).toStrictEqual([0, 0, 0]);
    processLike.emit('SIGINT');
    expect(stops).toStrictEqual([]);
  });
});
