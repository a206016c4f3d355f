// `compose events --json` lines as compose 2.26 prints them (captured from a real engine,
// project `evtest`), and the typed engine events they become.
import { parseComposeEvent, parseComposeEvents } from '../../src/compose/compose-events.js';

const id = 'ed2130fe8c0e5a0f5e2d0b8b0a91e1b6d0c1e0c3c7f3b3b5a1a9b8e7d6c5b4a3';
const attrs = '"image":"busybox:latest","name":"evtest-web-1"';
const line = (action: string, more = '', time = '2026-12-01T15:22:57.731876097Z') =>
  `{"action":"${action}","attributes":{${more}${attrs}},"id":"${id}","service":"web","time":"${time}","type":"container"}`;

const base = { service: 'web', container: id, time: '2026-12-01T15:22:57.731876097Z' };

describe('parseComposeEvent: container lifecycle', () => {
  it('reads a die line with its exit code', () => {
    const die =
      `{"action":"die","attributes":{"execDuration":"3","exitCode":"3","image":"busybox:latest","name":"evtest-web-1"},` +
      `"id":"${id}","service":"web","time":"2026-12-01T15:22:57.731876097Z","type":"container"}`;
    expect(parseComposeEvent(die)).toStrictEqual({ ...base, action: 'die', exitCode: 3 });
  });

  it.each([
    ['0', 0],
    ['137', 137],
    ['255', 255],
  ])('reads exitCode %j as %p', (code, exitCode) => {
    expect(parseComposeEvent(line('die', `"exitCode":"${code}",`))).toStrictEqual({ ...base, action: 'die', exitCode });
  });

  it.each([
    ['no exitCode attribute', line('die')],
    ['an exitCode that is not a number', line('die', '"exitCode":"abc",')],
    ['a fractional exitCode', line('die', '"exitCode":"1.5",')],
    [
      'no attributes at all',
      `{"action":"die","id":"${id}","service":"web","time":"2026-12-01T15:22:57.731876097Z","type":"container"}`,
    ],
  ])('reads a die line with %s as exit code -1 (unknown: not a clean exit)', (_what, text) => {
    expect(parseComposeEvent(text)).toStrictEqual({ ...base, action: 'die', exitCode: -1 });
  });

  it.each(['create', 'start', 'kill', 'destroy'] as const)('reads a %s line', (action) => {
    const more = action === 'kill' ? '"signal":"15",' : '';
    expect(parseComposeEvent(line(action, more))).toStrictEqual({ ...base, action });
  });

  it.each([
    ['health_status: healthy', 'healthy'],
    ['health_status: unhealthy', 'unhealthy'],
  ] as const)('reads %j as a health event', (action, health) => {
    expect(parseComposeEvent(line(action))).toStrictEqual({ ...base, action: 'health', health });
  });

  it('keeps the engine time as written (fewer than nine fraction digits too)', () => {
    expect(parseComposeEvent(line('start', '', '2026-12-01T15:22:57.7Z'))).toStrictEqual({
      ...base,
      time: '2026-12-01T15:22:57.7Z',
      action: 'start',
    });
  });

  it('a line without a time has an empty one', () => {
    const text = `{"action":"start","attributes":{${attrs}},"id":"${id}","service":"web","type":"container"}`;
    expect(parseComposeEvent(text)).toStrictEqual({ ...base, time: '', action: 'start' });
  });

  it('a line without a type is still a container line', () => {
    const text = `{"action":"start","id":"${id}","service":"web","time":"2026-12-01T15:22:57.731876097Z"}`;
    expect(parseComposeEvent(text)).toStrictEqual({ ...base, action: 'start' });
  });

  it('tolerates the carriage return of a CRLF line', () => {
    expect(parseComposeEvent(`${line('start')}\r`)).toStrictEqual({ ...base, action: 'start' });
  });
});

describe('parseComposeEvent: lines that say nothing about a container life', () => {
  it.each([
    'exec_create: sh -c wget -q -O- localhost:8080/health',
    'exec_start: sh -c wget -q -O- localhost:8080/health',
    'exec_die',
    'attach',
    'stop',
    'restart',
    'pause',
    'unpause',
    'rename',
    'resize',
    'top',
    'oom',
    'health_status: starting',
    'health_status',
  ])('drops %j', (action) => {
    expect(parseComposeEvent(line(action))).toBeUndefined();
  });

  it('drops an exec_die line even with an exit code', () => {
    expect(parseComposeEvent(line('exec_die', '"execID":"9f1c","exitCode":"1",'))).toBeUndefined();
  });

  it('drops a line that is not about a container', () => {
    const network = `{"action":"create","attributes":{"name":"evtest_default"},"id":"${id}","service":"web","time":"2026-12-01T15:22:57Z","type":"network"}`;
    expect(parseComposeEvent(network)).toBeUndefined();
  });

  it.each([
    ['no service', `{"action":"start","id":"${id}","time":"2026-12-01T15:22:57Z","type":"container"}`],
    ['an empty service', `{"action":"start","id":"${id}","service":"","time":"2026-12-01T15:22:57Z","type":"container"}`],
    ['no id', '{"action":"start","service":"web","time":"2026-12-01T15:22:57Z","type":"container"}'],
    ['no action', `{"id":"${id}","service":"web","time":"2026-12-01T15:22:57Z","type":"container"}`],
    ['a numeric action', `{"action":1,"id":"${id}","service":"web","type":"container"}`],
  ])('drops a line with %s', (_what, text) => {
    expect(parseComposeEvent(text)).toBeUndefined();
  });

  it.each([
    '',
    'not json',
    '2026-12-01T15:22:57.731876097Z container start ed21 (image=busybox:latest, name=evtest-web-1)',
    'null',
    '42',
    '"start"',
    '[]',
    `[${line('start')}]`,
    '{"action":"start"',
  ])('drops %j', (text) => {
    expect(parseComposeEvent(text)).toBeUndefined();
  });
});

describe('parseComposeEvents', () => {
  it('reads every line of a chunk in order, dropping blanks and what says nothing', () => {
    const web = (action: string, more = '') => line(action, more);
    const db = (action: string, more = '') => line(action, more).replace('"service":"web"', '"service":"db"');
    const chunk = [
      web('create'),
      db('create'),
      '',
      web('start'),
      db('start'),
      db('exec_create: pg_isready'),
      db('exec_start: pg_isready'),
      db('exec_die', '"exitCode":"0",'),
      db('health_status: healthy'),
      '   ',
      web('die', '"exitCode":"0",'),
      web('stop'),
      '',
    ].join('\n');
    expect(parseComposeEvents(chunk)).toStrictEqual([
      { ...base, action: 'create' },
      { ...base, service: 'db', action: 'create' },
      { ...base, action: 'start' },
      { ...base, service: 'db', action: 'start' },
      { ...base, service: 'db', action: 'health', health: 'healthy' },
      { ...base, action: 'die', exitCode: 0 },
    ]);
  });

  it('reads CRLF lines', () => {
    expect(parseComposeEvents(`${line('create')}\r\n${line('start')}\r\n`)).toStrictEqual([
      { ...base, action: 'create' },
      { ...base, action: 'start' },
    ]);
  });

  it('an empty chunk has no events', () => {
    expect(parseComposeEvents('')).toStrictEqual([]);
    expect(parseComposeEvents('\n\n')).toStrictEqual([]);
  });
});
