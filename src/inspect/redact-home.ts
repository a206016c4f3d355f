// What `--inspect` sends is the machines' context and events: the plan, paths, compose's
// stderr. Paths under the user's home directory name the user; they go as `~/…` instead.

/** Deep enough for any context or event of stagecraft's machines (the serializer stops at 10). */
const maxDepth = 12;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function redact(value: unknown, home: RegExp, depth: number): unknown {
  if (typeof value === 'string') return value.replace(home, '~');
  if (depth >= maxDepth || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, home, depth + 1));
  // Only plain data is copied: an actor reference or an Error is left as it is.
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, home, depth + 1)]));
}

/**
 * `value` with `home` shown as `~` wherever a string holds it as a whole path component
 * (`/home/ada/app` → `~/app`, not `/home/adam`). Plain objects and arrays are copied, never
 * changed; anything else is passed as it is. A home of `/` (or none) changes nothing.
 */
export function redactHome<T>(value: T, home: string): T {
  const trimmed = home.replace(/\/+$/, '');
  if (trimmed === '') return value;
  return redact(value, new RegExp(`${escapeRegExp(trimmed)}(?=/|$|[^\\w.-])`, 'g'), 0) as T;
}
