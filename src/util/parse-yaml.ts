// YAML text → a document with every error a user should see, in time linear in the text.
// yaml's own `uniqueKeys` check compares each key with every key before it in its map
// (util-map-includes.js: `items.some(…)`): 80,000 keys took 53 s. Duplicates are found here
// instead, in one pass with a Set per map, and reported as yaml would report them.
import { isScalar, LineCounter, parseDocument, visit, YAMLParseError, type Document } from 'yaml';

/** A parsed document and the line counter that locates its offsets. */
export interface ParsedYaml {
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

// yaml's defaults already refuse alias bombs past 100 aliases; stated here so the limit is
// visible. `merge` enables `<<:` merge keys, which compose files use.
const parseOptions = { merge: true, maxAliasCount: 100, uniqueKeys: false, prettyErrors: true } as const;

/** The limit on aliases for `doc.toJS()`. */
export const maxAliasCount = parseOptions.maxAliasCount;

/** `Map keys must be unique` at the second occurrence of each repeated scalar key, as yaml words it. */
function duplicateKeyErrors(doc: Document.Parsed, lineCounter: LineCounter): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        // yaml's rule: scalars with the same value. A merge key `<<` is a fresh Symbol each
        // time (several may merge), and NaN equals nothing; other keys (collections, aliases) never clash.
        if (!isScalar(key)) continue;
        const value: unknown = key.value;
        if (typeof value === 'number' && Number.isNaN(value)) continue;
        if (!seen.has(value)) {
          seen.add(value);
          continue;
        }
        const start = key.range?.[0] ?? 0;
        const at = lineCounter.linePos(start);
        const error = new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', `Map keys must be unique at line ${at.line}, column ${at.col}:`);
        error.linePos = [at];
        errors.push(error);
      }
    },
  });
  return errors;
}

/**
 * Parses `text` (one document). The document's `errors` hold yaml's syntax errors and
 * every duplicate key, in the order of the text; each has its `linePos`.
 */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...parseOptions, lineCounter });
  const duplicates = duplicateKeyErrors(doc, lineCounter);
  if (duplicates.length > 0) {
    doc.errors.push(...duplicates);
    doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
  }
  return { doc, lineCounter };
}
