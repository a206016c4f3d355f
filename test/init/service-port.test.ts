import { containerPort, findPort, hostPort } from '../../src/init/service-port.js';

describe('containerPort: the container side of one ports entry', () => {
  test.each<[unknown, number | undefined]>([
    ['80', 80],
    [8080, 8080],
    ['8080:80', 80],
    ['127.0.0.1:8080:80', 80],
    ['127.0.0.1:8080:80/tcp', 80],
    ['[::1]:8080:80', 80],
    ['3000-3001:3000-3001', 3000],
    ['${HOST_PORT}:80', 80],
    ['8080:${PORT}', undefined],
    ['5353:53/udp', undefined],
    [{ target: 9229, published: '9229' }, 9229],
    [{ target: 53, protocol: 'udp' }, undefined],
    ['0:70000', undefined],
    [null, undefined],
  ])('%j → %j', (entry, port) => {
    expect(containerPort(entry)).toBe(port);
  });
});

describe('hostPort: the published side, when written as a number', () => {
  test.each<[unknown, number | undefined]>([
    ['8080:80', 8080],
    ['127.0.0.1:443:8443', 443],
    ['7000-7001:7000-7001', 7000],
    ['80', undefined],
    ['${HOST_PORT}:80', undefined],
    [{ target: 80, published: '8081' }, 8081],
    [{ target: 80 }, undefined],
  ])('%j → %j', (entry, port) => {
    expect(hostPort(entry)).toBe(port);
  });
});

describe('findPort: where a service listens, most explicit first', () => {
  test('ports before expose before the healthcheck before PORT before the command', () => {
    const all = {
      ports: ['9000:8000'],
      expose: ['7000'],
      healthcheck: { test: ['CMD', 'wget', 'http://127.0.0.1:6000/'] },
      environment: { PORT: 5000 },
      command: 'serve -p 4000',
    };
    expect(findPort(all)).toStrictEqual({ port: 8000, evidence: 'it publishes 9000:8000' });
    const { ports: _p, ...noPorts } = all;
    expect(findPort(noPorts)).toStrictEqual({ port: 7000, evidence: 'it exposes 7000' });
    const { expose: _e, ...noExpose } = noPorts;
    expect(findPort(noExpose)).toStrictEqual({ port: 6000, evidence: 'its healthcheck calls http://127.0.0.1:6000' });
    const { healthcheck: _h, ...noCheck } = noExpose;
    expect(findPort(noCheck)).toStrictEqual({ port: 5000, evidence: 'PORT=5000 is in its environment' });
    const { environment: _v, ...noEnv } = noCheck;
    expect(findPort(noEnv)).toStrictEqual({ port: 4000, evidence: 'its command listens on 4000 (`-p 4000`)' });
    expect(findPort({ image: 'x' })).toBeUndefined();
  });

  test('skips what it cannot read and goes on to the next evidence', () => {
    expect(findPort({ ports: ['5353:53/udp', '8080:${P}', { target: 3000 }] })).toStrictEqual({ port: 3000, evidence: 'it publishes {"target":3000}' });
    expect(findPort({ ports: ['5353:53/udp'], environment: ['DEBUG=1', 'PORT=3000'] })).toStrictEqual({
      port: 3000,
      evidence: 'PORT=3000 is in its environment',
    });
  });

  test.each([
    [['httpd', '-f', '-p', '8080'], 8080, '-p 8080'],
    ['node server.js --port=3000', 3000, '--port=3000'],
    ['vite --host --port 5173', 5173, '--port 5173'],
    [['python', 'manage.py', 'runserver', '0.0.0.0:8000'], 8000, '0.0.0.0:8000'],
    ['gunicorn --bind 0.0.0.0:5000 app:app', 5000, '0.0.0.0:5000'],
  ])('reads the port of a command: %j', (command, port, text) => {
    expect(findPort({ command })).toStrictEqual({ port, evidence: `its command listens on ${port} (\`${text}\`)` });
  });

  test('a -p that is not a port flag of its own is not read', () => {
    expect(findPort({ command: 'mkdir -p /www && echo hi' })).toBeUndefined();
    expect(findPort({ command: 'tar -pxf x.tar' })).toBeUndefined();
  });
});
