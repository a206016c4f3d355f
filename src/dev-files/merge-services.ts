// How compose puts the services of several files together (compose-go, loader/include.go
// and its override merge): an included file's services are imported, and a name defined on
// both sides must be the very same definition; the later paths of one include entry override
// the first, mapping by mapping.
import { isDeepStrictEqual } from 'node:util';
import { inputFailure } from '../util/input-failure.js';
import { isPlainObject, type ServiceDefinition } from './compose-model.js';

/** A service's definition and the file that gave it (as shown in messages). */
export interface Defined {
  readonly definition: ServiceDefinition;
  readonly file: string;
}

/** Service definitions by name. */
export type Definitions = ReadonlyMap<string, Defined>;

/** `definitions` (from `file`) as Definitions. */
export function definedIn(definitions: Readonly<Record<string, ServiceDefinition>>, file: string): Map<string, Defined> {
  return new Map(Object.entries(definitions).map(([name, definition]) => [name, { definition, file }]));
}

/**
 * `imported` (an included file's services) added to `into`, as compose imports them: a
 * service both define must be defined the same. Throws compose's conflict as an `input`
 * failure naming `includingFile` and the two files.
 */
export function importServices(into: Map<string, Defined>, imported: Definitions, includingFile: string): void {
  for (const [name, theirs] of imported) {
    const ours = into.get(name);
    if (ours === undefined) {
      into.set(name, theirs);
      continue;
    }
    if (isDeepStrictEqual(ours.definition, theirs.definition)) continue;
    throw inputFailure(
      `${includingFile}: services.${name} conflicts with imported resource (${ours.file} and ${theirs.file} define it differently); define it once`,
    );
  }
}

/** compose's `labels` in both forms (`[k=v]` or `{k: v}`) as a mapping, for merging. */
function labelMapping(labels: unknown): unknown {
  if (!Array.isArray(labels)) return labels;
  return Object.fromEntries(
    labels.filter((entry): entry is string => typeof entry === 'string').map((entry) => {
      const eq = entry.indexOf('=');
      return eq === -1 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }),
  );
}

/** Mappings merge key by key; anything else is replaced by the override. */
function mergeValue(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeValue(base[key], value);
  return merged;
}

/** One service overridden as compose does for the keys stagecraft reads: labels merge, profiles add up. */
function overrideService(base: ServiceDefinition, override: ServiceDefinition): ServiceDefinition {
  const merged = mergeValue(base, override) as Record<string, unknown>;
  if (base['labels'] !== undefined && override['labels'] !== undefined) {
    merged['labels'] = mergeValue(labelMapping(base['labels']), labelMapping(override['labels']));
  }
  if (Array.isArray(base['profiles']) && Array.isArray(override['profiles'])) {
    merged['profiles'] = [...new Set([...base['profiles'], ...override['profiles']])];
  }
  return merged;
}

/** `base`'s services overridden by `override`'s (the later paths of one include entry). */
export function overrideServices(base: Definitions, override: Definitions): Map<string, Defined> {
  const merged = new Map(base);
  for (const [name, theirs] of override) {
    const ours = merged.get(name);
    merged.set(name, ours === undefined ? theirs : { definition: overrideService(ours.definition, theirs.definition), file: ours.file });
  }
  return merged;
}
