import type { Argv } from 'yargs';
import { defaultConfigFile } from '../config/stagecraft-config.js';
import { envVariableFor } from './dev-flags.js';

/** The config file a command reads, and whether the user named it. */
export interface ConfigChoice {
  readonly file: string;
  /** Named with `--config` or STAGECRAFT_CONFIG: its absence is an error, not a skip. */
  readonly explicit: boolean;
}

/** Adds `--config <file>` (default `stagecraft.yml`; STAGECRAFT_CONFIG) to `dev`, `dev generate` and `dev plan`. */
export function withConfigFlag<T>(yargs: Argv<T>, env: NodeJS.ProcessEnv) {
  const fromEnv = env[envVariableFor('config')];
  return yargs.option('config', {
    type: 'string',
    describe: `the stagecraft config to generate the dev files from (default: ${defaultConfigFile}, when it exists)`,
    requiresArg: true,
    ...(fromEnv === undefined || fromEnv === '' ? {} : { default: fromEnv }),
  });
}

/** The parsed `--config`, from any command's arguments. */
export function configChoice(args: { readonly config?: unknown }): ConfigChoice {
  const file = args.config;
  return typeof file === 'string' ? { file, explicit: true } : { file: defaultConfigFile, explicit: false };
}
