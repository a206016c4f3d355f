// L4: `stagecraft init` round trip on the real engine. For each compose file (the
// examples, the test stacks, init's own fixtures), `init` then `dev generate`, and
// `docker compose config --format json` of the original and of the generated file must
// resolve to the same services with the same image, build, command, entrypoint,
// environment, ports, volumes and healthcheck. What differs on purpose is asserted too:
// - the backend and the frontend are named `backend`/`frontend`, their old name an alias;
// - app services get `init: true`, their port in `expose`, the label dev.stagecraft.role;
// - stagecraft adds its `traefik` service (unless the project has a Traefik of its own);
// - networks are folded into the project's `default` (aliases kept), and references to
//   a renamed service (depends_on, links, network_mode) name its new name.
// Then the starter: init in an empty directory, and `dev --detach --wait` brings it up.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliPath, containers, describeE2e, forceRemove, leftovers, networks, nothingLeft, projectName, removeDir, runCli, volumes } from './e2e-harness.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

interface RoundTrip {
  /** A compose file, or a directory to copy whole (its compose file and what it refers to). */
  readonly source: string;
  /** Old name → the role it became. */
  readonly renames: Readonly<Record<string, string>>;
  readonly traefik: boolean;
}

const roundTrips: Readonly<Record<string, RoundTrip>> = {
  'examples/hello': { source: 'examples/hello/.stagecraft/dev/compose.yaml', renames: { web: 'frontend' }, traefik: true },
  'stacks/minimal': { source: 'test/fixtures/stacks/minimal/compose.yaml', renames: { web: 'frontend' }, traefik: true },
  'stacks/traefik': { source: 'test/fixtures/stacks/traefik/compose.yaml', renames: { app: 'backend' }, traefik: false },
  'stacks/traefik-labelled': { source: 'test/fixtures/stacks/traefik-labelled/compose.yaml', renames: { app: 'backend' }, traefik: false },
  'init/shop': { source: 'test/fixtures/init/shop', renames: { api: 'backend', web: 'frontend' }, traefik: true },
  'init/ports': { source: 'test/fixtures/init/ports', renames: { gateway: 'backend', ui: 'frontend' }, traefik: true },
  'init/named': { source: 'test/fixtures/init/named', renames: {}, traefik: true },
};

/** The fields that must come back the same. */
const sameFields = ['image', 'build', 'command', 'entrypoint', 'environment', 'ports', 'volumes', 'healthcheck'] as const;

type Service = Record<string, unknown>;
interface Resolved {
  readonly name: string;
  readonly services: Record<string, Service>;
}

function resolve(dir: string, file?: string): Resolved {
  const args = ['compose', ...(file === undefined ? [] : ['-f', file]), 'config', '--format', 'json'];
  const result = spawnSync('docker', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed in ${dir}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Resolved;
}

function pick(service: Service | undefined): Service {
  return Object.fromEntries(sameFields.filter((field) => service?.[field] !== undefined).map((field) => [field, service?.[field]]));
}

function init(dir: string, args: readonly string[] = []) {
  return spawnSync(process.execPath, [cliPath, 'init', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
}

describeE2e('stagecraft init round trip through docker compose config', () => {
  // What each test leaves to remove, last first: its temp dir, its project.
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });
  const tempDir = (): string => {
    const made = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-e2e-init-'));
    cleanups.push(() => removeDir(made));
    return made;
  };

  test.each(Object.keys(roundTrips))('%s: init, dev generate, and compose resolves the same services', async (name) => {
    const trip = roundTrips[name] as RoundTrip;
    const dir = tempDir();
    const source = path.join(repo, trip.source);
    if (trip.source.endsWith('.yaml') || trip.source.endsWith('.yml')) copyFileSync(source, path.join(dir, 'compose.yaml'));
    else cpSync(source, dir, { recursive: true });

    const written = init(dir);
    expect({ status: written.status, stdout: written.stdout }).toStrictEqual({ status: 0, stdout: '' });
    const generated = await runCli(dir, ['generate']);
    expect(generated.code).toBe(0);

    const original = resolve(dir);
    const back = resolve(dir, '.stagecraft/dev/compose.yaml');
    const renamed = (service: string) => trip.renames[service] ?? service;
    expect(back.name).toBe(original.name);
    const expectedNames = [...Object.keys(original.services).map(renamed), ...(trip.traefik ? ['traefik'] : [])].sort();
    expect(Object.keys(back.services).sort()).toEqual(expectedNames);
    for (const [service, spec] of Object.entries(original.services)) {
      expect({ service, ...pick(back.services[renamed(service)]) }).toStrictEqual({ service, ...pick(spec) });
    }

    // The differences, on purpose.
    for (const [old, role] of Object.entries(trip.renames)) {
      const app = back.services[role] as Service;
      expect(app['labels']).toMatchObject({ 'dev.stagecraft.role': role });
      expect((app['networks'] as Record<string, { aliases: string[] }>)['default']?.aliases).toContain(old);
    }
    if (trip.traefik) expect(back.services['traefik']?.['image']).toBe('traefik:v3');

    // `config` created nothing.
    // (Containers, networks and volumes only: another test's fake `docker` may be running a
    // project of the same name at the same time; `config` starts no process of its own.)
    expect({ containers: containers(original.name), networks: networks(original.name), volumes: volumes(original.name) }).toStrictEqual({
      containers: [],
      networks: [],
      volumes: [],
    });
  });

  test('the starter comes up with dev --detach --wait, and dev down leaves nothing', async () => {
    const cwd = path.join(tempDir(), 'starter');
    mkdirSync(cwd);
    const project = projectName('starter');
    cleanups.push(() => forceRemove(project, { volumes: true }));
    expect(init(cwd).status).toBe(0);
    const up = await runCli(cwd, ['--detach', '--wait', '--wait-timeout', '60', '-p', project]);
    expect({ code: up.code, first: up.stderr.split('\n')[0] }).toStrictEqual({
      code: 0,
      first: 'stagecraft dev: dev files in .stagecraft/dev generated from stagecraft.yml: wrote compose.yaml',
    });
    expect(containers(project)).toEqual(['backend running', 'frontend running']);
    const down = await runCli(cwd, ['down', '-p', project]);
    expect(down.code).toBe(0);
    expect(leftovers(project)).toStrictEqual(nothingLeft);
  });
});
