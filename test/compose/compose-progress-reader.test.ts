// compose 2.26's progress off a terminal, as a real `up` of a two-step build printed it
// (stderr's progress lines and stdout's BuildKit log, interleaved as they came).
import { ComposeProgressReader, describeStep, serviceOfContainer } from '../../src/compose/compose-progress-reader.js';

const reading = (lines: readonly string[], project = 'shop') => {
  const reader = new ComposeProgressReader(project);
  return { updates: lines.flatMap((line) => reader.read(line)), reader };
};

describe('ComposeProgressReader: a two-step build, then the containers', () => {
  const lines = [
    ' api Pulling ',
    ' api Warning Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
    '#0 building with "default" instance using docker driver',
    '',
    '#1 [api internal] load build definition from Dockerfile',
    '#1 transferring dockerfile: 121B done',
    '#1 DONE 0.0s',
    '#2 [internal] load metadata for docker.io/local/busybox:latest',
    '#4 [api 1/3] FROM docker.io/local/busybox:latest',
    '#4 CACHED',
    '#5 [api 2/3] RUN echo step one && sleep 1',
    '#5 0.247 step one',
    '#5 DONE 1.3s',
    '#6 [api 3/3] RUN echo step two && sleep 1',
    '#6 0.414 step two',
    '#6 DONE 1.4s',
    '#7 [api] exporting to image',
    '#7 exporting layers 0.0s done',
    '#7 naming to docker.io/library/shop-api:dev done',
    '#7 DONE 0.0s',
    ' Network shop_default  Creating',
    ' Network shop_default  Created',
    ' Container shop-api-1  Creating',
    ' Container shop-db-1  Creating',
    ' Container shop-db-1  Created',
    ' Container shop-api-1  Created',
    ' Container shop-db-1  Starting',
    ' Container shop-db-1  Started',
    ' Container shop-db-1  Waiting',
    ' Container shop-db-1  Healthy',
    ' 4f4fb700ef54 Pulling fs layer ',
    ' 4f4fb700ef54 Pulled ',
    ' Container other-web-1  Started',
  ];

  it('reads each service step in order; layers, networks and other projects are not services', () => {
    const { updates } = reading(lines);
    expect(updates).toStrictEqual([
      { service: 'api', activity: 'pulling' },
      { service: 'api', activity: 'building', step: { index: undefined, total: undefined, text: 'load build definition from Dockerfile' } },
      { service: 'api', activity: 'building', step: { index: 1, total: 3, text: 'FROM docker.io/local/busybox:latest' } },
      { service: 'api', activity: 'building', step: { index: 2, total: 3, text: 'RUN echo step one && sleep 1' } },
      { service: 'api', activity: 'building', step: { index: 3, total: 3, text: 'RUN echo step two && sleep 1' } },
      { service: 'api', activity: 'building', step: { index: undefined, total: undefined, text: 'exporting to image' } },
      { service: 'api', activity: 'built' },
      { service: 'api', activity: 'creating' },
      { service: 'db', activity: 'creating' },
      { service: 'db', activity: 'created' },
      { service: 'api', activity: 'created' },
      { service: 'db', activity: 'starting' },
      { service: 'db', activity: 'started' },
      { service: 'db', activity: 'waiting' },
      { service: 'db', activity: 'healthy' },
    ]);
  });

  it('no build failed', () => {
    expect(reading(lines).reader.failedBuilds()).toStrictEqual([]);
  });
});

describe('ComposeProgressReader: a failed build', () => {
  const lines = [
    '#4 [api 1/3] FROM docker.io/local/busybox:latest',
    '#4 CACHED',
    '#5 [api 2/3] RUN echo compiling && echo "error: missing semicolon at main.c:3" >&2 && exit 3',
    '#8 [web builder 2/5] RUN make',
    '#5 0.557 compiling',
    '#8 0.600 make: nothing to be done',
    '#5 0.557 error: missing semicolon at main.c:3',
    '#5 ERROR: process "/bin/sh -c echo compiling && echo \\"error: missing semicolon at main.c:3\\" >&2 && exit 3" did not complete successfully: exit code: 3',
    '------',
    ' > [api 2/3] RUN echo compiling && echo "error: missing semicolon at main.c:3" >&2 && exit 3:',
    '0.557 compiling',
    '------',
  ];

  it('says which service failed at which step, with only that step\'s last lines', () => {
    const { updates, reader } = reading(lines);
    const step = { index: 2, total: 3, text: 'RUN echo compiling && echo "error: missing semicolon at main.c:3" >&2 && exit 3' };
    expect(updates.at(-1)).toStrictEqual({ service: 'api', activity: 'build-failed', step });
    expect(updates).toContainEqual({ service: 'web', activity: 'building', step: { index: 2, total: 5, text: '(builder) RUN make' } });
    expect(reader.failedBuilds()).toStrictEqual([
      {
        service: 'api',
        step,
        error: 'process "/bin/sh -c echo compiling && echo \\"error: missing semicolon at main.c:3\\" >&2 && exit 3" did not complete successfully: exit code: 3',
        lastLines: ['compiling', 'error: missing semicolon at main.c:3'],
      },
    ]);
  });

  it('keeps only the last 10 lines of a step', () => {
    const output = Array.from({ length: 12 }, (_, i) => `#5 1.${String(i).padStart(3, '0')} line ${i}`);
    const { reader } = reading(['#5 [api 2/2] RUN ./noisy', ...output, '#5 ERROR: exit code: 1']);
    expect(reader.failedBuilds()[0]?.lastLines).toStrictEqual(output.slice(2).map((line) => line.slice(9)));
  });
});

describe('ComposeProgressReader: a teardown', () => {
  it('reads stopping and removing, with either separator compose used', () => {
    const { updates } = reading([
      ' Container shop-api-1  Stopping',
      ' Container shop-api-1  Stopped',
      ' Container shop_worker_2  Removing',
      ' Container shop-api-1  Removed',
      ' Network shop_default  Removed',
    ]);
    expect(updates).toStrictEqual([
      { service: 'api', activity: 'stopping' },
      { service: 'api', activity: 'stopped' },
      { service: 'worker', activity: 'removing' },
      { service: 'api', activity: 'removed' },
    ]);
  });
});

describe('serviceOfContainer and describeStep', () => {
  it.each([
    ['shop-api-1', 'api'],
    ['shop-my-api-12', 'my-api'],
    ['shop_api_1', 'api'],
    ['shopping-api-1', undefined],
    ['shop-api', undefined],
  ])('%s → %s', (name, service) => {
    expect(serviceOfContainer(name, 'shop')).toBe(service);
  });

  it('numbers a step k/n, or gives its text alone', () => {
    expect(describeStep({ index: 3, total: 7, text: 'RUN npm ci' })).toBe('step 3/7 RUN npm ci');
    expect(describeStep({ index: undefined, total: undefined, text: 'exporting to image' })).toBe('exporting to image');
  });
});
