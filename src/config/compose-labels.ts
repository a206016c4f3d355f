// Compose takes `labels:` as a mapping or as a list of `name=value`; stagecraft adds its
// role label to app services and reads it back, so both forms come down to one here.

/** The labels as a mapping, whichever form compose.yaml used; a name without a value (`name`, `name:`) maps to ''. */
export function labelMap(labels: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (Array.isArray(labels)) {
    for (const entry of labels) {
      const text = String(entry);
      const eq = text.indexOf('=');
      map[eq === -1 ? text : text.slice(0, eq)] = eq === -1 ? '' : text.slice(eq + 1);
    }
  } else if (typeof labels === 'object' && labels !== null) {
    for (const [name, value] of Object.entries(labels)) map[name] = value === null || value === undefined ? '' : String(value);
  }
  return map;
}
