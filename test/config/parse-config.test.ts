import { parseConfig } from '../../src/config/read-config.js';
import { defaultDomains, defaultTraefik } from '../../src/config/stagecraft-config.js';

const file = 'stagecraft.yml';

/** The input failure `text` gives; fails the test when it parses. */
function failureOf(text: string): unknown {
  try {
    parseConfig(text, file);
  } catch (error) {
    return error;
  }
  throw new Error('expected stagecraft.yml to be refused');
}

const input = (message: string) => ({ kind: 'input', message });

const project = 'project:\n  name: shop\n';
const backend = (lines: string) => `${project}backend:\n  provider: generic\n${lines}`;

describe('parseConfig: a valid config', () => {
  it('applies the defaults: domains, Traefik on 80/443, no env, volumes or extra services', () => {
    expect(parseConfig(backend('  image: shop/api\n  port: 8080\n'), file)).toStrictEqual({
      project: { name: 'shop' },
      apps: {
        backend: {
          provider: 'generic',
          image: 'shop/api',
          build: undefined,
          command: undefined,
          workdir: undefined,
          env: {},
          port: 8080,
          healthcheck: undefined,
          volumes: [],
          compose: {},
        },
      },
      services: {},
      dev: { domains: defaultDomains, traefik: defaultTraefik },
    });
    expect(defaultDomains).toStrictEqual({ frontend: 'app.localdev.test', backend: 'api.localdev.test' });
    expect(defaultTraefik).toStrictEqual({ enabled: true, http: 80, https: 443 });
  });

  it('reads every key of an app, env values as text and an empty env value as null', () => {
    const text = backend(`  build: { context: ./api, dockerfile: Dockerfile.dev }
  command: npm run dev
  workdir: /app
  env: { PORT: 8080, DEBUG: true, NAME: api, SECRET: }
  port: 8080
  healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 500ms, retries: 3, start_period: 1m30s }
  volumes: ["./api:/app", "cache:/cache"]
`);
    expect(parseConfig(text, file).apps.backend).toStrictEqual({
      provider: 'generic',
      image: undefined,
      build: { context: './api', dockerfile: 'Dockerfile.dev' },
      command: 'npm run dev',
      workdir: '/app',
      env: { PORT: '8080', DEBUG: 'true', NAME: 'api', SECRET: null },
      port: 8080,
      healthcheck: { test: ['CMD', 'true'], interval: '1s', timeout: '500ms', retries: 3, startPeriod: '1m30s' },
      volumes: ['./api:/app', 'cache:/cache'],
      compose: {},
    });
  });

  it('takes `build: <dir>` as the context', () => {
    expect(parseConfig(backend('  build: .\n  port: 1\n'), file).apps.backend?.build).toStrictEqual({ context: '.', dockerfile: undefined });
  });

  it('takes dev.traefik as a boolean or a mapping', () => {
    const dev = (value: string) => parseConfig(`${backend('  image: x\n  port: 1\n')}dev:\n  traefik: ${value}\n`, file).dev.traefik;
    expect(dev('false')).toStrictEqual({ enabled: false, http: 80, https: 443 });
    expect(dev('true')).toStrictEqual({ enabled: true, http: 80, https: 443 });
    expect(dev('{ http: 8080 }')).toStrictEqual({ enabled: true, http: 8080, https: 443 });
    expect(dev('{ enabled: false, https: 8443 }')).toStrictEqual({ enabled: false, http: 80, https: 8443 });
  });

  it('passes extra services through, sorted by name, and ignores top-level x- keys', () => {
    const text = `${project}x-base: &base\n  restart: "no"\nfrontend:\n  provider: generic\n  image: web\n  port: 3000
services:
  worker: { build: ./worker, <<: *base }
  db: { image: postgres:16, ports: ["5432:5432"] }
`;
    const config = parseConfig(text, file);
    expect(Object.keys(config.services)).toEqual(['db', 'worker']);
    expect(config.services).toStrictEqual({
      db: { image: 'postgres:16', ports: ['5432:5432'] },
      worker: { build: './worker', restart: 'no' },
    });
  });
});

describe('parseConfig: errors name the file, line and column, the key and what was expected', () => {
  test.each([
    ['an empty file', '', 'stagecraft.yml: expected a mapping with keys project, backend, frontend, services, dev, got nothing'],
    ['a list', '- a\n', 'stagecraft.yml:1:1: expected a mapping with keys project, backend, frontend, services, dev, got a list'],
    ['a duplicate key', 'project:\n  name: x\n  name: y\n', 'stagecraft.yml:3:3: not valid YAML: Map keys must be unique'],
    [
      'broken YAML',
      'project: [\n',
      'stagecraft.yml:2:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    ['no app', project, 'stagecraft.yml:1:1: expected a `backend` or a `frontend` (or both); stagecraft routes to them'],
    [
      'no project',
      'backend:\n  provider: generic\n  image: x\n  port: 80\n',
      'stagecraft.yml:1:1: project: missing; expected a mapping with the project name, such as `project: { name: shop }`',
    ],
    [
      'a project name compose refuses',
      'project:\n  name: Shop App\nbackend:\n  provider: generic\n  image: x\n  port: 80\n',
      'stagecraft.yml:2:3: project.name: expected a compose project name: lower-case letters, digits, "_" and "-", starting with a letter or digit, got "Shop App"',
    ],
    ['a port that is not a number', backend('  image: x\n  port: http\n'), 'stagecraft.yml:6:3: backend.port: expected a port from 1 to 65535, got "http"'],
    ['a missing port', backend('  image: x\n'), 'stagecraft.yml:3:1: backend.port: missing; expected a port from 1 to 65535'],
    [
      'no image or build',
      backend('  image:\n  port: 1\n'),
      'stagecraft.yml:3:1: backend: needs an image or a build; add `image: <name>` or `build: { context: <dir> }`',
    ],
    [
      'a missing provider',
      `${project}frontend:\n  image: x\n  port: 1\n`,
      'stagecraft.yml:3:1: frontend.provider: missing; expected generic (the only provider so far)',
    ],
    [
      'a relative workdir',
      backend('  image: x\n  port: 1\n  workdir: app\n'),
      'stagecraft.yml:7:3: backend.workdir: expected an absolute path inside the container, such as /app, got "app"',
    ],
    [
      'a build without a context',
      backend('  build: { dockerfile: D }\n  port: 1\n'),
      'stagecraft.yml:5:3: backend.build.context: missing; expected a directory, relative to stagecraft.yml',
    ],
    [
      'an empty command',
      backend('  image: x\n  port: 1\n  command: []\n'),
      'stagecraft.yml:7:3: backend.command: expected a non-empty list of strings, got an empty list',
    ],
    [
      'an env value that is a mapping',
      backend('  image: x\n  port: 1\n  env:\n    A: { b: 1 }\n'),
      'stagecraft.yml:8:5: backend.env.A: expected a string, a number, true, false or nothing, got a mapping',
    ],
    [
      'a volume without a source',
      backend('  image: x\n  port: 1\n  volumes: [":x"]\n'),
      'stagecraft.yml:7:13: backend.volumes[0]: expected a volume such as ./src:/app/src or data:/var/lib/data, got ":x"',
    ],
    [
      'a healthcheck list without CMD',
      backend('  image: x\n  port: 1\n  healthcheck:\n    test: [wget, x]\n'),
      'stagecraft.yml:8:5: backend.healthcheck.test: expected a list starting with CMD, CMD-SHELL or NONE, got one starting with "wget"',
    ],
    [
      'a healthcheck without test',
      backend('  image: x\n  port: 1\n  healthcheck:\n    retries: 3\n'),
      'stagecraft.yml:7:3: backend.healthcheck.test: missing; expected a shell command, or a list starting with CMD, CMD-SHELL or NONE',
    ],
    [
      'a bad duration',
      backend('  image: x\n  port: 1\n  healthcheck:\n    test: "true"\n    timeout: 5\n'),
      'stagecraft.yml:9:5: backend.healthcheck.timeout: expected a duration such as 1s, 500ms or 1m30s, got 5',
    ],
    [
      'a negative retry count',
      backend('  image: x\n  port: 1\n  healthcheck:\n    test: "true"\n    retries: -1\n'),
      'stagecraft.yml:9:5: backend.healthcheck.retries: expected a whole number, 0 or more, got -1',
    ],
    [
      'an unknown key at the top',
      `${backend('  image: x\n  port: 1\n')}traefik: true\n`,
      'stagecraft.yml:7:1: traefik: unknown key; expected one of project, backend, frontend, services, dev',
    ],
    [
      'an extra service named like a generated one',
      `${backend('  image: x\n  port: 1\n')}services:\n  traefik: { image: traefik:v2 }\n`,
      'stagecraft.yml:8:3: services.traefik: the name traefik is taken by the service stagecraft generates; rename this service',
    ],
    [
      'an extra service without image or build',
      `${backend('  image: x\n  port: 1\n')}services:\n  db: { ports: ["5432:5432"] }\n`,
      'stagecraft.yml:8:3: services.db: needs an image or a build; add `image: <name>` or `build: <dir>`',
    ],
    [
      'an extra service on another network',
      `${backend('  image: x\n  port: 1\n')}services:\n  db:\n    image: pg\n    networks: [back]\n`,
      'stagecraft.yml:10:5: services.db.networks: expected only the project network `default` (stagecraft puts every service on it); remove the other networks',
    ],
    [
      'a service name with a dot, quoted in the path',
      `${backend('  image: x\n  port: 1\n')}services:\n  "-db": { image: pg }\n`,
      'stagecraft.yml:8:3: services["-db"]: expected a service name of letters, digits, "_", "." and "-", starting with a letter or digit',
    ],
    [
      'a domain that is not a host name',
      `${backend('  image: x\n  port: 1\n')}dev:\n  domains:\n    backend: Not A Host\n`,
      'stagecraft.yml:9:5: dev.domains.backend: expected a host name such as app.localdev.test, got "Not A Host"',
    ],
    [
      'one domain for both apps',
      `${backend('  image: x\n  port: 1\n')}dev:\n  domains: { frontend: a.test, backend: a.test }\n`,
      "stagecraft.yml:8:32: dev.domains.backend: expected a domain other than the frontend's (a.test)",
    ],
    [
      'a Traefik setting that is not a boolean or mapping',
      `${backend('  image: x\n  port: 1\n')}dev:\n  traefik: off\n`,
      'stagecraft.yml:8:3: dev.traefik: expected a mapping with keys enabled, http, https, got "off"',
    ],
    [
      'the same port for http and https',
      `${backend('  image: x\n  port: 1\n')}dev:\n  traefik: { http: 8443, https: 8443 }\n`,
      "stagecraft.yml:8:26: dev.traefik.https: expected a port other than http's (8443)",
    ],
  ])('%s', (_what, text, message) => {
    expect(failureOf(text)).toStrictEqual(input(message));
  });

  it('lists every problem, in the order of the file', () => {
    const text = `${project}backend:
  provider: docker
  port: 70000
  prot: 1
frontend: yes
dev:
  traefik: { http: 80, tls: true }
`;
    expect(failureOf(text)).toStrictEqual(
      input(
        [
          'stagecraft.yml has 6 problems:',
          '  stagecraft.yml:3:1: backend: needs an image or a build; add `image: <name>` or `build: { context: <dir> }`',
          '  stagecraft.yml:4:3: backend.provider: expected generic (the only provider so far), got "docker"',
          '  stagecraft.yml:5:3: backend.port: expected a port from 1 to 65535, got 70000',
          '  stagecraft.yml:6:3: backend.prot: unknown key; expected one of provider, image, build, command, workdir, env, port, healthcheck, volumes, compose',
          '  stagecraft.yml:7:1: frontend: expected a mapping with keys provider, image, build, command, workdir, env, port, healthcheck, volumes, compose, got "yes"',
          '  stagecraft.yml:9:24: dev.traefik.tls: unknown key; expected one of enabled, http, https',
        ].join('\n'),
      ),
    );
  });

  it('shows at most 20 problems and counts the rest', () => {
    const env = Array.from({ length: 25 }, (_, i) => `    V${String(i).padStart(2, '0')}: [x]\n`).join('');
    const message = (failureOf(backend(`  image: x\n  port: 1\n  env:\n${env}`)) as { message: string }).message;
    const lines = message.split('\n');
    expect(lines[0]).toBe('stagecraft.yml has 25 problems:');
    expect(lines).toHaveLength(22);
    expect(lines[1]).toBe('  stagecraft.yml:8:5: backend.env.V00: expected a string, a number, true, false or nothing, got a list');
    expect(lines[21]).toBe('  … and 5 more');
  });

  it('refuses an alias bomb', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n')}\n`;
    expect((failureOf(bomb) as { message: string }).message).toMatch(/^stagecraft\.yml: cannot be loaded: /);
  });
});
