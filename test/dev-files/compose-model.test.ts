import { parseComposeDuration, parseComposeModel } from '../../src/dev-files/compose-model.js';

const file = '.stagecraft/dev/compose.yaml';

/** What `fn` threw; fails the test when it threw nothing. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, got none');
}

const input = (message: string) => ({ kind: 'input', message });

/** A service as read, with none of the optional settings unless given. */
const read = (name: string, image: string | undefined, more: Record<string, unknown> = {}) => ({
  name,
  traefik: false,
  profiled: false,
  profiles: [],
  image,
  healthcheck: false,
  restart: { kind: 'no' },
  noReplicas: false,
  stopGraceSeconds: undefined,
  ...more,
});

describe('parseComposeModel: what it reads', () => {
  it('reads the name and the services, sorted by name', () => {
    const yaml = [
      'name: shop',
      'services:',
      '  web:',
      '    image: shop/web:dev',
      '  api:',
      '    build: ./api',
      '  traefik:',
      '    image: traefik:v3',
      '  debug:',
      '    image: busybox',
      '    profiles: [debug]',
      '',
    ].join('\n');
    expect(parseComposeModel(yaml, file)).toStrictEqual({
      name: 'shop',
      services: [
        read('api', undefined),
        read('debug', 'busybox', { profiled: true, profiles: ['debug'] }),
        read('traefik', 'traefik:v3', { traefik: true }),
        read('web', 'shop/web:dev'),
      ],
    });
  });

  it('has no name when there is none, or it is null', () => {
    expect(parseComposeModel('services:\n  api: {}\n', file).name).toBeUndefined();
    expect(parseComposeModel('name: ~\nservices:\n  api: {}\n', file).name).toBeUndefined();
  });

  it('accepts a service with an empty body', () => {
    expect(parseComposeModel('name: shop\nservices:\n  api:\n', file)).toStrictEqual({
      name: 'shop',
      services: [read('api', undefined)],
    });
  });

  it('an empty profiles list does not make a service profiled', () => {
    expect(parseComposeModel('services:\n  api:\n    profiles: []\n', file).services).toStrictEqual([read('api', undefined)]);
  });

  it('recognises Traefik by name, by label in both forms, and nothing else', () => {
    const yaml = [
      'services:',
      '  traefik: {}',
      '  by-map:',
      '    labels: {dev.stagecraft.role: traefik, other: x}',
      '  by-list:',
      '    labels: [other=x, dev.stagecraft.role=traefik]',
      '  wrong-value:',
      '    labels: [dev.stagecraft.role=traefik-ish]',
      '  key-only:',
      '    labels: [dev.stagecraft.role]',
      '  other-key:',
      '    labels: {dev.stagecraft.kind: traefik}',
      '  named-like:',
      '    image: traefik',
      '',
    ].join('\n');
    const traefik = Object.fromEntries(parseComposeModel(yaml, file).services.map((s) => [s.name, s.traefik]));
    expect(traefik).toStrictEqual({
      'by-list': true,
      'by-map': true,
      'key-only': false,
      'named-like': false,
      'other-key': false,
      traefik: true,
      'wrong-value': false,
    });
  });

  it('resolves merge keys (<<:), as compose files use them', () => {
    const yaml = [
      'x-proxy: &proxy',
      '  image: traefik:v3',
      '  labels:',
      '    dev.stagecraft.role: traefik',
      'name: shop',
      'services:',
      '  edge:',
      '    <<: *proxy',
      '  api:',
      '    image: shop/api',
      '',
    ].join('\n');
    expect(parseComposeModel(yaml, file)).toStrictEqual({
      name: 'shop',
      services: [
        read('api', 'shop/api'),
        read('edge', 'traefik:v3', { traefik: true }),
      ],
    });
  });
});

describe('parseComposeModel: healthcheck, restart policy, replicas', () => {
  /** One service's field, from its compose.yaml body (indented under the service). */
  const field = <K extends 'healthcheck' | 'restart' | 'noReplicas' | 'stopGraceSeconds'>(key: K, body: string[]) => {
    const yaml = ['services:', '  api:', '    image: shop/api', ...body.map((line) => `    ${line}`), ''].join('\n');
    return parseComposeModel(yaml, file).services[0]?.[key];
  };

  it.each([
    ['a CMD test', ['healthcheck:', '  test: [CMD, curl, -f, http://localhost:8080/health]', '  interval: 5s']],
    ['a CMD-SHELL test', ['healthcheck:', '  test: [CMD-SHELL, pg_isready -U shop]']],
    ['a string test', ['healthcheck:', '  test: wget -q -O- localhost:8080']],
    ['disable: false', ['healthcheck:', '  test: [CMD, "true"]', '  disable: false']],
  ])('has a healthcheck with %s', (_what, body) => {
    expect(field('healthcheck', body)).toBe(true);
  });

  it.each([
    ['none', []],
    ['disable: true', ['healthcheck:', '  test: [CMD, "true"]', '  disable: true']],
    ['test: [NONE]', ['healthcheck:', '  test: [NONE]']],
    ['an empty test list', ['healthcheck:', '  test: []']],
    ['an empty test string', ['healthcheck:', '  test: ""']],
    ['a scalar', ['healthcheck: yes']],
  ])('has no healthcheck with %s', (_what, body) => {
    expect(field('healthcheck', body)).toBe(false);
  });

  it.each([
    ['no restart at all', [], { kind: 'no' }],
    ['restart: "no"', ['restart: "no"'], { kind: 'no' }],
    ['restart: always', ['restart: always'], { kind: 'always' }],
    ['restart: unless-stopped', ['restart: unless-stopped'], { kind: 'unless-stopped' }],
    ['restart: on-failure', ['restart: on-failure'], { kind: 'on-failure' }],
    ['restart: on-failure:2', ['restart: on-failure:2'], { kind: 'on-failure', maxRetries: 2 }],
    ['restart: on-failure:0', ['restart: on-failure:0'], { kind: 'on-failure', maxRetries: 0 }],
    ['restart: on-failure:x (no number)', ['restart: on-failure:x'], { kind: 'on-failure' }],
    ['an unknown restart word', ['restart: sometimes'], { kind: 'no' }],
    ['deploy.restart_policy without a condition (compose: any)', ['deploy:', '  restart_policy: {delay: 5s}'], { kind: 'always' }],
    ['deploy.restart_policy condition any', ['deploy:', '  restart_policy: {condition: any}'], { kind: 'always' }],
    ['deploy.restart_policy condition none', ['deploy:', '  restart_policy: {condition: none}'], { kind: 'no' }],
    ['deploy.restart_policy on-failure', ['deploy:', '  restart_policy: {condition: on-failure}'], { kind: 'on-failure' }],
    [
      'deploy.restart_policy on-failure, max_attempts 3',
      ['deploy:', '  restart_policy: {condition: on-failure, max_attempts: 3}'],
      { kind: 'on-failure', maxRetries: 3 },
    ],
    ['deploy without a restart_policy', ['deploy:', '  replicas: 2'], { kind: 'no' }],
  ])('reads %s', (_what, body, restart) => {
    expect(field('restart', body)).toStrictEqual(restart);
  });

  it.each([
    ['deploy.replicas: 0', ['deploy: {replicas: 0}'], true],
    ['scale: 0', ['scale: 0'], true],
    ['deploy.replicas: 2', ['deploy: {replicas: 2}'], false],
    ['scale: 1', ['scale: 1'], false],
    ['neither', [], false],
  ])('%s: no replicas is %p', (_what, body, noReplicas) => {
    expect(field('noReplicas', body)).toBe(noReplicas);
  });

  it.each([
    ['stop_grace_period: 15s', ['stop_grace_period: 15s'], 15],
    ['stop_grace_period: 1m30s', ['stop_grace_period: 1m30s'], 90],
    ['stop_grace_period: 500ms (a fraction counts as a whole second)', ['stop_grace_period: 500ms'], 1],
    ['stop_grace_period: 3000ms', ['stop_grace_period: 3000ms'], 3],
    ['stop_grace_period: 1h', ['stop_grace_period: 1h'], 3600],
    ['stop_grace_period: "0"', ['stop_grace_period: "0"'], 0],
    ['no stop_grace_period', [], undefined],
    ['a duration compose would refuse', ['stop_grace_period: soon'], undefined],
    ['a bare number (not a duration)', ['stop_grace_period: 15'], undefined],
  ])('%s: stop grace %p s', (_what, body, seconds) => {
    expect(field('stopGraceSeconds', body)).toBe(seconds);
  });
});

describe('parseComposeDuration', () => {
  it.each([
    ['10s', 10],
    ['1m30s', 90],
    ['500ms', 0.5],
    ['1h', 3600],
    ['1h2m3s', 3723],
    ['1.5s', 1.5],
    ['.5m', 30],
    ['250us', 0.00025],
    ['2000000ns', 0.002],
    ['0', 0],
    ['0s', 0],
  ])('%s is %p s', (text, seconds) => {
    expect(parseComposeDuration(text)).toBe(seconds);
  });

  it.each(['', '10', 's', '10 s', '-5s', '5d', '1m 30s', '10S', 'ten seconds'])('%j is not a duration', (text) => {
    expect(parseComposeDuration(text)).toBeUndefined();
  });
});

describe('parseComposeModel: errors', () => {
  it.each([
    [
      'an unclosed flow mapping',
      'services:\n  api: {image: api\n',
      `${file} is not valid YAML: Flow map in block collection must be sufficiently indented and end with a } at line 3, column 1; fix the file or generate the dev files again`,
    ],
    [
      'tab indentation',
      'services:\n\tapi: {}\n',
      `${file} is not valid YAML: Tabs are not allowed as indentation at line 2, column 1; fix the file or generate the dev files again`,
    ],
    [
      'a duplicated key',
      'services:\n  api: {}\n  api: {}\n',
      `${file} is not valid YAML: Map keys must be unique at line 3, column 3; fix the file or generate the dev files again`,
    ],
    [
      'several documents',
      'services:\n  api: {}\n---\nservices:\n  b: {}\n',
      `${file} is not valid YAML: Source contains multiple documents; please use YAML.parseAllDocuments() at line 3, column 1; fix the file or generate the dev files again`,
    ],
    [
      'an undefined alias',
      'services:\n  api: *nope\n',
      `${file} cannot be loaded: Unresolved alias (the anchor must be set before the alias): nope; fix the file`,
    ],
    ['a list', '- a\n- b\n', `${file} must be a YAML mapping with a top-level \`services\` key; generate the dev files again`],
    ['a scalar', 'hello\n', `${file} must be a YAML mapping with a top-level \`services\` key; generate the dev files again`],
    ['an empty file', '', `${file} must be a YAML mapping with a top-level \`services\` key; generate the dev files again`],
    ['no services', 'name: shop\n', `${file} has no \`services\`; a dev stack needs at least one service`],
    ['null services', 'services:\n', `${file} has no \`services\`; a dev stack needs at least one service`],
    ['services as a list', 'services: [api, db]\n', `${file}: \`services\` must be a mapping of service names`],
    ['services as a scalar', 'services: api\n', `${file}: \`services\` must be a mapping of service names`],
    ['empty services', 'services: {}\n', `${file}: \`services\` is empty; a dev stack needs at least one service`],
    ['a service that is a scalar', 'services:\n  api: nginx\n', `${file}: service \`api\` must be a mapping`],
    ['a service that is a list', 'services:\n  api: [nginx]\n', `${file}: service \`api\` must be a mapping`],
    ['a numeric name', 'name: 123\nservices:\n  api: {}\n', `${file}: top-level \`name\` must be a string`],
    ['a list name', 'name: [a]\nservices:\n  api: {}\n', `${file}: top-level \`name\` must be a string`],
  ])('rejects %s', (_what, yaml, message) => {
    expect(thrownBy(() => parseComposeModel(yaml, file))).toStrictEqual(input(message));
  });

  // Compose's rule (its schema's `services` patternProperties, `^[a-zA-Z0-9._-]+$`), checked with
  // `docker compose config`: `my web`, `x@y` and `é` are refused; `_x`, `.x`, `-x` and `Web` are not.
  it.each([['my web'], ['x@y'], ['é'], [''], ['a/b']])('rejects the service name %j, naming it', (name) => {
    expect(thrownBy(() => parseComposeModel(`services:\n  ${JSON.stringify(name)}: {image: x}\n  web: {image: x}\n`, file))).toStrictEqual(
      input(`${file}: service name ${JSON.stringify(name)} is not one compose accepts (letters, digits, "_", "." and "-" only); rename the service`),
    );
  });

  it.each([['_x'], ['.x'], ['-x'], ['Web'], ['a.b-c_d'], ['1']])('accepts the service name %j, as compose does', (name) => {
    expect(parseComposeModel(`services:\n  ${JSON.stringify(name)}: {image: x}\n`, file).services.map((s) => s.name)).toStrictEqual([name]);
  });

  it('names the file it was given', () => {
    expect(thrownBy(() => parseComposeModel('services: {}\n', 'deploy/dev/compose.yaml'))).toStrictEqual(
      input('deploy/dev/compose.yaml: `services` is empty; a dev stack needs at least one service'),
    );
  });

  it('rejects a billion-laughs alias bomb, quickly', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, next] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'i']]) {
      levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `${levels.join('\n')}\nservices:\n  api: {}\n`;
    const started = performance.now();
    const error = thrownBy(() => parseComposeModel(bomb, file));
    const elapsedMs = performance.now() - started;
    expect(error).toStrictEqual(
      input(`${file} cannot be loaded: Excessive alias count indicates a resource exhaustion attack; fix the file`),
    );
    // 9^9 expanded nodes would take minutes and gigabytes; refusing takes milliseconds.
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('still accepts a few aliases', () => {
    const yaml = 'x: &img shop/api\nservices:\n  api: {image: *img}\n  worker: {image: *img}\n';
    expect(parseComposeModel(yaml, file).services.map((s) => s.image)).toStrictEqual(['shop/api', 'shop/api']);
  });
});
