// Preloaded (`node --require`) into the CLI's training and checking runs by
// scripts/train-code-cache.mjs; never part of the CLI. At the process's exit it reads the
// bundles the loader compiled (src/bundle-loader/load-bundle.ts lists them under
// Symbol.for('stagecraft.compiledBundles')) and, as STAGECRAFT_CODE_CACHE says:
// - `write`: writes each one's code cache beside it, unless an earlier run wrote it;
// - `check`: appends to the file STAGECRAFT_CODE_CACHE_REPORT one JSON line per bundle,
//   whether a cache was given and whether V8 took it.
'use strict';
const { appendFileSync, existsSync, writeFileSync } = require('node:fs');
const { setFlagsFromString } = require('node:v8');

const mode = process.env.STAGECRAFT_CODE_CACHE;
const report = process.env.STAGECRAFT_CODE_CACHE_REPORT;

process.on('exit', () => {
  const bundles = globalThis[Symbol.for('stagecraft.compiledBundles')] ?? new Map();
  if (mode === 'write') {
    // V8 takes a cache only under the flags it was made with, and a `dev` session changes one
    // at run time (src/util/young-generation.ts); a CLI loading its bundles has not yet.
    setFlagsFromString('--semi-space-growth-factor=2');
    for (const { script, cacheFile } of bundles.values()) {
      if (!existsSync(cacheFile)) writeFileSync(cacheFile, script.createCachedData());
    }
  } else if (mode === 'check') {
    for (const [bundle, { cacheGiven, cacheRejected }] of bundles) {
      appendFileSync(report, `${JSON.stringify({ bundle, cacheGiven, cacheRejected })}\n`);
    }
  }
});
