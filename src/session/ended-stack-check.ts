// compose's `logs --follow` ends once every container of the project has exited, but it
// can miss the exit of a container that ends just as it starts following: seen with
// compose 2.26 (every container exited, `logs --follow` still waiting, for good). A stack
// that ended by itself would then hold the session until Ctrl+C. So the follower asks
// `ps` whether anything still runs at the two moments such a miss can show: shortly after
// `logs --follow` starts (every container may have ended before it watched), and shortly
// after each exit compose reports (an earlier exit may have been missed). Nothing is
// polled while the stack runs.

/** compose's line for a container that ended: `web-1 exited with code 0`. */
const exitLine = /\bexited with code -?\d+\b/;

export interface EndedStackCheck {
  /** Log output as it reaches the session; an exit line schedules a check. */
  output(text: string): void;
  /** No more checks (the follower ended, or the session moved on). */
  stop(): void;
}

export interface EndedStackCheckOptions {
  /** After `logs --follow` starts, and after an exit line, how long to wait before `ps`. */
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

  const check = async (): Promise<void> => {
    timer = undefined;
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
      if (exitLine.test(text)) schedule();
    },
    stop() {
      done = true;
      clearTimeout(timer);
      inFlight?.abort();
    },
  };
}
