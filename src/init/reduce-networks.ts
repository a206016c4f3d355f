// stagecraft puts every service on the one project network (`default`); extra networks
// are refused in stagecraft.yml. init folds a service's networks into that one, keeping
// every alias it had on any of them, so host names still resolve.
import { isMapping, type Mapping } from '../config/config-values.js';

/** A service's `networks:` on the project network alone, and the networks it left. */
export function reduceNetworks(networks: unknown): { networks: unknown; dropped: string[] } {
  if (networks === undefined || networks === null) return { networks, dropped: [] };
  if (Array.isArray(networks)) {
    const dropped = networks.filter((name) => name !== 'default').map(String);
    return { networks: dropped.length === 0 ? networks : undefined, dropped };
  }
  if (!isMapping(networks)) return { networks, dropped: [] };
  const dropped = Object.keys(networks).filter((name) => name !== 'default');
  if (dropped.length === 0) return { networks, dropped };
  const own = isMapping(networks['default']) ? networks['default'] : {};
  const aliases: unknown[] = [];
  // The project network's own aliases first, then those of the networks it replaces.
  for (const entry of [own, ...dropped.map((name) => networks[name])]) {
    if (!isMapping(entry) || !Array.isArray(entry['aliases'])) continue;
    for (const alias of entry['aliases']) if (!aliases.includes(alias)) aliases.push(alias);
  }
  const kept: Mapping = aliases.length === 0 ? own : { ...own, aliases };
  return { networks: Object.keys(kept).length === 0 ? undefined : { default: kept }, dropped };
}
