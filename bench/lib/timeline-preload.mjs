// A preload (`node --import <this file>`) that appends a timeline of the process to the file
// named by $BENCH_TIMELINE, one tab-separated line per mark: wall-clock ms (epoch, from
// performance.timeOrigin, the same clock as the bench's), pid, what. Marks: node's own start
// (`origin`), this preload running (`preload`, i.e. node bootstrapped), each child process
// spawned (`spawn <pid> <argv>`) and its exit, and the process's exit. Used by
// start-breakdown.mjs to show where a start spends its time.
import childProcess from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';

const file = process.env.BENCH_TIMELINE;
const mark = (what, at = performance.timeOrigin + performance.now()) => {
  if (file) appendFileSync(file, `${at.toFixed(1)}\t${process.pid}\t${what}\n`);
};
mark('origin', performance.timeOrigin);
mark('preload');
const original = childProcess.spawn;
childProcess.spawn = function spawn(command, args, options) {
  const child = original.call(this, command, args, options);
  const name = [command, ...(Array.isArray(args) ? args : [])].join(' ').slice(0, 200);
  mark(`spawn ${child.pid} ${name}`);
  child.once('exit', (code, signal) => mark(`exit ${child.pid} ${code ?? signal} ${name}`));
  return child;
};
syncBuiltinESMExports();
process.once('exit', (code) => mark(`process-exit ${code}`));
