// Traefik's files under <dev-dir>/traefik/: a static config that opens the two
// entrypoints and watches the dynamic directory, and one dynamic file that routes each
// app's domain to its port. File provider only: Traefik needs no Docker socket.
import { appRoles, type StagecraftConfig } from '../config/stagecraft-config.js';

/** Where compose mounts `<dev-dir>/traefik` in the Traefik container (its default config dir). */
export const traefikConfigMount = '/etc/traefik';

/** Traefik's static config, relative to the dev dir. */
export const traefikStaticFile = 'traefik/traefik.yml';
/** The one dynamic (routing) file, relative to the dev dir. */
export const traefikRoutesFile = 'traefik/dynamic/routes.yml';

/** Container ports of the entrypoints; the host ports are `dev.traefik.http` / `https`. */
export const traefikContainerPorts = { http: 80, https: 443 } as const;

/** traefik.yml: entrypoints `web` (:80) and `websecure` (:443), the file provider, logs. */
export function traefikStaticConfig(): Record<string, unknown> {
  return {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    entryPoints: {
      web: { address: `:${traefikContainerPorts.http}` },
      websecure: { address: `:${traefikContainerPorts.https}` },
    },
    providers: { file: { directory: `${traefikConfigMount}/dynamic`, watch: true } },
    log: { level: 'INFO' },
    accessLog: {},
  };
}

/**
 * routes.yml: for each app, `Host(<domain>)` on `web` and on `websecure` (TLS with
 * Traefik's default certificate) to `http://<service>:<port>` on the project network.
 */
export function traefikRoutes(config: StagecraftConfig): Record<string, unknown> {
  const routers: Record<string, unknown> = {};
  const services: Record<string, unknown> = {};
  for (const role of appRoles) {
    const app = config.apps[role];
    if (app === undefined) continue;
    const rule = `Host(\`${config.dev.domains[role]}\`)`;
    routers[role] = { rule, entryPoints: ['web'], service: role };
    routers[`${role}-tls`] = { rule, entryPoints: ['websecure'], service: role, tls: {} };
    services[role] = { loadBalancer: { servers: [{ url: `http://${role}:${app.port}` }] } };
  }
  return { http: { routers, services } };
}
