import type { Removal } from '../../machines/dev-session.types.js';

const plural = (count: number, one: string, many: string): string => (count === 1 ? one : many);

/** Anonymous volumes by their first 12 hex digits, as the engine's own listings shorten ids. */
const shortVolume = (name: string): string => name.slice(0, 12);

/**
 * What a teardown removed, in one sentence: `removed project shop: containers shop-api-1, shop-web-1;
 * network shop_default; anonymous volume 0123456789ab`. The engine listed nothing of it afterwards.
 */
export function removalText(projectName: string, removal: Removal): string {
  const parts = [
    ...(removal.containers.length === 0 ? [] : [`${plural(removal.containers.length, 'container', 'containers')} ${removal.containers.join(', ')}`]),
    ...(removal.networks.length === 0 ? [] : [`${plural(removal.networks.length, 'network', 'networks')} ${removal.networks.join(', ')}`]),
    ...(removal.volumes.length === 0
      ? []
      : [`${plural(removal.volumes.length, 'anonymous volume', 'anonymous volumes')} ${removal.volumes.map(shortVolume).join(', ')}`]),
  ];
  return parts.length === 0
    ? `project ${projectName} had no container, network or anonymous volume left to remove`
    : `removed project ${projectName}: ${parts.join('; ')}`;
}
