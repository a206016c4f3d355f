// The compose → stagecraft.yml translation, on the repo's compose files (the examples,
// the test stacks, and init's own fixtures): which service takes which role, what is
// noted as not carried over, that the text validates, and what it generates back.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/read-config.js';
import { composeFromConfig } from '../../src/generate/compose-from-config.js';
import { configFromCompose } from '../../src/init/config-from-compose.js';
import { initYaml } from '../../src/init/init-yaml.js';
import { readComposeFile } from '../../src/init/read-compose-file.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The stagecraft.yml init writes for `file` (relative to the repo) in a directory named `dir`. */
async function initFor(file: string, dir = 'project') {
  const result = configFromCompose(await readComposeFile(path.join(root, file), path.basename(file)), path.basename(file), dir);
  const text = initYaml(result.value, result.header, result.comments);
  const config = parseConfig(text, 'stagecraft.yml');
  const services = composeFromConfig(config, '../..')['services'] as Record<string, Record<string, unknown>>;
  return { ...result, text, config, services };
}

type Services = Record<string, Record<string, unknown>>;

const cases: ReadonlyArray<[string, string, readonly string[]]> = [
  ['examples/hello/.stagecraft/dev/compose.yaml', 'frontend web (port 8080), extra services ticker', ['frontend', 'ticker', 'traefik']],
  ['test/fixtures/stacks/minimal/compose.yaml', 'frontend web (port 8080), extra services app', ['app', 'frontend', 'traefik']],
  ['test/fixtures/stacks/traefik/compose.yaml', 'backend app (port 8080), extra services traefik', ['backend', 'traefik']],
  ['test/fixtures/stacks/traefik-labelled/compose.yaml', 'backend app (port 8080), extra services proxy, edge, tools', ['backend', 'edge', 'proxy', 'tools']],
  ['test/fixtures/init/shop/docker-compose.yml', 'backend api (port 8000), frontend web (port 80), extra services db, worker, sidecar', ['backend', 'db', 'frontend', 'sidecar', 'traefik', 'worker']],
  ['test/fixtures/init/ports/compose.yaml', 'backend gateway (port 8080), frontend ui (port 5173), extra services jobs, debug', ['backend', 'debug', 'frontend', 'jobs', 'traefik']],
  ['test/fixtures/init/named/compose.yml', 'backend backend (port 4000), frontend frontend (port 3000), extra services cache', ['backend', 'cache', 'frontend', 'traefik']],
];

describe('configFromCompose on the repo\'s compose files', () => {
  test.each(cases)('%s: %s; the text validates and generates %j', async (file, summary, generated) => {
    const result = await initFor(file);
    expect(result.summary).toBe(summary);
    expect(Object.keys(result.services)).toEqual(generated);
  });

  test('hello: the whole file, comments included', async () => {
    const { text, notes } = await initFor('examples/hello/.stagecraft/dev/compose.yaml');
    expect(notes).toEqual([]);
    expect(text).toBe(`# stagecraft.yml, written by \`stagecraft init\` from compose.yaml (not read again).
# \`stagecraft dev\` generates .stagecraft/dev/compose.yaml from this file and runs the stack;
# \`stagecraft dev generate\` only writes the files. Paths are relative to this file.
#
# How the backend and the frontend were chosen (Traefik routes a domain to each):
# - a service named backend or frontend, or labelled dev.stagecraft.role so, takes that role;
# - otherwise only a service with a port it listens on can take one (published, exposed, in a
#   healthcheck URL, PORT in its environment, -p/--port in its command), never Traefik, an
#   image of a database, cache, queue or proxy, nor a service behind a profile;
# - a frontend shows by its name (web, ui, front, client, www, site…), a static web server image
#   (nginx, httpd, caddy) or a dev-server port (3000, 4200, 5173); a backend by its name (api,
#   back, server, service…) or an API port (8000, 8080, 5000, 4000, 9000); names weigh most;
# - with no such sign anywhere, the first service with a port is the backend.
# Each role says why below. To choose otherwise, move services between the sections.

project:
  name: hello

# frontend: the compose service web, because its name says frontend (web); it listens on 8080: its
# healthcheck calls http://127.0.0.1:8080.
# It is generated as the service frontend; web stays its host name (a network alias), and the
# references to it (depends_on of ticker) now name frontend.
# Under compose: the keys of web that the section's own fields do not hold, as written.
frontend:
  provider: generic
  image: busybox:latest
  command:
    - sh
    - -c
    - "mkdir -p /www && echo 'hello from stagecraft' > /www/index.html && echo 'web: serving on :8080' && exec httpd -f -v -p 8080 -h /www"
  port: 8080
  healthcheck:
    test:
      - CMD
      - wget
      - -q
      - -O
      - /dev/null
      - http://127.0.0.1:8080/
    interval: 1s
    timeout: 2s
    retries: 10
  compose:
    networks:
      default:
        aliases:
          - web

# The other services of compose.yaml, as written (relative paths are rebased when generated).
services:
  ticker:
    image: busybox:latest
    init: true
    command:
      - sh
      - -c
      - i=0; while true; do i=$$((i+1)); echo "tick $$i"; wget -q -O - http://web:8080/ ; sleep 1; done
    depends_on:
      frontend:
        condition: service_healthy

# Traefik (traefik:v3, pulled on first use) routes http://app.localdev.test to the frontend; add
# the domain to /etc/hosts as 127.0.0.1. \`stagecraft dev --no-traefik\` runs the stack without it.
dev:
  traefik: true
`);
  });

  test('shop: the backend is the compose service again, renamed, with its alias; references follow', async () => {
    const { services, notes, config } = await initFor('test/fixtures/init/shop/docker-compose.yml');
    expect(services['backend']).toStrictEqual({
      init: true,
      command: 'sh -c \'echo "api on 8000" && exec httpd -f -p 8000\'',
      working_dir: '/app',
      environment: { DATABASE_URL: 'postgres://db/shop', PORT: '8000', SECRET: null },
      expose: ['8000'],
      healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8000/'], interval: '5s', timeout: '2s', retries: 3, start_period: '10s' },
      build: { context: '../../api', args: { APP_ENV: 'development' } },
      ports: ['8000:8000'],
      volumes: ['../../api:/app', { type: 'volume', source: 'cache', target: '/app/.cache' }],
      depends_on: { db: { condition: 'service_healthy' } },
      networks: { default: { aliases: ['api'] } },
      labels: { 'dev.stagecraft.role': 'backend' },
    });
    expect(services['frontend']).toStrictEqual({
      image: 'nginx:alpine',
      init: true,
      volumes: ['../../web:/usr/share/nginx/html:ro'],
      expose: ['80'],
      ports: ['80:80'],
      depends_on: ['backend'],
      networks: { default: { aliases: ['www.shop.test', 'web'] } },
      labels: { 'com.example.team': 'web', 'dev.stagecraft.role': 'frontend' },
    });
    expect(services['worker']).toStrictEqual({
      build: '../../api',
      command: ['sh', '-c', 'while true; do wget -q -O - http://api:8000/; sleep 5; done'],
      depends_on: ['backend', 'db'],
      links: ['backend:apihost'],
    });
    expect(services['sidecar']?.['network_mode']).toBe('service:backend');
    expect(services['db']).toStrictEqual({
      image: 'postgres:16',
      environment: { LOG_LEVEL: 'debug' },
      volumes: ['pgdata:/var/lib/postgresql/data'],
      healthcheck: { test: ['CMD-SHELL', 'pg_isready -U postgres'], interval: '2s' },
    });
    // 80 is the frontend's: Traefik moves to 8080.
    expect(config.dev.traefik).toStrictEqual({ enabled: true, http: 8080, https: 443 });
    expect(notes).toEqual([
      "networks back, front: stagecraft puts every service on one network, the services' aliases are kept on it",
      'secrets of api: stagecraft.yml has no top-level secrets or configs to name',
      'the options of volumes cache (external): stagecraft declares each named volume with none',
    ]);
  });

  test('ports: every ports syntax kept as written; Traefik takes ports the project does not publish', async () => {
    const { services, config } = await initFor('test/fixtures/init/ports/compose.yaml', 'My Ports!');
    expect(config.project.name).toBe('myports');
    expect(services['frontend']?.['ports']).toStrictEqual(['127.0.0.1:5173:5173', { target: 9229, published: '9229', protocol: 'tcp' }, '443:8443']);
    expect(services['frontend']?.['healthcheck']).toStrictEqual({ test: 'wget -q -O /dev/null http://127.0.0.1:5173/', interval: '1s' });
    expect(services['backend']).toMatchObject({ entrypoint: ['sh', '-c'], command: ['exec httpd -f -p 8080'], expose: ['8080'], tmpfs: ['/tmp'] });
    expect(services['jobs']?.['healthcheck']).toStrictEqual({ disable: true });
    expect(services['debug']?.['profiles']).toStrictEqual(['debug']);
    expect(config.dev.traefik).toStrictEqual({ enabled: true, http: 8080, https: 8443 });
  });

  test('named: services already called backend and frontend keep their names and their own keys', async () => {
    const { services, value } = await initFor('test/fixtures/init/named/compose.yml');
    expect(value['backend']).toStrictEqual({
      provider: 'generic',
      image: 'busybox:latest',
      command: ['httpd', '-f', '-p', '4000'],
      port: 4000,
      compose: { labels: { 'com.example.tier': 'api' }, init: false },
    });
    expect(services['backend']).toStrictEqual({
      image: 'busybox:latest',
      init: false,
      command: ['httpd', '-f', '-p', '4000'],
      expose: ['4000'],
      labels: { 'com.example.tier': 'api', 'dev.stagecraft.role': 'backend' },
    });
    expect(services['frontend']?.['environment']).toStrictEqual({ API_URL: 'http://backend:4000', PORT: '3000' });
    expect(services['frontend']?.['networks']).toBeUndefined();
  });

  test('a project Traefik of its own turns stagecraft\'s off, and keeps its name', async () => {
    const { config, services } = await initFor('test/fixtures/stacks/traefik-labelled/compose.yaml');
    expect(config.dev.traefik.enabled).toBe(false);
    expect(services['proxy']).toStrictEqual({ image: 'traefik:v3.1', labels: ['dev.stagecraft.role=traefik'] });
    expect((await initFor('test/fixtures/stacks/traefik/compose.yaml')).services['traefik']?.['image']).toBe('traefik:v3.1');
  });
});

describe('configFromCompose on what it cannot take', () => {
  test.each<[string, unknown, string]>([
    ['a list', ['a'], 'compose.yaml is not a compose file: expected a mapping with a top-level `services` key'],
    ['no services', { name: 'x' }, 'compose.yaml has no services; add one, or run `stagecraft init` in an empty directory for a starter'],
    ['empty services', { services: {} }, 'compose.yaml has no services; add one, or run `stagecraft init` in an empty directory for a starter'],
    ['a service that is not a mapping', { services: { web: 'nginx' } }, 'compose.yaml: service web is not a mapping of compose keys'],
  ])('%s: an input failure', (_what, root, message) => {
    expect(() => configFromCompose(root, 'compose.yaml', 'x')).toThrow(expect.objectContaining({ kind: 'input', message }));
  });

  test('the project name: compose.yaml\'s own when valid, else the directory\'s as compose normalizes it', () => {
    const name = (root: Record<string, unknown>, dir: string) =>
      (configFromCompose({ services: { api: { image: 'x', expose: [1] } }, ...root }, 'compose.yaml', dir).value['project'] as { name: string }).name;
    expect(name({ name: 'shop' }, 'dir')).toBe('shop');
    expect(name({ name: '${PROJECT}' }, 'My_Dir')).toBe('my_dir');
    expect(name({}, '.Hidden Dir')).toBe('hiddendir');
    expect(name({}, '...')).toBe('app');
  });

  test('the notes: configs, include, networks in list form', () => {
    const { notes, value } = configFromCompose(
      {
        include: ['other.yaml'],
        services: { api: { image: 'x', expose: [1], configs: ['c'], networks: ['default', 'x'] }, db: { image: 'postgres', networks: ['x'] } },
      },
      'compose.yaml',
      'p',
    );
    expect(notes).toEqual([
      "networks x: stagecraft puts every service on one network, the services' aliases are kept on it",
      'configs of api: stagecraft.yml has no top-level secrets or configs to name',
      'include: the services of the included files are not in compose.yaml; copy them under services:',
    ]);
    expect(value['services']).toStrictEqual({ db: { image: 'postgres' } });
    expect((value['backend'] as { compose: unknown }).compose).toStrictEqual({ expose: [1], networks: { default: { aliases: ['api'] } } });
  });
});
