// A taken port, end to end below the CLI: the engine's message read (port-conflict), the
// holder found (a container through the fake runner, a process through a made-up /proc),
// and the start's failure told with it (start-failure, run-start).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portConflictOf } from '../../src/compose/port-conflict.js';
import { portHolderCommand, portHolderFormat } from '../../src/plan/port-holder-command.js';
import { writeSessionFile } from '../../src/session-file/session-file.js';
import { findPortHolder, parseHolderList, type PortHolder } from '../../src/session/port-holder.js';
import { listeningInodes, processesHolding } from '../../src/session/proc-sockets.js';
import { runStart } from '../../src/session/run-start.js';
import { describeStartFailure } from '../../src/session/start-failure.js';
import { FakeComposeRunner } from '../fakes/fake-compose-runner.js';
import { composeService } from '../fixtures/compose-service.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan, shopRecord } from '../fixtures/shop-session.js';

const plan = shopPlan(defaultDevOptions, [composeService('web'), composeService('api')]);
const P = ['docker', 'compose', '-p', 'shop', '-f', '.stagecraft/dev/compose.yaml'];

const engineTaken =
  'Error response from daemon: driver failed programming external connectivity on endpoint shop-web-1 (0fc1e28642ce): Bind for 127.0.0.1:18381 failed: port is already allocated';
const hostTaken =
  'Error response from daemon: driver failed programming external connectivity on endpoint shop-web-1 (072c0d0049be): Error starting userland proxy: listen tcp4 127.0.0.1:18381: bind: address already in use';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-port-holder-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A /proc with `net/<table>` lines and processes holding socket inodes. */
function fakeProc(tables: Record<string, string[]>, processes: Record<number, { argv: string[]; sockets: string[] }>): string {
  const root = mkdtempSync(path.join(dir, 'proc-'));
  mkdirSync(path.join(root, 'net'), { recursive: true });
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
  for (const [table, lines] of Object.entries(tables)) writeFileSync(path.join(root, 'net', table), [header, ...lines, ''].join('\n'));
  for (const [pid, { argv, sockets }] of Object.entries(processes)) {
    mkdirSync(path.join(root, pid, 'fd'), { recursive: true });
    writeFileSync(path.join(root, pid, 'cmdline'), `${argv.join('\0')}\0`);
    symlinkSync('/dev/null', path.join(root, pid, 'fd', '0'));
    sockets.forEach((inode, i) => symlinkSync(`socket:[${inode}]`, path.join(root, pid, 'fd', String(3 + i))));
  }
  return root;
}

// 127.0.0.1:18381 listening (0A), inode 1156035; a connection to it (01) with another inode.
const tcp = [
  '   0: 0100007F:47CD 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1156035 1 0000000099a013c2 100 0 0 10 0',
  '   1: 0100007F:47CD 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1156099 1 0000000099a013c2 100 0 0 10 0',
  '   2: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1061 1 00000000e1c873d3 100 0 0 10 0',
];
// [::]:18381 listening, inode 2000001.
const tcp6 = ['   0: 00000000000000000000000000000000:47CD 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2000001 1 0000000000000000 100 0 0 10 0'];

describe('portConflictOf', () => {
  it('another container has it: the engine says it is allocated', () => {
    expect(portConflictOf(` Container shop-web-1  Starting\n${engineTaken}\n`)).toStrictEqual({
      address: '127.0.0.1:18381',
      port: 18381,
      protocol: 'tcp',
      heldBy: 'engine',
      container: 'shop-web-1',
    });
  });

  it('a host process has it: the userland proxy could not listen', () => {
    expect(portConflictOf(hostTaken)).toStrictEqual({ address: '127.0.0.1:18381', port: 18381, protocol: 'tcp', heldBy: 'host', container: 'shop-web-1' });
    expect(portConflictOf('listen udp6 [::]:53: bind: address already in use')).toStrictEqual({
      address: '[::]:53',
      port: 53,
      protocol: 'udp',
      heldBy: 'host',
      container: undefined,
    });
  });

  it('anything else is no port conflict', () => {
    expect(portConflictOf('Error response from daemon: pull access denied for shop/api')).toBeUndefined();
  });
});

describe('/proc: who listens on a port', () => {
  it('finds the listening sockets of the port, IPv4 and IPv6, not its connections', () => {
    const root = fakeProc({ tcp, tcp6 }, {});
    expect([...listeningInodes(18381, 'tcp', root)].sort()).toStrictEqual(['1156035', '2000001']);
    expect([...listeningInodes(18381, 'udp', root)]).toStrictEqual([]);
  });

  it('finds the processes holding them, with their command lines; others and unreadable fds are skipped', () => {
    const root = fakeProc({ tcp }, {
      4242: { argv: ['node', '-e', 'server.listen(18381)'], sockets: ['1156035'] },
      77: { argv: ['sshd'], sockets: ['1061'] },
    });
    mkdirSync(path.join(root, '99')); // a process whose fds cannot be read
    expect(processesHolding(listeningInodes(18381, 'tcp', root), root)).toStrictEqual([{ pid: 4242, commandLine: 'node -e server.listen(18381)' }]);
  });
});

describe('findPortHolder', () => {
  const conflict = { address: '127.0.0.1:18381', port: 18381, protocol: 'tcp', heldBy: 'engine', container: 'shop-web-1' } as const;
  const signal = new AbortController().signal;

  it('asks the engine which running container publishes the port (argv from the plan)', () => {
    expect(portHolderCommand(plan, 18381)).toStrictEqual({
      phase: 'explain',
      argv: ['docker', 'ps', '--filter', 'publish=18381', '--format', portHolderFormat],
    });
  });

  it('a container of a compose project', async () => {
    const runner = new FakeComposeRunner().answer('explain', {
      stdout: `${JSON.stringify({ name: 'other-web-1', project: 'other', configFiles: '/nowhere/compose.yaml' })}\n`,
    });
    expect(await findPortHolder(conflict, plan, { runner, procRoot: fakeProc({}, {}) }, signal)).toStrictEqual({
      kind: 'container',
      name: 'other-web-1',
      project: 'other',
      devDir: undefined,
    });
  });

  it('a container of a stagecraft session: its record sits beside its compose file and names its project', async () => {
    const devDir = path.join(dir, 'other/.stagecraft/dev');
    mkdirSync(devDir, { recursive: true });
    await writeSessionFile(path.join(devDir, 'session.json'), shopRecord({ project: 'other', mode: 'detach' }));
    const listed = JSON.stringify({ name: 'other-web-1', project: 'other', configFiles: `${devDir}/compose.yaml,${devDir}/override.yaml` });
    const runner = new FakeComposeRunner().answer('explain', { stdout: `${listed}\n` });
    expect(await findPortHolder(conflict, plan, { runner }, signal)).toStrictEqual({ kind: 'container', name: 'other-web-1', project: 'other', devDir });
  });

  it('no container: the host process from /proc; nobody visible: unseen', async () => {
    const runner = new FakeComposeRunner().answer('explain', { stdout: '' });
    const root = fakeProc({ tcp }, { 4242: { argv: ['nc', '-l', '18381'], sockets: ['1156035'] } });
    expect(await findPortHolder({ ...conflict, heldBy: 'host' }, plan, { runner, procRoot: root }, signal)).toStrictEqual({
      kind: 'process',
      pid: 4242,
      commandLine: 'nc -l 18381',
    });
    const failing = new FakeComposeRunner().answer('explain', { fail: 'exit-non-zero' });
    expect(await findPortHolder(conflict, plan, { runner: failing, procRoot: fakeProc({}, {}) }, signal)).toStrictEqual({ kind: 'unseen' });
  });

  it('reads only the lines that are holder objects', () => {
    expect(parseHolderList('{"name":"a-1","project":"","configFiles":""}\nnot json\n{"other":1}\n')).toStrictEqual([
      { name: 'a-1', project: '', configFiles: '' },
    ]);
  });
});

describe('describeStartFailure', () => {
  const failed = {
    kind: 'start-failed',
    message: `starting project shop failed: \`${P.join(' ')} up --detach --remove-orphans\` exited with code 1`,
    stderrTail: engineTaken,
    services: [],
  } as const;
  const next = (holder: PortHolder) => async () => holder;
  const context = (holder: PortHolder) => ({ plan, cwd: dir, builds: [], findHolder: next(holder) });

  it.each<[string, PortHolder, string]>([
    [
      'a container of another compose project',
      { kind: 'container', name: 'other-web-1', project: 'other', devDir: undefined },
      'container other-web-1 of compose project other\n  free it with: docker compose -p other down',
    ],
    [
      'a container of a stagecraft session (its dev dir as the user would type it)',
      { kind: 'container', name: 'other-web-1', project: 'other', devDir: '/elsewhere/.stagecraft/dev' },
      'container other-web-1 of project other, a stagecraft session\n  free it with: stagecraft dev down --dev-dir /elsewhere/.stagecraft/dev --project-name other',
    ],
    [
      'a container no compose made',
      { kind: 'container', name: 'hand-made', project: undefined, devDir: undefined },
      'container hand-made\n  free it with: docker stop hand-made',
    ],
    [
      'a host process',
      { kind: 'process', pid: 4242, commandLine: 'node server.js' },
      'a process of this host: pid 4242 (node server.js)\n  stop it, or publish another host port in compose.yaml',
    ],
    [
      'nobody visible',
      { kind: 'unseen' },
      "a process stagecraft cannot see from here (another user's, or on the engine's host)\n  free the port, or publish another host port in compose.yaml",
    ],
  ])('%s: names the port, the service and the holder', async (_what, holder, told) => {
    expect(await describeStartFailure(failed, context(holder))).toStrictEqual({
      ...failed,
      message: `starting project shop failed: port 127.0.0.1:18381 of service web is taken by ${told}`,
      services: ['web'],
    });
  });

  it('a stagecraft session below the working dir: its dev dir relative to it', async () => {
    const holder: PortHolder = { kind: 'container', name: 'other-web-1', project: 'other', devDir: path.join(dir, 'other/.stagecraft/dev') };
    const told = (await describeStartFailure(failed, context(holder))) as { message: string };
    expect(told.message.split('\n')[1]).toBe('  free it with: stagecraft dev down --dev-dir other/.stagecraft/dev --project-name other');
  });

  it('a failed build: its service, step and last lines under its name', async () => {
    const builds = [
      {
        service: 'api',
        step: { index: 2, total: 3, text: 'RUN make' },
        error: 'process "/bin/sh -c make" did not complete successfully: exit code: 2',
        lastLines: ['cc main.c', "main.c:3: error: expected ';'"],
      },
    ];
    expect(await describeStartFailure({ ...failed, stderrTail: 'failed to solve: process "/bin/sh -c make"' }, { ...context({ kind: 'unseen' }), builds })).toStrictEqual({
      ...failed,
      stderrTail: 'failed to solve: process "/bin/sh -c make"',
      message: "starting project shop failed: the build of api failed at step 2/3 RUN make (exit code 2)\n  api:\n    cc main.c\n    main.c:3: error: expected ';'",
      services: ['api'],
    });
  });

  it('any other failure as it was', async () => {
    const other = { ...failed, stderrTail: 'Error response from daemon: pull access denied for shop/api' };
    expect(await describeStartFailure(other, context({ kind: 'unseen' }))).toBe(other);
    const input = { kind: 'input', message: 'bad' };
    expect(await describeStartFailure(input, context({ kind: 'unseen' }))).toBe(input);
  });
});

describe('runStart', () => {
  it('runs the plan\'s `up`, reading its lines; a taken port is looked up and named', async () => {
    const runner = new FakeComposeRunner().answer('explain', {
      stdout: `${JSON.stringify({ name: 'other-web-1', project: 'other', configFiles: '/nowhere/compose.yaml' })}\n`,
    });
    const started = runStart(runner, plan, dir, new AbortController().signal);
    const up = await runner.waitForRun('start');
    up.print(' Container shop-web-1  Starting');
    up.reject({ type: 'compose-failure', kind: 'exit-non-zero', command: plan.start, exitCode: 1, signal: undefined, stderrTail: engineTaken });
    await expect(started).rejects.toMatchObject({
      kind: 'start-failed',
      message: 'starting project shop failed: port 127.0.0.1:18381 of service web is taken by container other-web-1 of compose project other\n  free it with: docker compose -p other down',
      services: ['web'],
    });
    expect(runner.argvs()).toStrictEqual([plan.start.argv, portHolderCommand(plan, 18381).argv]);
  });

  it('a build that fails names its service from `up`\'s stdout', async () => {
    const runner = new FakeComposeRunner();
    const started = runStart(runner, plan, dir, new AbortController().signal);
    const up = await runner.waitForRun('start');
    up.print('#5 [api 2/2] RUN make', 'stdout');
    up.print('#5 0.412 make: *** [all] Error 2', 'stdout');
    up.print('#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2', 'stdout');
    up.reject({ type: 'compose-failure', kind: 'exit-non-zero', command: plan.start, exitCode: 17, signal: undefined, stderrTail: 'failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2' });
    await expect(started).rejects.toMatchObject({
      kind: 'start-failed',
      message: 'starting project shop failed: the build of api failed at step 2/2 RUN make (exit code 2)\n  api:\n    make: *** [all] Error 2',
      services: ['api'],
    });
    expect(runner.argvs()).toStrictEqual([plan.start.argv]);
  });

  it('a start that succeeds resolves, looking nothing up', async () => {
    const runner = new FakeComposeRunner().answer('start', {});
    await expect(runStart(runner, plan, dir, new AbortController().signal)).resolves.toBeUndefined();
    expect(runner.argvs()).toStrictEqual([plan.start.argv]);
  });
});
