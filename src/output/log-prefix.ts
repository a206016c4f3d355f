// The `api-1  | ` prefix compose puts on each container log line. On a terminal each service
// gets its own colour, the same one run after run (compose colours by start order, so a
// service's colour changes when another is added); off a terminal no colour; with
// `--no-log-prefix` no prefix at all. The log follower reads compose's prefix to know whose
// line it is (src/compose/log-cursor.ts), so compose always prints it and it is cut here.

export type LogPrefixStyle = 'color' | 'plain' | 'none';

// Compose's own palette, without red (stagecraft's errors are red).
const palette = ['36', '33', '32', '35', '34', '96', '93', '92', '95', '94'];

// `ESC[2K` (erase line), then the prefix, maybe coloured, up to its `|` and one space.
const prefixed = /^(\u001b\[2K)?((?:\u001b\[[0-9;]*m)*)([^\s|\u001b]+)(\s*\|)(?:\u001b\[0m)? ?/gm;

/** The service of a container's prefix name: `api-1` → `api`. */
function serviceOf(container: string): string {
  return container.replace(/-\d+$/, '');
}

/** A stable colour for `service` (FNV-1a of its name): the same service, the same colour. */
export function colorOf(service: string): string {
  let hash = 0x811c9dc5;
  for (const char of service) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return palette[hash % palette.length] ?? '36';
}

/** Log text (whole lines) with each line's prefix drawn in `style`; the erase-line escape is kept. */
export function styleLogPrefixes(text: string, style: LogPrefixStyle): string {
  // Plain and none are replacement patterns, not a function called for each line: a stream
  // of many short lines spends much of its time here (bench/RESULTS.md, fan-in). An
  // unmatched group ($1, no erase) is replaced by nothing.
  if (style === 'none') return text.replace(prefixed, '$1');
  if (style === 'plain') return text.replace(prefixed, '$1$3$4 ');
  return text.replace(prefixed, (_line, erase: string | undefined, _colors: string, container: string, bar: string) => {
    return `${erase ?? ''}\u001b[${colorOf(serviceOf(container))}m${container}${bar}\u001b[0m `;
  });
}
