// `npm run bench`: builds (in the npm script), then runs every benchmark beside its
// baseline on the real engine with local images, prints the figures, updates
// bench/results.json and bench/RESULTS.md. Flags (after `npm run bench --`):
//   --only cli-start,start,stop,wait,scale,logs,fan-in,latency,config-problems,guardian
//                                      run these only (`--only soak`: the soak alone)
//   --runs N                           runs per side (defaults: 40, 16, 8, 6, 3, 3, 3, 4, 5, 8)
//   --soak [--soak-minutes N]          also the memory soak (10 minutes by default)
//   --cli PATH                         benchmark another build of the CLI (implies --no-write)
//   --no-write                         print only
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as cliStart from './cli-start.bench.mjs';
import * as configProblems from './config-problems.bench.mjs';
import * as guardian from './guardian.bench.mjs';
import * as fanIn from './fan-in.bench.mjs';
import * as latency from './latency.bench.mjs';
import * as logs from './logs.bench.mjs';
import { describeMachine } from './lib/machine.mjs';
import { loadResults, saveResults, writeResultsMarkdown } from './lib/results.mjs';
import { checkEngine, cleanup, leftovers } from './lib/stacks.mjs';
import * as soak from './soak.bench.mjs';
import * as start from './start.bench.mjs';
import * as scale from './scale.bench.mjs';
import * as stop from './stop.bench.mjs';
import * as wait from './wait.bench.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string' },
    soak: { type: 'boolean', default: false },
    'soak-minutes': { type: 'string', default: '10' },
    cli: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

const cli = path.resolve(values.cli ?? path.join(root, 'dist/src/cli.js'));
const write = !values['no-write'] && values.cli === undefined;
const benches = [cliStart, start, stop, wait, scale, logs, fanIn, latency, configProblems, guardian];
const only = values.only?.split(',');
const chosen = [
  ...benches.filter((b) => only === undefined || only.includes(b.name)),
  ...(values.soak || only?.includes('soak') ? [soak] : []),
];

const engineProblem = checkEngine();
if (engineProblem !== undefined) {
  process.stderr.write(`bench: ${engineProblem}\n`);
  process.exit(2);
}

// Ctrl+C during a run still removes what it made.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanup();
    process.exit(130);
  });
}

const machine = describeMachine(root);
const log = (line) => process.stdout.write(`${line}\n`);
const ctx = {
  root,
  cli,
  // The CLI runs as the installed bin does (`#!/usr/bin/env node`): this node first on PATH.
  cliEnv: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1' },
  runs: values.runs === undefined ? undefined : Number(values.runs),
  soakMinutes: Number(values['soak-minutes']),
  log,
};

log(`stagecraft bench: ${cli}`);
log(`machine: ${machine.cpu}, ${machine.memory}; ${machine.os}; Node ${machine.node}, Docker ${machine.docker}, Compose ${machine.compose}`);
const resultsFile = path.join(import.meta.dirname, 'results.json');
const results = loadResults(resultsFile);
let failed = false;
try {
  for (const bench of chosen) {
    log(`\n== ${bench.name}`);
    const startedAt = Date.now();
    // The machine is shared: the 1-minute load average before and after, beside the figures.
    const loadBefore = os.loadavg()[0];
    let outcome;
    try {
      outcome = await bench.run(ctx);
    } catch (error) {
      // One benchmark that breaks does not lose the others' results: said, and the run goes on.
      log(`  FAILED: ${error instanceof Error ? error.message.slice(0, 2000) : String(error)}`);
      failed = true;
      cleanup();
      continue;
    }
    const load = `${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`;
    for (const r of [outcome].flat()) {
      const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
      results[r.name] = { ...r, date, load, machine };
      if (r.baseline) log(`  baseline   ${r.baseline.label}: ${r.baseline.text}`);
      log(`  stagecraft ${r.subject.label}: ${r.subject.text}`);
      for (const e of r.extra ?? []) log(`  ${e.label}: ${e.text}`);
      log(`  ${r.ratio === undefined ? '' : `ratio ${r.ratio.toFixed(2)}×, `}target ${r.target}: ${r.met ? 'met' : 'NOT MET'}`);
      failed ||= !r.met;
    }
    log(`  (${((Date.now() - startedAt) / 1000).toFixed(0)} s; load average ${load})`);
  }
} finally {
  cleanup();
  const left = leftovers();
  if (left.length > 0) log(`\nbench: left behind (remove by hand): ${left.join(', ')}`);
}

if (write) {
  saveResults(resultsFile, results);
  writeResultsMarkdown(path.join(import.meta.dirname, 'RESULTS.md'), results);
  log('\nwrote bench/results.json and bench/RESULTS.md');
}
// A missed target is reported, not an error: the run itself worked.
log(failed ? '\nsome targets are not met (see above)' : '\nevery target met');
