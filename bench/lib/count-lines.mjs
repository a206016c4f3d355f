// The counting consumer of the logs benchmarks: reads compose log lines on stdin,
// checks that each one is whole (`<service>-1  | <n>`, compose's erase-line escapes
// allowed in front, and the engine's time after the bar with --timestamps) and that each service's numbers run 1, 2, 3, … with none missing,
// repeated or cut (`bad` counts the lines that break a run; the services' lines may
// interleave), and reports on stdout as one JSON line once `--expect` lines have arrived
// (it keeps draining stdin after that, so the writer never blocks). `perService`: each
// service's line count and last number.
// Usage: node count-lines.mjs --expect 1000000 [--progress-ms 0]
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { expect: { type: 'string' }, 'progress-ms': { type: 'string', default: '0' } } });
const expected = Number(values.expect);
const progressMs = Number(values['progress-ms']);
const linePattern = /^(?:\u001b\[2K)*([a-z0-9_-]+)-1 +\| (?:\d{4}-\d\d-\d\dT[\d:.]+Z )?(\d+)$/;

let pending = '';
let lines = 0;
let bad = 0;
let firstBad;
let firstAt;
let lastAt;
let reported = false;
const since = () => Number(process.hrtime.bigint()) / 1e6;

function report() {
  reported = true;
  const perService = Object.fromEntries([...next].map(([service, n]) => [service, { lines: counts.get(service), last: n - 1 }]));
  process.stdout.write(`${JSON.stringify({ type: 'done', lines, bad, firstBad, firstAt, lastAt, seconds: (lastAt - firstAt) / 1000, perService })}\n`);
}

/** Each service's next expected number, and its line count. */
const next = new Map();
const counts = new Map();

function take(line) {
  const match = linePattern.exec(line);
  const service = match?.[1];
  const n = match === null ? undefined : Number(match[2]);
  const want = next.get(service) ?? 1;
  if (n !== want) {
    bad += 1;
    firstBad ??= { at: lines + 1, service, expected: want, line: line.slice(0, 200) };
  }
  if (n !== undefined) {
    next.set(service, n + 1); // after a gap, the count goes on from there
    counts.set(service, (counts.get(service) ?? 0) + 1);
  }
  lines += 1;
  if (lines === expected && !reported) report();
}

if (progressMs > 0) {
  // The soak reads these: lines so far and whether all were good.
  setInterval(() => process.stdout.write(`${JSON.stringify({ type: 'progress', lines, bad, firstBad, at: since() })}\n`), progressMs).unref();
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const now = since();
  firstAt ??= now;
  lastAt = now;
  const text = pending + chunk;
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    take(text.slice(start, end));
    start = end + 1;
  }
  pending = text.slice(start);
});
process.stdin.on('end', () => {
  if (pending !== '') take(pending); // a last line without its newline is counted, and fails the pattern only if cut
  if (!reported) report();
});
