// Summaries of repeated measurements: median and range, and how to print them.

/** Median, min, max and count of `samples` (numbers). */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) throw new Error('no samples');
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1], n };
}

/** `123.4 ms (110.2–140.9, n=20)` for a summary of milliseconds. */
export function formatMs(s, digits = 1) {
  return `${s.median.toFixed(digits)} ms (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}, n=${s.n})`;
}

/** `152 k lines/s (140–160 k, n=3)` for a summary of lines per second. */
export function formatRate(s) {
  const k = (v) => (v / 1000).toFixed(0);
  return `${k(s.median)} k lines/s (${k(s.min)}–${k(s.max)} k, n=${s.n})`;
}

/** `45.1 MB` from kilobytes. */
export function formatMb(kb) {
  return `${(kb / 1024).toFixed(1)} MB`;
}

/** Least-squares slope of `ys` over `xs`. */
export function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Runs `baseline` and `subject` (async, each resolving with one measurement) `runs` times
 * each, alternating which goes first, after one uncounted round of each (the engine's first
 * network and container of a run are slower). Resolves with both lists of measurements.
 */
export async function alternate(runs, baseline, subject) {
  await baseline();
  await subject();
  const measured = { baseline: [], subject: [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['baseline', 'subject'] : ['subject', 'baseline'];
    for (const side of order) measured[side].push(await (side === 'baseline' ? baseline() : subject()));
  }
  return measured;
}

/**
 * The result of a timed comparison (milliseconds, lower is better): both summaries, their
 * ratio, met when the ratio is at most `limit`, and the median difference as the overhead.
 */
export function timeComparison({ name, title, baseline, subject, b, s, limit, extra = [] }) {
  const ratio = s.median / b.median;
  return {
    name,
    title,
    baseline: { label: baseline, text: formatMs(b, 0), value: b },
    subject: { label: subject, text: formatMs(s, 0), value: s },
    ratio,
    target: `≤ ${limit.toFixed(2).replace(/0$/, '')}×`,
    met: ratio <= limit,
    extra: [{ label: 'stagecraft overhead (median difference)', text: `${(s.median - b.median).toFixed(0)} ms` }, ...extra],
  };
}
