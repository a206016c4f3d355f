// compose's `logs --follow` ends once every container of the project has exited, but it
// can miss the exit of a container that ends just as it starts following: seen with
// compose 2.26 (every container exited, `logs --follow` still waiting, for good). A stack
// that ended by itself would then hold the session until Ctrl+C. So the follower asks
// `ps` whether anything still runs at the two moments such a miss can show: after
// `logs --follow` starts (every container may have ended before it watched), and after
// each exit compose reports (an earlier exit may have been missed); each time only once
// the log stream has been quiet for `settleMs`, so compose has printed what it holds (an
// ended stack's logs still stream in full) before the follower is stopped. Nothing is
// polled while the stack runs.

/** compose's line for a container that ended: `web-1 exited with code 0`. */
const exitLine = /\bexited with code -?\d+\b/;

export interface EndedStackCheck {
  /** Log output as it reaches the session: an exit line makes a check due; any output postpones a due one. */
  output(text: string): void;
  /** No more checks (the follower ended, or the session moved on). */
  stop(): void;
}

export interface EndedStackCheckOptions {
  /** How long the log stream must be quiet, once a check is due, before `ps`. */
  readonly settleMs: number;
  /** True when no container of the stack still runs; rejects when it cannot tell. */
  readonly stackEnded: (signal: AbortSignal) => Promise<boolean>;
  /** Called once, when a check finds the stack ended. */
  readonly onEnded: () => void;
}

export function checkForEndedStack(options: EndedStackCheckOptions): EndedStackCheck {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: AbortController | undefined;
  let done = false;
  /** A check is due once the stream is quiet: from the start, and after each exit line. */
  let armed = true;

  const check = async (): Promise<void> => {
    timer = undefined;
    armed = false;
    const controller = new AbortController();
    inFlight = controller;
    const ended = await options.stackEnded(controller.signal).catch(() => false);
    if (inFlight === controller) inFlight = undefined;
    if (done || controller.signal.aborted || !ended) return;
    done = true;
    options.onEnded();
  };
  const schedule = (): void => {
    if (done) return;
    clearTimeout(timer);
    timer = setTimeout(() => void check(), options.settleMs);
  };

  schedule();
  return {
    output(text) {
      if (exitLine.test(text)) armed = true;
      // While a check is due, output postpones it: the stream is not quiet yet.
      if (armed) schedule();
    },
    stop() {
      done = true;
      clearTimeout(timer);
      inFlight?.abort();
    },
  };
}
