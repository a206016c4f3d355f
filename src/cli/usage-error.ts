/** A usage error: printed as `stagecraft dev: error: <message>; see stagecraft dev --help`, exit 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * True for a UsageError. By name, not `instanceof`: the bundled CLI has two copies of
 * this module (dist/src/cli.cjs and dist/src/cli/yargs-cli.cjs), and either may throw it.
 */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof Error && error.name === 'UsageError';
}
