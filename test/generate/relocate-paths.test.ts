import { namedVolumeOf, rebaseExtraService, rebasePath, rebaseVolume } from '../../src/generate/relocate-paths.js';

describe('rebasePath: from stagecraft.yml’s directory to the compose file’s', () => {
  test.each([
    ['../..', '.', '../..'],
    ['../..', './api', '../../api'],
    ['../..', 'api/', '../../api'],
    ['../..', '../shared', '../../../shared'],
    ['.', '.', '.'],
    ['.', 'api', './api'],
    ['../../app', './web', '../../app/web'],
    ['..', '..', '../..'],
    ['../..', '/srv/data', '/srv/data'],
    ['../..', '~/cache', '~/cache'],
  ])('base %s, path %s → %s', (base, relative, expected) => {
    expect(rebasePath(base, relative)).toBe(expected);
  });
});

describe('rebaseVolume', () => {
  test.each([
    ['./src:/app/src', '../../src:/app/src'],
    ['./src:/app/src:ro', '../../src:/app/src:ro'],
    ['.:/app', '../..:/app'],
    ['../x:/x', '../../../x:/x'],
    ['data:/var/lib/data', 'data:/var/lib/data'],
    ['/abs:/abs', '/abs:/abs'],
    ['~/.npm:/root/.npm', '~/.npm:/root/.npm'],
    ['/anonymous', '/anonymous'],
  ])('%s → %s', (volume, expected) => {
    expect(rebaseVolume('../..', volume)).toBe(expected);
  });
});

describe('namedVolumeOf', () => {
  test.each([
    ['data:/var/lib/data', 'data'],
    ['data:/var/lib/data:ro', 'data'],
    ['./data:/data', undefined],
    ['/data:/data', undefined],
    ['~/data:/data', undefined],
    ['/anonymous', undefined],
    ['${PWD}/src:/app', undefined],
    ['$HOME/cache:/cache', undefined],
    ['C:/data:/data', undefined],
    ['my.data_v-1:/data', 'my.data_v-1'],
    [{ type: 'volume', source: 'pgdata', target: '/x' }, 'pgdata'],
    [{ source: 'pgdata', target: '/x' }, 'pgdata'],
    [{ type: 'volume', target: '/x' }, undefined],
    [{ type: 'bind', source: './x', target: '/x' }, undefined],
    [{ type: 'tmpfs', target: '/x' }, undefined],
  ] as const)('%j → %s', (volume, expected) => {
    expect(namedVolumeOf(volume)).toBe(expected);
  });
});

describe('rebaseExtraService', () => {
  it('rebases build contexts, bind sources and env files, keeping everything else and its order', () => {
    const service = {
      image: 'shop/worker',
      build: { context: './worker', dockerfile: 'Dockerfile.dev', args: { A: '1' } },
      env_file: ['./a.env', { path: './b.env', required: false }],
      volumes: ['./src:/src', 'cache:/cache', { type: 'bind', source: './conf', target: '/conf' }, { type: 'volume', source: 'v', target: '/v' }],
      ports: ['9000:9000'],
    };
    const rebased = rebaseExtraService('../..', service);
    expect(rebased).toStrictEqual({
      image: 'shop/worker',
      build: { context: '../../worker', dockerfile: 'Dockerfile.dev', args: { A: '1' } },
      env_file: ['../../a.env', { path: '../../b.env', required: false }],
      volumes: ['../../src:/src', 'cache:/cache', { type: 'bind', source: '../../conf', target: '/conf' }, { type: 'volume', source: 'v', target: '/v' }],
      ports: ['9000:9000'],
    });
    expect(Object.keys(rebased)).toEqual(Object.keys(service));
  });

  it('gives a build mapping without a context the config’s directory, and leaves remote contexts alone', () => {
    expect(rebaseExtraService('../..', { build: { dockerfile: 'D' } })).toStrictEqual({ build: { dockerfile: 'D', context: '../..' } });
    expect(rebaseExtraService('../..', { build: 'https://github.com/o/r.git#main' })).toStrictEqual({ build: 'https://github.com/o/r.git#main' });
    expect(rebaseExtraService('../..', { build: { context: 'git@github.com:o/r.git' } })).toStrictEqual({ build: { context: 'git@github.com:o/r.git' } });
    expect(rebaseExtraService('../..', { env_file: './one.env' })).toStrictEqual({ env_file: '../../one.env' });
  });

  it('rebases extends.file, label_file, develop.watch paths and local additional contexts', () => {
    const service = {
      extends: { file: './common.yml', service: 'base' },
      label_file: ['./labels', '/etc/labels'],
      develop: { watch: [{ action: 'sync', path: './src', target: '/app/src' }, { action: 'rebuild', path: 'package.json' }] },
      build: { context: '.', additional_contexts: { lib: '../lib', img: 'docker-image://alpine:3', web: 'https://example.com/x.git' } },
    };
    expect(rebaseExtraService('../..', service)).toStrictEqual({
      extends: { file: '../../common.yml', service: 'base' },
      label_file: ['../../labels', '/etc/labels'],
      develop: { watch: [{ action: 'sync', path: '../../src', target: '/app/src' }, { action: 'rebuild', path: '../../package.json' }] },
      build: { context: '../..', additional_contexts: { lib: '../../../lib', img: 'docker-image://alpine:3', web: 'https://example.com/x.git' } },
    });
    // `extends: base` names a service of the same file: nothing to rebase.
    expect(rebaseExtraService('../..', { extends: 'base', label_file: './l' })).toStrictEqual({ extends: 'base', label_file: '../../l' });
  });
});
