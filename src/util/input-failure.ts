import type { SessionFailure } from '../../machines/dev-session.types.js';
import { hasMessage } from './has-message.js';

/** An input or config error (exit 1): what is wrong, and what to do about it. */
export function inputFailure(message: string): SessionFailure {
  return { kind: 'input', message };
}

/** True for an `input` failure (what `inputFailure` and `fsFailure` build). */
export function isInputFailure(value: unknown): value is Extract<SessionFailure, { kind: 'input' }> {
  return hasMessage(value) && (value as { kind?: unknown }).kind === 'input';
}
