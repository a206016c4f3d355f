import { appSection } from '../../src/init/app-section.js';
import { reduceNetworks } from '../../src/init/reduce-networks.js';
import { renameReferences } from '../../src/init/rename-services.js';

describe('appSection: the section\'s own fields when a value fits them exactly, compose: for the rest', () => {
  test('every field that fits, in the order a hand-written section has them', () => {
    const service = {
      healthcheck: { test: 'true', interval: '1s', timeout: '2s', retries: 3, start_period: '1m30s' },
      volumes: ['./src:/app/src', 'data:/data'],
      environment: ['A=1', 'B', 'C=x=y'],
      working_dir: '/app',
      command: ['npm', 'start'],
      build: { dockerfile: 'Dockerfile.dev' },
      image: 'shop/api:dev',
    };
    const section = appSection('backend', service, 8080, 'backend');
    expect(Object.keys(section)).toEqual(['provider', 'image', 'build', 'command', 'workdir', 'env', 'port', 'healthcheck', 'volumes']);
    expect(section).toStrictEqual({
      provider: 'generic',
      image: 'shop/api:dev',
      build: { context: '.', dockerfile: 'Dockerfile.dev' },
      command: ['npm', 'start'],
      workdir: '/app',
      env: { A: '1', B: null, C: 'x=y' },
      port: 8080,
      healthcheck: service.healthcheck,
      volumes: service.volumes,
    });
  });

  test.each<[string, Record<string, unknown>]>([
    ['a build with more than context and dockerfile', { build: { context: '.', target: 'dev' } }],
    ['an environment list naming a variable twice', { environment: ['A=1', 'A=2'] }],
    ['an environment value that is a list', { environment: { A: ['x'] } }],
    ['a healthcheck with start_interval', { healthcheck: { test: 'true', start_interval: '1s' } }],
    ['a healthcheck with disable', { healthcheck: { disable: true } }],
    ['a healthcheck test not starting with CMD', { healthcheck: { test: ['curl', 'x'] } }],
    ['a long-syntax volume', { volumes: ['./a:/a', { type: 'tmpfs', target: '/t' }] }],
    ['a relative working_dir', { working_dir: 'app' }],
    ['an empty command', { command: [] }],
  ])('%s goes under compose: as written', (_what, service) => {
    const section = appSection('backend', { image: 'x', ...service }, 1, 'backend');
    expect(section['compose']).toStrictEqual(service);
  });

  test('keeps other labels without stagecraft\'s role label, drops init: true (stagecraft sets it), keeps init: false', () => {
    expect(appSection('backend', { image: 'x', init: true, labels: ['a=1', 'dev.stagecraft.role=backend'] }, 1, 'backend')['compose']).toStrictEqual({
      labels: ['a=1'],
    });
    expect(appSection('backend', { image: 'x', init: false, labels: { 'dev.stagecraft.role': 'backend' } }, 1, 'backend')['compose']).toStrictEqual({
      init: false,
    });
    expect(appSection('backend', { image: 'x', labels: { a: 1, 'dev.stagecraft.role': 'backend' } }, 1, 'backend')['compose']).toStrictEqual({
      labels: { a: '1' },
    });
  });

  test('a renamed service keeps its name as an alias on the project network, after the aliases it had', () => {
    expect(appSection('web', { image: 'x' }, 1, 'frontend')['compose']).toStrictEqual({ networks: { default: { aliases: ['web'] } } });
    expect(
      appSection('web', { image: 'x', networks: { default: { aliases: ['www'], priority: 2 } } }, 1, 'frontend')['compose'],
    ).toStrictEqual({ networks: { default: { aliases: ['www', 'web'], priority: 2 } } });
    expect(appSection('web', { image: 'x', networks: ['default'] }, 1, 'frontend')['compose']).toStrictEqual({
      networks: { default: { aliases: ['web'] } },
    });
    // On another service's network stack a container has no aliases of its own.
    expect(appSection('web', { image: 'x', network_mode: 'service:api' }, 1, 'frontend')['compose']).toStrictEqual({
      network_mode: 'service:api',
    });
  });
});

describe('reduceNetworks: onto the project network, aliases kept', () => {
  test.each<[unknown, unknown, string[]]>([
    [undefined, undefined, []],
    [['default'], ['default'], []],
    [['front', 'back'], undefined, ['front', 'back']],
    [{ default: { aliases: ['a'] } }, { default: { aliases: ['a'] } }, []],
    [{ front: { aliases: ['www', 'a'] }, back: null, default: { aliases: ['a'] } }, { default: { aliases: ['a', 'www'] } }, ['front', 'back']],
    [{ front: { ipv4_address: '10.0.0.2' } }, undefined, ['front']],
  ])('%j → %j, leaving %j', (networks, reduced, dropped) => {
    expect(reduceNetworks(networks)).toStrictEqual({ networks: reduced, dropped });
  });
});

describe('renameReferences: what names a renamed service follows it', () => {
  test('depends_on, links, network_mode, ipc, pid, volumes_from and extends', () => {
    const services = {
      web: { image: 'x' },
      a: { depends_on: ['web', 'db'], links: ['web', 'db:data'], network_mode: 'service:web', volumes_from: ['web:ro', 'container:c'] },
      b: { depends_on: { web: { condition: 'service_healthy' } }, links: ['web:site'], ipc: 'service:web', pid: 'host', extends: 'web' },
      c: { extends: { service: 'web' }, volumes_from: ['web'] },
      d: { extends: { file: 'base.yml', service: 'web' } },
    };
    const { services: renamed, rewrites } = renameReferences(services, new Map([['web', 'frontend']]));
    expect(renamed).toStrictEqual({
      web: { image: 'x' },
      a: { depends_on: ['frontend', 'db'], links: ['frontend:web', 'db:data'], network_mode: 'service:frontend', volumes_from: ['frontend:ro', 'container:c'] },
      b: { depends_on: { frontend: { condition: 'service_healthy' } }, links: ['frontend:site'], ipc: 'service:frontend', pid: 'host', extends: 'frontend' },
      c: { extends: { service: 'frontend' }, volumes_from: ['frontend'] },
      d: { extends: { file: 'base.yml', service: 'web' } },
    });
    expect(rewrites.map((r) => `${r.service}.${r.key}: ${r.from} → ${r.to}`)).toEqual([
      'a.depends_on: web → frontend',
      'a.links: web → frontend',
      'a.network_mode: web → frontend',
      'a.volumes_from: web → frontend',
      'b.depends_on: web → frontend',
      'b.links: web → frontend',
      'b.ipc: web → frontend',
      'b.extends: web → frontend',
      'c.volumes_from: web → frontend',
      'c.extends: web → frontend',
    ]);
  });
});
