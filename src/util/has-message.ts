/** True for an error-like value with a string `message` (a described failure, an Error). */
export function hasMessage(value: unknown): value is { message: string } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}
