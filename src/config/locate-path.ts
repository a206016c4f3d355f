// Where a config path (`backend.env.API_URL`, `services.db.volumes[0]`) is in the text, for
// messages. Each mapping's keys are indexed once, on first use, so locating every problem of
// a file is linear in the file: a scan per problem took 50 s for 80,000 unknown keys.
import { isMap, isScalar, isSeq, type Document, type Pair, type YAMLMap } from 'yaml';
import type { ConfigPath } from './config-issues.js';

/**
 * A function from a path to the offset of its key in `doc`'s text (of the list item, for an
 * index). A path that does not exist in the text (a merge key's, a missing key's) is placed
 * at the nearest ancestor that does; undefined for an empty document.
 */
export function pathLocator(doc: Document): (path: ConfigPath) => number | undefined {
  const indexes = new WeakMap<YAMLMap, ReadonlyMap<string, Pair>>();
  /** The first pair of each scalar key of `map`, as the validation reads keys: as strings. */
  const pairsOf = (map: YAMLMap): ReadonlyMap<string, Pair> => {
    let index = indexes.get(map);
    if (index === undefined) {
      const built = new Map<string, Pair>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (!built.has(key)) built.set(key, pair);
      }
      indexes.set(map, built);
      index = built;
    }
    return index;
  };

  return (path) => {
    let node: unknown = doc.contents;
    let offset: number | undefined = doc.contents?.range?.[0];
    for (const segment of path) {
      if (isMap(node)) {
        const pair = pairsOf(node).get(String(segment));
        if (pair === undefined) break;
        offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as { range?: [number, number, number] } | undefined;
        if (item === undefined) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return offset;
  };
}
