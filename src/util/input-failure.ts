import type { SessionFailure } from '../../machines/dev-session.types.js';

/** An input or config error (exit 1): what is wrong, and what to do about it. */
export function inputFailure(message: string): SessionFailure {
  return { kind: 'input', message };
}

/** True for an `input` failure (what `inputFailure` and `fsFailure` build). */
export function isInputFailure(value: unknown): value is Extract<SessionFailure, { kind: 'input' }> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'input' && typeof (value as { message?: unknown }).message === 'string';
}
