import { failedServices, parsePs, type ContainerState } from '../../src/compose/parse-ps.js';

/** A line of `docker compose ps --all --format json` (compose ≥ 2.21), trimmed to realistic fields. */
function psLine(service: string, state: string, exitCode: number, health = ''): string {
  return JSON.stringify({
    Command: '"docker-entrypoint.sh"',
    ExitCode: exitCode,
    Health: health,
    ID: `id-${service}`,
    Image: `shop/${service}`,
    Name: `shop-${service}-1`,
    Project: 'shop',
    Publishers: null,
    Service: service,
    State: state,
    Status: state === 'exited' ? `Exited (${exitCode}) 5 seconds ago` : 'Up 5 seconds',
  });
}

function container(service: string, state: string, exitCode = 0, health = ''): ContainerState {
  return { name: `shop-${service}-1`, service, state, health, exitCode, status: '' };
}

const noHints = { stderr: '', projectName: 'shop', serviceImages: {} };

describe('parsePs', () => {
  it('reads one JSON object per line', () => {
    expect(parsePs(`${psLine('api', 'running', 0, 'healthy')}\n${psLine('worker', 'exited', 3)}\n`)).toStrictEqual([
      { name: 'shop-api-1', service: 'api', state: 'running', health: 'healthy', exitCode: 0, status: 'Up 5 seconds' },
      { name: 'shop-worker-1', service: 'worker', state: 'exited', health: '', exitCode: 3, status: 'Exited (3) 5 seconds ago' },
    ]);
  });

  it('reads one JSON array (older compose)', () => {
    const stdout = `[${psLine('api', 'exited', 0)},${psLine('db', 'dead', 137)}]\n`;
    expect(parsePs(stdout)).toStrictEqual([
      { name: 'shop-api-1', service: 'api', state: 'exited', health: '', exitCode: 0, status: 'Exited (0) 5 seconds ago' },
      { name: 'shop-db-1', service: 'db', state: 'dead', health: '', exitCode: 137, status: 'Up 5 seconds' },
    ]);
  });

  it('skips blank lines and tolerates CRLF', () => {
    const stdout = `\r\n${psLine('api', 'exited', 0)}\r\n\r\n${psLine('db', 'exited', 1)}\r\n`;
    expect(parsePs(stdout).map((c) => [c.service, c.exitCode])).toStrictEqual([
      ['api', 0],
      ['db', 1],
    ]);
  });

  it.each(['', '  \n', '[]'])('reads %j as no containers', (stdout) => {
    expect(parsePs(stdout)).toStrictEqual([]);
  });

  it('fills in missing or mistyped fields', () => {
    expect(parsePs('{"Service":"api","ExitCode":"1","State":7}\nnull\n')).toStrictEqual([
      { name: '', service: 'api', state: '', health: '', exitCode: 0, status: '' },
      { name: '', service: '', state: '', health: '', exitCode: 0, status: '' },
    ]);
  });

  it.each(['NAME   IMAGE   STATUS', '{"Service":"api"', '[{"Service":"api"}'])('throws a SyntaxError on %j', (stdout) => {
    expect(() => parsePs(stdout)).toThrow(SyntaxError);
  });
});

describe('failedServices', () => {
  const expected = ['api', 'db', 'web', 'worker'];

  it('finds containers that exited non-zero, died, keep restarting or are unhealthy, sorted', () => {
    const containers = [
      container('worker', 'exited', 1),
      container('api', 'running', 0, 'unhealthy'),
      container('web', 'restarting'),
      container('db', 'dead', 137),
    ];
    expect(failedServices(expected, containers, noHints)).toStrictEqual(['api', 'db', 'web', 'worker']);
  });

  it('does not blame containers that exited 0, run, or are still starting', () => {
    const containers = [
      container('api', 'exited', 0),
      container('db', 'running', 0, 'healthy'),
      container('web', 'running', 0, 'starting'),
      container('worker', 'exited', 2),
    ];
    expect(failedServices(expected, containers, noHints)).toStrictEqual(['worker']);
  });

  it('ignores services that were not expected (scaled to 0, profiled)', () => {
    const containers = [...expected.map((s) => container(s, 'running')), container('traefik', 'exited', 1)];
    expect(failedServices(expected, containers, noHints)).toStrictEqual([]);
  });

  it("otherwise finds services whose container compose's errors name", () => {
    const containers = expected.map((s) => container(s, 'running'));
    const stderr = [
      ' Container shop-db-1  Starting',
      ' Container shop-db-1  Error',
      'dependency failed to start: container shop-db-1 is unhealthy',
    ].join('\n');
    expect(failedServices(expected, containers, { ...noHints, stderr })).toStrictEqual(['db']);
  });

  it('recognises the v1 container name form (underscores) too', () => {
    const stderr = 'ERROR: for shop_web_1  Cannot start service web: port is already allocated';
    expect(failedServices(expected, [], { ...noHints, stderr })).toStrictEqual(['web']);
  });

  it("otherwise finds services whose image compose's errors name", () => {
    const stderr = [
      ' api Pulling',
      'Error response from daemon: pull access denied for shop/api, repository does not exist or may require \'docker login\'',
    ].join('\n');
    const serviceImages = { api: 'shop/api', db: 'postgres:16' };
    expect(failedServices(expected, [], { ...noHints, stderr, serviceImages })).toStrictEqual(['api']);
  });

  it('matches whole image references only', () => {
    const serviceImages = { api: 'shop/api', worker: 'shop/api-worker', cache: 'redis' };
    const containers = [container('db', 'running'), container('web', 'running')];
    const named = (stderr: string) =>
      failedServices(['api', 'cache', 'worker'], containers, { ...noHints, stderr, serviceImages });
    expect(named('Error response from daemon: pull access denied for shop/api-worker, repository does not exist')).toStrictEqual(['worker']);
    expect(named('Error response from daemon: manifest for shop/api:latest not found: manifest unknown')).toStrictEqual(['api']);
    expect(named('pull access denied for redis.')).toStrictEqual(['cache']);
    // `redis` is not named by `myorg/redis`: nothing is, so every service never created is at fault.
    expect(named('Error response from daemon: pull access denied for myorg/redis')).toStrictEqual(['api', 'cache', 'worker']);
  });

  it('does not read progress lines as errors', () => {
    const stderr = ' Container shop-api-1  Started\n Container shop-web-1  Created\n';
    const containers = expected.map((s) => container(s, 'running'));
    expect(failedServices(expected, containers, { ...noHints, stderr })).toStrictEqual([]);
  });

  it('otherwise finds the expected services that were never created', () => {
    const containers = [container('api', 'running'), container('db', 'created')];
    expect(failedServices(expected, containers, noHints)).toStrictEqual(['web', 'worker']);
  });

  it('prefers bad containers over names in the errors', () => {
    const containers = [container('api', 'exited', 1)];
    const stderr = 'dependency failed to start: container shop-db-1 exited (1)';
    expect(failedServices(expected, containers, { ...noHints, stderr })).toStrictEqual(['api']);
  });

  it('is empty when nothing is at fault', () => {
    expect(failedServices(expected, expected.map((s) => container(s, 'running')), noHints)).toStrictEqual([]);
  });
});
