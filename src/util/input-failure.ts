import type { SessionFailure } from '../../machines/dev-session.types.js';

/** An input or config error (exit 1): what is wrong, and what to do about it. */
export function inputFailure(message: string): SessionFailure {
  return { kind: 'input', message };
}
