// The validated shape of stagecraft.yml: what the generator consumes. Plain data,
// defaults already applied, so the generator never has to guess.

/** The two app services stagecraft routes to. */
export type AppRole = 'backend' | 'frontend';

/** The app roles, in the (sorted) order stagecraft writes them. */
export const appRoles: readonly AppRole[] = ['backend', 'frontend'];

/** `build:` of an app service; `context` as written, relative to stagecraft.yml's directory. */
export interface BuildSpec {
  readonly context: string;
  /** Relative to the context, as compose reads it. */
  readonly dockerfile: string | undefined;
}

/** A compose healthcheck, in compose's own terms. */
export interface Healthcheck {
  /** A string runs through the container's shell (CMD-SHELL); a list starts with CMD, CMD-SHELL or NONE. */
  readonly test: string | readonly string[];
  readonly interval: string | undefined;
  readonly timeout: string | undefined;
  readonly retries: number | undefined;
  readonly startPeriod: string | undefined;
}

/** `backend:` or `frontend:` with `provider: generic`. */
export interface AppService {
  readonly provider: 'generic';
  /** At least one of `image` and `build` is set. */
  readonly image: string | undefined;
  readonly build: BuildSpec | undefined;
  readonly command: string | readonly string[] | undefined;
  readonly workdir: string | undefined;
  /** Values as strings; null takes the value from compose's environment. */
  readonly env: Readonly<Record<string, string | null>>;
  /** The port the service listens on inside its container; Traefik routes to it. */
  readonly port: number;
  readonly healthcheck: Healthcheck | undefined;
  /** Compose short volume syntax (`./src:/app/src:ro`, `data:/var/lib/x`); relative sources from stagecraft.yml's directory. */
  readonly volumes: readonly string[];
  /**
   * `compose:`: further compose keys for the generated service (`ports`, `depends_on`,
   * `restart`, …), as compose.yaml would hold them; relative paths rebased as in extra
   * services. None sets a key the section's own fields set; `labels` and `expose` are
   * merged with stagecraft's own. Empty when not given.
   */
  readonly compose: Readonly<Record<string, unknown>>;
}

/** `dev.traefik`: `true`, `false` or `{ enabled, http, https }`. */
export interface TraefikSettings {
  readonly enabled: boolean;
  /** Host port published for Traefik's `web` entrypoint (container port 80). */
  readonly http: number;
  /** Host port published for Traefik's `websecure` entrypoint (container port 443). */
  readonly https: number;
}

/** `dev:`: how the stack is reached locally. */
export interface DevSettings {
  readonly domains: Readonly<Record<AppRole, string>>;
  readonly traefik: TraefikSettings;
}

/** An extra compose service, passed through as written (its relative paths are rebased). */
export type ExtraService = Readonly<Record<string, unknown>>;

/** stagecraft.yml, validated, with defaults applied. */
export interface StagecraftConfig {
  readonly project: { readonly name: string };
  /** At least one of the two is set. */
  readonly apps: Readonly<Partial<Record<AppRole, AppService>>>;
  /** Sorted by name; none is named `backend`, `frontend` or `traefik`. */
  readonly services: Readonly<Record<string, ExtraService>>;
  readonly dev: DevSettings;
}

/** `dev.domains` when not set. */
export const defaultDomains: Readonly<Record<AppRole, string>> = {
  frontend: 'app.localdev.test',
  backend: 'api.localdev.test',
};

/** `dev.traefik` when not set: on, on ports 80 and 443. */
export const defaultTraefik: TraefikSettings = { enabled: true, http: 80, https: 443 };

/** The config file `stagecraft dev` looks for in the working directory. */
export const defaultConfigFile = 'stagecraft.yml';

/** Service names stagecraft generates; extra services may not take them (`traefik` only while stagecraft's Traefik is on). */
export const reservedServiceNames: readonly string[] = ['backend', 'frontend', 'traefik'];

/** Service names an extra service may not take, given whether stagecraft generates its Traefik. */
export function reservedNamesFor(traefikEnabled: boolean): readonly string[] {
  return traefikEnabled ? reservedServiceNames : reservedServiceNames.filter((name) => name !== 'traefik');
}
