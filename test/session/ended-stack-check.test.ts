// The follower's check for a stack that ended while compose's `logs --follow` missed it.
import { checkForEndedStack } from '../../src/session/ended-stack-check.js';
import { waitFor } from '../fixtures/fake-docker.js';

/** A `stackEnded` that answers from a list, recording each call and its signal. */
function answers(...results: Array<boolean | Error>) {
  const signals: AbortSignal[] = [];
  return {
    signals,
    stackEnded: async (signal: AbortSignal): Promise<boolean> => {
      signals.push(signal);
      const result = results[Math.min(signals.length - 1, results.length - 1)];
      if (result instanceof Error) throw result;
      return result ?? false;
    },
  };
}

const settleMs = 10;
/** Long enough for several settle periods to pass. */
const quietly = () => new Promise((resolve) => setTimeout(resolve, settleMs * 8));

describe('checkForEndedStack', () => {
  it('checks once, settleMs after the start, and reports an ended stack once', async () => {
    const a = answers(true);
    let ended = 0;
    const watch = checkForEndedStack({ settleMs, stackEnded: a.stackEnded, onEnded: () => (ended += 1) });
    await waitFor(() => ended === 1, 'the ended stack to be reported');
    watch.output('web-1 exited with code 0\n');
    await quietly();
    expect(a.signals).toHaveLength(1);
    expect(ended).toBe(1);
  });

  it('a stack still running is not checked again until compose reports an exit', async () => {
    const a = answers(false, true);
    let ended = 0;
    const watch = checkForEndedStack({ settleMs, stackEnded: a.stackEnded, onEnded: () => (ended += 1) });
    await waitFor(() => a.signals.length === 1, 'the first check');
    watch.output('web-1  | hello\napi-1  | started\n');
    await quietly();
    expect(a.signals).toHaveLength(1);
    expect(ended).toBe(0);
    watch.output('api-1 exited with code 3\n');
    await waitFor(() => ended === 1, 'the check after the exit line');
    expect(a.signals).toHaveLength(2);
  });

  it('waits for the stream to be quiet: output keeps postponing a due check (an ended stack’s logs still stream)', async () => {
    const a = answers(true);
    let ended = 0;
    const watch = checkForEndedStack({ settleMs: 200, stackEnded: a.stackEnded, onEnded: () => (ended += 1) });
    // Output every 5 ms for 400 ms: twice the settle period, never quiet for one.
    const until = Date.now() + 400;
    for (let i = 0; Date.now() < until; i++) {
      watch.output(`web-1  | line ${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(a.signals).toHaveLength(0);
    await waitFor(() => ended === 1, 'the check once the stream went quiet');
  });

  it('a check that fails counts as "not ended"', async () => {
    const a = answers(new Error('ps failed'));
    let ended = 0;
    const watch = checkForEndedStack({ settleMs, stackEnded: a.stackEnded, onEnded: () => (ended += 1) });
    await waitFor(() => a.signals.length === 1, 'the first check');
    await quietly();
    expect(ended).toBe(0);
    watch.stop();
  });

  it('stop() cancels a scheduled check, aborts one in flight, and nothing is reported after it', async () => {
    let release!: (ended: boolean) => void;
    const signals: AbortSignal[] = [];
    let ended = 0;
    const watch = checkForEndedStack({
      settleMs,
      stackEnded: (signal) => {
        signals.push(signal);
        return new Promise((resolve) => (release = resolve));
      },
      onEnded: () => (ended += 1),
    });
    await waitFor(() => signals.length === 1, 'a check in flight');
    watch.stop();
    expect(signals[0]?.aborted).toBe(true);
    release(true);
    watch.output('web-1 exited with code 0\n');
    await quietly();
    expect(ended).toBe(0);
    expect(signals).toHaveLength(1);

    const scheduled = answers(true);
    checkForEndedStack({ settleMs, stackEnded: scheduled.stackEnded, onEnded: () => (ended += 1) }).stop();
    await quietly();
    expect(scheduled.signals).toHaveLength(0);
  });
});
