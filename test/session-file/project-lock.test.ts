// The project lock (SPEC §6) against real processes: a holder in another process refuses
// this one and names itself; one stopped with SIGSTOP keeps the lock; one killed with SIGKILL
// loses it at once; ten processes racing for it: exactly one wins. The holders here bind the
// socket name themselves, as any stagecraft process does (src/session-file/project-lock.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { engineEndpoint, lockName, ProjectLock } from '../../src/session-file/project-lock.js';

const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});

/** A unique engine per test, so tests never share a lock name. */
function env(): NodeJS.ProcessEnv {
  return { DOCKER_HOST: `tcp://lock-test-${process.pid}-${Math.random()}:2375`, HOME: '/nonexistent' };
}

// A process that binds `name` and answers who it is, then prints `bound` (or `in-use`).
const holderScript = `
const net = require('node:net');
const [quoted, sessionFile] = process.argv.slice(1);
const name = JSON.parse(quoted); // an abstract name starts with NUL, which argv cannot carry
const server = net.createServer((s) => s.write(JSON.stringify({ pid: process.pid, sessionFile }) + '\\n'));
server.once('error', (e) => { console.log(e.code === 'EADDRINUSE' ? 'in-use' : 'error ' + e.code); process.exit(0); });
server.listen({ path: name }, () => console.log('bound'));
setTimeout(() => process.exit(0), 30000);
`;

async function spawnHolder(name: string, sessionFile: string): Promise<{ child: ChildProcess; said: string }> {
  const child = spawn(process.execPath, ['-e', holderScript, JSON.stringify(name), sessionFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.stdout?.setEncoding('utf8');
  const [line] = (await once(child.stdout!, 'data')) as [string];
  return { child, said: line.trim() };
}

describe('engineEndpoint', () => {
  it('is DOCKER_HOST, else DOCKER_CONTEXT, else the default socket', () => {
    expect(engineEndpoint({ DOCKER_HOST: 'ssh://me@box', DOCKER_CONTEXT: 'remote', HOME: '/nonexistent' })).toBe('ssh://me@box');
    expect(engineEndpoint({ DOCKER_CONTEXT: 'remote', HOME: '/nonexistent' })).toBe('context:remote');
    expect(engineEndpoint({ DOCKER_CONTEXT: 'default', HOME: '/nonexistent' })).toBe('unix:///var/run/docker.sock');
    expect(engineEndpoint({ HOME: '/nonexistent' })).toBe('unix:///var/run/docker.sock');
  });

  it('names one lock per project per engine, in the abstract namespace on Linux', () => {
    const a = lockName('shop', 'unix:///var/run/docker.sock', 'linux');
    expect(a.startsWith('\0stagecraft/stagecraft-shop-')).toBe(true);
    expect(lockName('shop', 'unix:///var/run/docker.sock', 'linux')).toBe(a);
    expect(lockName('shop', 'tcp://other:2375', 'linux')).not.toBe(a);
    expect(lockName('shop2', 'unix:///var/run/docker.sock', 'linux')).not.toBe(a);
  });
});

describe('ProjectLock', () => {
  it('acquires a free project, says it holds it to nobody else in this process, and releases it', async () => {
    const e = env();
    const lock = new ProjectLock(e);
    expect(await lock.acquire('shop', '/dev/a/session.json')).toBeUndefined();
    expect(await lock.holder('shop')).toBeUndefined(); // its own lock is not "another"
    const other = new ProjectLock(e);
    expect(await other.holder('shop')).toStrictEqual({ pid: process.pid, sessionFile: '/dev/a/session.json' });
    expect(await other.acquire('shop', '/dev/b/session.json')).toStrictEqual({ pid: process.pid, sessionFile: '/dev/a/session.json' });
    await lock.release('shop');
    expect(await other.acquire('shop', '/dev/b/session.json')).toBeUndefined();
    await other.release('shop');
  });

  it('a holder in another process refuses it and names its pid and session file', async () => {
    const e = env();
    const { child, said } = await spawnHolder(lockName('shop', engineEndpoint(e)), '/dev/x/session.json');
    expect(said).toBe('bound');
    const lock = new ProjectLock(e);
    expect(await lock.acquire('shop', '/dev/a/session.json')).toStrictEqual({ pid: child.pid, sessionFile: '/dev/x/session.json' });
    // Another project, or the same project on another engine, is free.
    expect(await lock.acquire('other', '/dev/a/session.json')).toBeUndefined();
    expect(await new ProjectLock(env()).acquire('shop', '/dev/a/session.json')).toBeUndefined();
  });

  it('a holder stopped with SIGSTOP keeps the lock (it cannot answer, so it is unnamed); SIGKILL frees it at once', async () => {
    const e = env();
    const { child } = await spawnHolder(lockName('shop', engineEndpoint(e)), '/dev/x/session.json');
    child.kill('SIGSTOP');
    const lock = new ProjectLock(e);
    expect(await lock.acquire('shop', '/dev/a/session.json')).toStrictEqual({ pid: undefined, sessionFile: undefined });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    expect(await lock.acquire('shop', '/dev/a/session.json')).toBeUndefined();
    await lock.release('shop');
  });

  it('whenReleased resolves at once for a free project, and as soon as a holder lets go or dies (no polling)', async () => {
    const e = env();
    const waiter = new ProjectLock(e);
    await waiter.whenReleased('shop');
    const holder = new ProjectLock(e);
    expect(await holder.acquire('shop', '/dev/a/session.json')).toBeUndefined();
    let released = false;
    const waiting = waiter.whenReleased('shop').then(() => (released = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBe(false);
    await holder.release('shop');
    await waiting;
    expect(released).toBe(true);

    const { child } = await spawnHolder(lockName('shop', engineEndpoint(e)), '/dev/x/session.json');
    const waitingForChild = waiter.whenReleased('shop');
    child.kill('SIGKILL');
    await waitingForChild;
    expect(await waiter.acquire('shop', '/dev/a/session.json')).toBeUndefined();
    await waiter.release('shop');
  });

  it('whenReleased gives up when its signal aborts', async () => {
    const e = env();
    const holder = new ProjectLock(e);
    await holder.acquire('shop', '/dev/a/session.json');
    const abort = new AbortController();
    const waiting = new ProjectLock(e).whenReleased('shop', abort.signal);
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    await holder.release('shop');
  });

  it('ten processes racing for one project: exactly one gets it', async () => {
    const name = lockName('race', engineEndpoint(env()));
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => spawnHolder(name, `/dev/${i}/session.json`)));
    const said = results.map((r) => r.said).sort();
    expect(said).toStrictEqual(['bound', ...Array.from({ length: 9 }, () => 'in-use')]);
  });
});
