#!/usr/bin/env node
// The installed `stagecraft` (dist/src/cli.js): runs the CLI's bundle (dist/src/cli.cjs, built
// from src/cli.ts) through the loader that gives V8 each bundle's code cache.
import { fileURLToPath } from 'node:url';
import { loadBundle } from './bundle-loader/load-bundle.js';

loadBundle(fileURLToPath(new URL('./cli.cjs', import.meta.url)));
