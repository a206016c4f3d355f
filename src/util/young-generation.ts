// The CLI's peak memory under a burst of log lines (bench/RESULTS.md, fan-in memory): the
// lines are many short-lived strings, and V8 doubles its young generation after each
// scavenge that finds it too small, up to 16 MB a semi-space (Node 20); the process keeps
// those pages for its life. Semi-spaces of a few MB take such a burst as well: once the young
// generation has grown to 8 MB, its growth is turned off (it is noticed after a collection,
// so one more doubling may have happened: 8-16 MB in all, against up to 32 MB; at 4 MB the
// fan-in's throughput dropped below 0.95x of compose's). `--max-semi-space-size` would do it
// too, but only on node's command line; the growth factor is read by V8 each time it grows, so it can be set at run time.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The young generation's size (both semi-spaces) from which it no longer grows. */
export const youngGenerationCapBytes = 8 * 1024 * 1024;

/** After each garbage collection, until the young generation has reached the cap: at the cap, stops its growth. */
export function capYoungGeneration(): void {
  const observer = new PerformanceObserver(() => {
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (young !== undefined && young.space_size < youngGenerationCapBytes) return;
    setFlagsFromString('--semi-space-growth-factor=1');
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}
