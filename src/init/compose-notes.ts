// What stagecraft.yml cannot hold from a compose file's top level and services: taken
// out (so the file still validates and generates) and listed, for the header comment and
// the CLI's warnings. Nothing is dropped silently.
import { isMapping, type Mapping } from '../config/config-values.js';
import { reduceNetworks } from './reduce-networks.js';

/** The services, reduced to what stagecraft.yml holds, and what was left out. */
export interface Reduced {
  readonly services: Record<string, Mapping>;
  readonly notes: string[];
}

function names(value: unknown): string[] {
  return isMapping(value) ? Object.keys(value) : [];
}

function list(items: readonly string[]): string {
  return items.join(', ');
}

/**
 * Reduces the compose document's services: networks folded into the project network,
 * `secrets`/`configs` references removed (stagecraft.yml has no top-level secrets or
 * configs for them to name). Top-level keys stagecraft.yml cannot hold are noted.
 */
export function reduceCompose(root: Mapping, services: Readonly<Record<string, Mapping>>, file: string): Reduced {
  const notes: string[] = [];
  const customNetworks = names(root['networks']).filter((name) => name !== 'default');
  const reduced: Record<string, Mapping> = {};
  const leftNetworks = new Set(customNetworks);
  const leftSecrets: string[] = [];
  for (const [name, service] of Object.entries(services)) {
    const copy: Record<string, unknown> = { ...service };
    if (service['networks'] !== undefined) {
      const { networks, dropped } = reduceNetworks(service['networks']);
      if (networks === undefined) delete copy['networks'];
      else copy['networks'] = networks;
      for (const network of dropped) leftNetworks.add(network);
    }
    for (const key of ['secrets', 'configs']) {
      if (service[key] === undefined) continue;
      delete copy[key];
      leftSecrets.push(`${key} of ${name}`);
    }
    reduced[name] = copy;
  }
  if (leftNetworks.size > 0) {
    notes.push(`networks ${list([...leftNetworks])}: stagecraft puts every service on one network, the services' aliases are kept on it`);
  }
  if (leftSecrets.length > 0) notes.push(`${list(leftSecrets)}: stagecraft.yml has no top-level secrets or configs to name`);
  const volumeOptions = Object.entries(isMapping(root['volumes']) ? root['volumes'] : {})
    .filter(([, options]) => isMapping(options) && Object.keys(options).length > 0)
    .map(([volume, options]) => `${volume} (${list(Object.keys(options as Mapping))})`);
  if (volumeOptions.length > 0) notes.push(`the options of volumes ${list(volumeOptions)}: stagecraft declares each named volume with none`);
  if (root['include'] !== undefined) notes.push(`include: the services of the included files are not in ${file}; copy them under services:`);
  return { services: reduced, notes };
}
