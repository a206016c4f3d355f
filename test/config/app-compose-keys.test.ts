// `compose:` in an app section (further compose keys for the generated service) and an
// extra service named `traefik` while stagecraft's Traefik is off: what validation takes
// and refuses, and what the generator makes of it.
import { parseConfig } from '../../src/config/read-config.js';
import { composeFromConfig } from '../../src/generate/compose-from-config.js';

const file = 'stagecraft.yml';
const project = 'project:\n  name: shop\n';
const backend = (lines: string) => `${project}backend:\n  provider: generic\n  port: 8080\n${lines}`;

/** Expects `text` to be refused with exactly this input failure. */
function expectRefused(text: string, message: string): void {
  expect(() => parseConfig(text, file)).toThrow(expect.objectContaining({ kind: 'input', message }));
}

const backendService = (text: string) => (composeFromConfig(parseConfig(text, file), '../..')['services'] as Record<string, unknown>)['backend'];

describe('compose: in an app section', () => {
  test('is read as written; empty when absent', () => {
    expect(parseConfig(backend('  image: x\n  compose:\n    ports: ["8080:8080"]\n    restart: unless-stopped\n'), file).apps.backend?.compose).toStrictEqual({
      ports: ['8080:8080'],
      restart: 'unless-stopped',
    });
    expect(parseConfig(backend('  image: x\n'), file).apps.backend?.compose).toStrictEqual({});
  });

  test('adds its keys after stagecraft\'s, paths rebased, labels and expose merged, the role label last, init overridable', () => {
    const text = backend(`  image: x
  compose:
    init: false
    expose: [9229, "8080"]
    labels: [team=api]
    env_file: ./api/.env
    depends_on: [db]
services:
  db: { image: postgres }
`);
    expect(backendService(text)).toStrictEqual({
      image: 'x',
      init: false,
      expose: ['8080', '9229'],
      env_file: '../../api/.env',
      depends_on: ['db'],
      labels: { 'dev.stagecraft.role': 'backend', team: 'api' },
    });
    expect(Object.keys(backendService(text) as object)).toEqual(['image', 'init', 'expose', 'env_file', 'depends_on', 'labels']);
  });

  test('may give the image or build the section leaves out', () => {
    expect(backendService(backend('  compose:\n    build: { context: ./api, target: dev }\n'))).toStrictEqual({
      init: true,
      expose: ['8080'],
      build: { context: '../../api', target: 'dev' },
      labels: { 'dev.stagecraft.role': 'backend' },
    });
    expectRefused(
      backend('  compose:\n    restart: always\n'),
      'stagecraft.yml:3:1: backend: needs an image or a build; add `image: <name>` or `build: { context: <dir> }`',
    );
  });

  test('refuses a key given twice, the role label, other networks, and a compose: that is not a mapping, all at once', () => {
    const text = backend(`  image: x
  command: run
  workdir: /app
  env: { A: 1 }
  compose:
    image: y
    command: other
    working_dir: /srv
    environment: [B=2]
    labels: { dev.stagecraft.role: frontend }
    networks: [default, back]
`);
    expectRefused(
      text,
      [
        'stagecraft.yml has 6 problems:',
        'stagecraft.yml:11:5: backend.compose.image: given twice, here and as backend.image; keep one',
        'stagecraft.yml:12:5: backend.compose.command: given twice, here and as backend.command; keep one',
        'stagecraft.yml:13:5: backend.compose.working_dir: given twice, here and as backend.workdir; keep one',
        'stagecraft.yml:14:5: backend.compose.environment: given twice, here and as backend.env; keep one',
        "stagecraft.yml:15:5: backend.compose.labels: dev.stagecraft.role is stagecraft's own label (the role of the service); remove it",
        'stagecraft.yml:16:5: backend.compose.networks: expected only the project network `default` (stagecraft puts every service on it); remove the other networks',
      ].join('\n  '),
    );
    expectRefused(
      backend('  image: x\n  compose: [ports]\n'),
      'stagecraft.yml:7:3: backend.compose: expected a mapping of further compose keys for this service, got a list',
    );
  });
});

describe('an extra service named traefik', () => {
  const withTraefik = (traefik: string) =>
    `${backend('  image: x\n')}services:\n  traefik: { image: traefik:v3.1 }\ndev:\n  traefik: ${traefik}\n`;

  test('is the project\'s own Traefik when stagecraft\'s is off', () => {
    const config = parseConfig(withTraefik('false'), file);
    expect(config.services).toStrictEqual({ traefik: { image: 'traefik:v3.1' } });
    expect((composeFromConfig(config, '../..')['services'] as Record<string, unknown>)['traefik']).toStrictEqual({ image: 'traefik:v3.1' });
  });

  test('is refused while stagecraft generates its own', () => {
    expectRefused(
      withTraefik('true'),
      'stagecraft.yml:8:3: services.traefik: the name traefik is taken by the service stagecraft generates; rename this service',
    );
  });
});
