import { chooseRoles, imageBase, placeholderPort } from '../../src/init/choose-roles.js';

type Services = Record<string, Record<string, unknown>>;
const roles = (services: Services) => chooseRoles(Object.entries(services));
/** The chosen service of each role, for the tests that only care which. */
const picked = (services: Services) => {
  const r = roles(services);
  return { backend: r.backend?.service, frontend: r.frontend?.service, traefik: r.traefik };
};

describe('imageBase', () => {
  test.each([
    ['postgres', 'postgres'],
    ['postgres:16-alpine', 'postgres'],
    ['docker.io/library/Redis:7', 'redis'],
    ['registry.example.com:5000/team/api:dev', 'api'],
    ['bitnami/postgresql@sha256:abc', 'postgresql'],
  ])('%s → %s', (image, base) => expect(imageBase(image)).toBe(base));
});

describe('chooseRoles', () => {
  test('names weigh most: web is the frontend, api the backend, whatever their ports', () => {
    expect(roles({ api: { image: 'x', ports: ['3000:3000'] }, web: { image: 'y', ports: ['8000:8000'] } })).toStrictEqual({
      backend: { service: 'api', port: 3000, portGuessed: false, reasons: ['its name says backend (api)', 'it listens on 3000: it publishes 3000:3000'] },
      frontend: { service: 'web', port: 8000, portGuessed: false, reasons: ['its name says frontend (web)', 'it listens on 8000: it publishes 8000:8000'] },
      traefik: [],
    });
  });

  test('a static web server image and a dev-server port point to the frontend, an API port to the backend', () => {
    const r = roles({ one: { image: 'node:20', expose: ['8000'] }, two: { image: 'nginx:alpine', ports: ['8081:80'] } });
    expect(r.frontend).toStrictEqual({
      service: 'two',
      port: 80,
      portGuessed: false,
      reasons: ['it runs nginx, a web server for static pages', 'it listens on 80: it publishes 8081:80'],
    });
    expect(r.backend).toStrictEqual({
      service: 'one',
      port: 8000,
      portGuessed: false,
      reasons: ['8000 is a usual API port', 'it listens on 8000: it exposes 8000'],
    });
    expect(picked({ a: { image: 'x', command: 'vite --port 5173' }, b: { image: 'x', command: 'serve --port 8000' } })).toStrictEqual({
      backend: 'b',
      frontend: 'a',
      traefik: [],
    });
  });

  test('one service with evidence for both roles takes the stronger one; the pairing with the most evidence wins', () => {
    // `web-api` says both; `ui` can only be the frontend, so web-api is the backend.
    expect(picked({ 'web-api': { image: 'x', ports: ['8000:8000'] }, ui: { image: 'x', ports: ['3000:3000'] } })).toStrictEqual({
      backend: 'web-api',
      frontend: 'ui',
      traefik: [],
    });
    expect(picked({ 'web-api': { image: 'x', ports: ['8000:8000'] } })).toStrictEqual({ backend: 'web-api', frontend: undefined, traefik: [] });
  });

  test('on a tie the earlier service wins', () => {
    expect(picked({ 'api-a': { image: 'x', expose: [1] }, 'api-b': { image: 'x', expose: [2] } }).backend).toBe('api-a');
  });

  test('a service named backend or frontend, or labelled with the role, takes it, port or not', () => {
    expect(roles({ frontend: { image: 'x' }, api: { image: 'x', ports: ['1:1'] } })).toStrictEqual({
      backend: { service: 'api', port: 1, portGuessed: false, reasons: ['its name says backend (api)', 'it listens on 1: it publishes 1:1'] },
      frontend: {
        service: 'frontend',
        port: placeholderPort,
        portGuessed: true,
        reasons: [
          'it is named frontend',
          'no port found (no ports, expose, healthcheck URL, PORT or -p/--port in its command): 80 is a guess, set the port it listens on',
        ],
      },
      traefik: [],
    });
    const labelled = roles({ api: { image: 'x', expose: [1] }, core: { image: 'x', expose: [2], labels: ['dev.stagecraft.role=backend'] } });
    expect(labelled.backend).toStrictEqual({
      service: 'core',
      port: 2,
      portGuessed: false,
      reasons: ['it is labelled dev.stagecraft.role: backend', 'it listens on 2: it exposes 2'],
    });
    expect(labelled.frontend).toBeUndefined(); // api has no frontend evidence
  });

  test('never Traefik, infrastructure images (unless built) or a service behind a profile', () => {
    expect(
      picked({
        traefik: { image: 'traefik:v3', ports: ['80:80'] },
        proxy: { image: 'traefik:v3.1', ports: ['81:80'] },
        edge: { image: 'x', expose: [80], labels: { 'dev.stagecraft.role': 'traefik' } },
        db: { image: 'postgres:16', ports: ['5432:5432'] },
        cache: { image: 'bitnami/redis', ports: ['6379:6379'] },
        'web-debug': { image: 'x', ports: ['3000:3000'], profiles: ['debug'] },
        app: { image: 'x', ports: ['9999:9999'] },
      }),
    ).toStrictEqual({ backend: 'app', frontend: undefined, traefik: ['traefik', 'proxy', 'edge'] });
    expect(picked({ 'postgres-api': { build: '.', image: 'postgres', expose: [8000] } }).backend).toBe('postgres-api');
  });

  test('with no evidence anywhere, the first service with a port is the backend', () => {
    expect(roles({ worker: { image: 'x' }, alpha: { image: 'x', expose: ['1234'] }, beta: { image: 'x', expose: ['5678'] } })).toStrictEqual({
      backend: {
        service: 'alpha',
        port: 1234,
        portGuessed: false,
        reasons: [
          'no service looks like a frontend or an API (by name, image or port); it is the first service with a port',
          'it listens on 1234: it exposes 1234',
        ],
      },
      frontend: undefined,
      traefik: [],
    });
  });

  test('with no port anywhere, the first service that is not infrastructure, then any, is the backend with a guessed port', () => {
    const r = roles({ db: { image: 'postgres' }, worker: { image: 'x' } });
    expect(r.backend).toStrictEqual({
      service: 'worker',
      port: placeholderPort,
      portGuessed: true,
      reasons: [
        'no service has a port stagecraft could route to; it is the first service, so that the file is valid',
        'no port found (no ports, expose, healthcheck URL, PORT or -p/--port in its command): 80 is a guess, set the port it listens on',
      ],
    });
    expect(picked({ db: { image: 'postgres' }, traefik: { image: 'traefik' } }).backend).toBe('db');
    expect(picked({ traefik: { image: 'traefik' }, tools: { image: 'x', profiles: ['t'] } })).toStrictEqual({
      backend: undefined,
      frontend: undefined,
      traefik: ['traefik'],
    });
  });
});
