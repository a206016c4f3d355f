// Prints the README's headline table (section "Performance") from bench/results.json, the
// latest result of each benchmark: `node bench/readme-table.mjs`, then paste it over the
// table (the README is edited by hand; this only spares copying the figures).
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8'));
const r = (key) => results[key];
const ms = (v) => `${v.toFixed(0)}`;
const ratio = (key) => `${r(key).ratio.toFixed(2)}× (${ms(r(key).subject.value.median)} / ${ms(r(key).baseline.value.median)} ms)`;
const met = (key) => (r(key).met ? '' : '; **not met**');
const rate = (v) => `${(v / 1000).toFixed(0)} k`;
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
const need = (keys, row) => (keys.every((k) => results[k]) ? [row()] : []);
const rows = [
  ['`stagecraft dev plan` / `node -e 0`', `${r('cli-start').ratio.toFixed(2)}× (${r('cli-start').subject.value.median.toFixed(1)} / ${r('cli-start').baseline.value.median.toFixed(1)} ms)`, `${r('cli-start').target}${met('cli-start')}`],
  ['`stagecraft dev --detach` / `docker compose up --detach`, 3 services', ratio('start'), `${r('start').target}${met('start')}`],
  ['`dev --detach --wait` / `compose up --detach --wait`, 3 services with healthchecks', ratio('wait'), `${r('wait').target}${met('wait')}`],
  ['`dev --detach` / `compose up --detach`, 30 services', ratio('scale-start'), `${r('scale-start').target}${met('scale-start')}`],
  ['Ctrl+C → exit / `docker compose down`, 3 services', ratio('stop'), `${r('stop').target}${met('stop')}`],
  ['Ctrl+C → exit / `docker compose down`, 30 services', ratio('scale-stop'), `${r('scale-stop').target}${met('scale-stop')}`],
  ['log lines per second / `docker compose logs --follow`, 1 service', `${r('logs').ratio.toFixed(2)}× (${rate(r('logs').subject.value.median)} / ${rate(r('logs').baseline.value.median)} lines/s)`, `${r('logs').target}${met('logs')}`],
  ['the same, 10 services × 100,000 lines at once (each service in order, none lost, also across a re-attach)', `${r('fan-in').ratio.toFixed(2)}× (${rate(r('fan-in').subject.value.median)} / ${rate(r('fan-in').baseline.value.median)} lines/s)`, `${r('fan-in').target}${met('fan-in')}`],
  ['peak RSS of the CLI, 1 service, 1,000,000 lines', mb(r('memory').subject.value), `${r('memory').target}${met('memory')}`],
  ['peak RSS of the CLI / of its children together, 10 services', `${mb(Math.max(...r('fan-in-memory').subject.value.own))} / ${mb(Math.max(...r('fan-in-memory').subject.value.children))}`, `${r('fan-in-memory').target}${met('fan-in-memory')}`],
  ...need(['exit-latency', 'end-latency'], () => ["a service's exit → stagecraft's line / compose's", `${ms(r('exit-latency').subject.value.median)} / ${ms(r('exit-latency').baseline.value.median)} ms`, `${r('exit-latency').target}${met('exit-latency')}`,
  ]),
  ...need(['end-latency'], () => ["an ended stack's last exit → the session's exit, stack removed", `${ms(r('end-latency').subject.value.median)} ms (says it has ended after ${r('end-latency').extra[0].text.replace(/ \(.*/, '')})`, `${r('end-latency').target}${met('end-latency')}`]),
];
if (r('soak')) rows.push(['RSS over a 10-minute session with a steady log stream', r('soak').subject.short, r('soak').met ? 'no growth' : 'no growth; **not met**']);
process.stdout.write(['| | stagecraft / baseline | target |', '| --- | --- | --- |', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n') + '\n');
