// Issue 14 item 3: a dev dir that cannot be written (read-only, full, not ours) or files that
// cannot be read (a directory, a link loop) end in exit 1 with one sentence naming the file and
// the cause, never a stack trace; `dev` then starts nothing, and `dev down` still removes the stack.
//
// Real faults, also as root (which CI is, and where chmod stops nothing): a tmpfs remounted
// read-only (EROFS), a tiny full tmpfs (ENOSPC), the CLI run as `nobody` in a dir it cannot
// write (EACCES; as a non-root user, a chmod 0555 dir does the same), a directory where a file
// should be, and symbolic link loops. Mounting needs root (CAP_SYS_ADMIN): those tests say so
// and fail when it is missing, rather than pass without having run.
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliPath, CliProcess, CliRig, type CliExit } from './cli-harness.js';
import { expectRefused } from './expect-refused.js';
import { fakeBinDir, stacksDir } from '../fixtures/fake-docker.js';

const timeout = 30_000;
/** The teardown (SPEC §3): by the project's labels, so it needs no compose file. */
const teardown = ['compose', '-p', 'minimal', 'down', '--remove-orphans'];
const configDir = fileURLToPath(new URL('../fixtures/configs/minimal', import.meta.url));

let rig: CliRig | undefined;
const mounts: string[] = [];

afterEach(async () => {
  // Unmounted before the rig's dir is removed: rm would empty the tmpfs, then fail on it.
  for (const target of mounts.splice(0).reverse()) execFileSync('umount', [target]);
  await rig?.dispose();
  rig = undefined;
});

function newRig(stack: string | undefined): CliRig {
  rig = new CliRig(stack);
  return rig;
}

/** Mounts a tmpfs of `sizeKb` at `target` (made if missing); fails the test, saying why, when it cannot. */
function mountTmpfs(target: string, sizeKb: number): void {
  mkdirSync(target, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'tmpfs', target], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`this test mounts a tmpfs, which needs root with CAP_SYS_ADMIN (CI runs as root): ${String(error)}`);
  }
  mounts.push(target);
}

function remountReadOnly(target: string): void {
  execFileSync('mount', ['-o', 'remount,ro', target]);
}

/** The dev dir as a tmpfs holding the fixture's compose.yaml (and whatever `prepare` adds), then read-only. */
function readOnlyDevDir(r: CliRig, prepare: () => Promise<void> | void = () => undefined): Promise<void> {
  const devDir = path.join(r.cwd, '.stagecraft', 'dev');
  mountTmpfs(devDir, 1024);
  copyFileSync(path.join(stacksDir, 'minimal', 'compose.yaml'), path.join(devDir, 'compose.yaml'));
  return Promise.resolve(prepare()).then(() => remountReadOnly(devDir));
}

/** The dev dir as a tmpfs holding compose.yaml, filled to the last byte. */
function fullDevDir(r: CliRig): void {
  const devDir = path.join(r.cwd, '.stagecraft', 'dev');
  mountTmpfs(devDir, 64);
  copyFileSync(path.join(stacksDir, 'minimal', 'compose.yaml'), path.join(devDir, 'compose.yaml'));
  try {
    writeFileSync(path.join(devDir, 'filler'), Buffer.alloc(128 * 1024));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
}

const sessionFile = (r: CliRig): string => path.join(r.cwd, '.stagecraft', 'dev', 'session.json');
const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

/** What `dev down` prints for a project it found nothing of (the fake engine lists nothing). */
const removedNothing = expect.stringMatching(/^stagecraft dev: project minimal had no container, network or anonymous volume left to remove$/);

/**
 * `dev down` in a dev dir it cannot write: the teardown ran and it exited 0, saying only that
 * it could not record it (`cause`) and, when there was a record, could not remove it either.
 */
function expectRemovedDespite(r: CliRig, down: CliExit, cause: string, recordLeft = false): void {
  expect(lines(down.stderr)).toStrictEqual([
    `stagecraft dev: cannot write ${sessionFile(r)}: ${cause}; going on without a session record`,
    removedNothing,
    ...(recordLeft ? [`stagecraft dev: cannot remove ${sessionFile(r)}: ${cause}; remove it by hand`] : []),
  ]);
  expect(down.code).toBe(0);
  expect(r.calls()).toContainEqual(teardown);
}

describe('a read-only dev dir (a tmpfs remounted read-only)', () => {
  test.each([
    ['foreground', []],
    ['--detach', ['--detach']],
  ])(
    '`dev` (%s): exit 1 naming session.json and the cause, before anything runs',
    async (_mode, args) => {
      const r = newRig('minimal');
      await readOnlyDevDir(r);
      await expectRefused(r, [args], `stagecraft dev: error: cannot write ${sessionFile(r)}: read-only file system; use a writable file system or pass another --dev-dir\n`);
    },
    timeout,
  );

  test(
    '`dev down` still removes the stack, warning that it could not record it, nor remove the stale record',
    async () => {
      const r = newRig('minimal');
      // A detached session recorded while the dir was writable; its CLI has exited since.
      await readOnlyDevDir(r, async () => {
        const started = await r.run(['--detach']);
        expect(started.code).toBe(0);
      });
      expectRemovedDespite(r, await r.run(['down']), 'read-only file system', true);
      expect(JSON.parse(readFileSync(sessionFile(r), 'utf8'))).toMatchObject({ project: 'minimal', mode: 'detach' });
    },
    timeout,
  );

  test(
    '`dev down` with no record: one warning, the stack removed, exit 0',
    async () => {
      const r = newRig('minimal');
      await readOnlyDevDir(r);
      expectRemovedDespite(r, await r.run(['down']), 'read-only file system');
    },
    timeout,
  );

  test(
    '`--events` into it: exit 1 naming the file, before anything runs',
    async () => {
      const r = newRig('minimal');
      await readOnlyDevDir(r);
      await expectRefused(
        r,
        [['--events', '.stagecraft/dev/events.jsonl']],
        'stagecraft dev: error: cannot write .stagecraft/dev/events.jsonl: read-only file system; use a writable file system or pass another file to --events\n',
      );
    },
    timeout,
  );

  test(
    'generating the dev files into it (a stagecraft.yml is there): exit 1 naming the dir',
    async () => {
      const r = newRig(undefined);
      copyFileSync(path.join(configDir, 'stagecraft.yml'), path.join(r.cwd, 'stagecraft.yml'));
      // `.stagecraft` itself read-only and empty: the dev dir cannot even be made.
      execFileSync('rmdir', [path.join(r.cwd, '.stagecraft', 'dev')]);
      mountTmpfs(path.join(r.cwd, '.stagecraft'), 64);
      remountReadOnly(path.join(r.cwd, '.stagecraft'));
      await expectRefused(
        r,
        [['plan'], ['generate'], ['--detach']],
        'stagecraft dev: error: cannot create .stagecraft/dev: read-only file system; use a writable file system or pass another --dev-dir\n',
      );
    },
    timeout,
  );
});

describe('a full disk under the events file (/dev/full: every write is ENOSPC)', () => {
  test(
    'the session goes on and ends as it would; the last line says why the events file stops short',
    async () => {
      const r = newRig('minimal');
      const result = await r.run(['--detach', '--events', '/dev/full']);
      expect(lines(result.stderr).at(-1)).toBe('stagecraft dev: cannot write /dev/full: no space left on device; the events file ends there');
      expect(result.code).toBe(0);
      expect(r.calls()).toContainEqual(['compose', '-p', 'minimal', '-f', '.stagecraft/dev/compose.yaml', 'up', '--detach', '--remove-orphans']);
    },
    timeout,
  );
});

describe('a full dev dir (a tiny tmpfs, filled)', () => {
  test(
    '`dev --detach`: exit 1, no space left, before anything runs; `dev down` warns and removes the stack',
    async () => {
      const r = newRig('minimal');
      fullDevDir(r);
      await expectRefused(r, [['--detach']], `stagecraft dev: error: cannot write ${sessionFile(r)}: no space left on device; free some space or pass another --dev-dir\n`);

      expectRemovedDespite(r, await r.run(['down']), 'no space left on device');
    },
    timeout,
  );
});

/**
 * Spawns the CLI as a user who cannot write the dev dir: `nobody` when the tests run as root
 * (root writes anywhere), else this user with the dev dir made read-only by its mode.
 */
function spawnUnprivileged(r: CliRig, args: readonly string[]): CliProcess {
  const devDir = path.join(r.cwd, '.stagecraft', 'dev');
  const asRoot = process.getuid?.() === 0;
  // The rig's dirs are 0700 (mkdtemp): `nobody` needs to read them, and to append to the fake's log.
  for (const dir of [r.root, r.cwd, path.join(r.cwd, '.stagecraft')]) chmodSync(dir, 0o755);
  writeFileSync(r.logFile, '', { flag: 'a' });
  chmodSync(r.logFile, 0o666);
  chmodSync(devDir, 0o555);
  const child = spawn(process.execPath, [cliPath, 'dev', ...args], {
    cwd: r.cwd,
    env: {
      PATH: `${fakeBinDir}${path.delimiter}${path.join(r.root, 'node-bin')}`,
      NO_COLOR: '1',
      HOME: r.root,
      FAKE_DOCKER_LOG: r.logFile,
      FAKE_DOCKER_SCENARIO: '{}',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  return new CliProcess(child);
}

describe('a dev dir this user cannot write (EACCES)', () => {
  test(
    '`dev --detach`: exit 1, permission denied, before anything runs; `dev down` warns and removes the stack',
    async () => {
      const r = newRig('minimal');
      const started = await spawnUnprivileged(r, ['--detach']).exit();
      expect(started.stderr).toBe(
        `stagecraft dev: error: cannot write ${sessionFile(r)}: permission denied; fix the permissions or pass another --dev-dir\n`,
      );
      expect(started.code).toBe(1);
      expect(r.calls()).toStrictEqual([]);

      expectRemovedDespite(r, await spawnUnprivileged(r, ['down']).exit(), 'permission denied');
    },
    timeout,
  );
});

describe('files that cannot be read: exit 1 naming them, nothing run', () => {
  const notADir = (r: CliRig): string => `stagecraft dev: error: cannot read ${sessionFile(r)}: it is a directory; remove that directory or pass another --dev-dir\n`;
  const loop = (r: CliRig): string => `stagecraft dev: error: cannot read ${sessionFile(r)}: a symbolic link loop; fix the link or pass another --dev-dir\n`;

  test.each([
    ['session.json is a directory', (r: CliRig) => mkdirSync(sessionFile(r)), notADir],
    [
      'session.json is a symbolic link loop',
      (r: CliRig) => {
        symlinkSync('loop', sessionFile(r));
        symlinkSync('session.json', path.join(r.cwd, '.stagecraft', 'dev', 'loop'));
      },
      loop,
    ],
  ])(
    '%s: dev, dev --detach, dev down and dev status',
    async (_what, prepare, expected) => {
      const r = newRig('minimal');
      prepare(r);
      await expectRefused(r, [[], ['--detach'], ['down'], ['status']], expected(r));
    },
    timeout,
  );

  test(
    'stagecraft.yml is a symbolic link loop, or a directory',
    async () => {
      const r = newRig('minimal');
      symlinkSync('other.yml', path.join(r.cwd, 'stagecraft.yml'));
      symlinkSync('stagecraft.yml', path.join(r.cwd, 'other.yml'));
      await expectRefused(r, [['plan'], [], ['generate']], 'stagecraft dev: error: cannot read stagecraft.yml: a symbolic link loop; fix the link or pass another --config\n');
      execFileSync('rm', [path.join(r.cwd, 'stagecraft.yml')]);
      mkdirSync(path.join(r.cwd, 'stagecraft.yml'));
      await expectRefused(r, [['plan']], 'stagecraft dev: error: config stagecraft.yml is not a regular file; pass a stagecraft.yml with --config\n');
    },
    timeout,
  );

  test(
    'generating into a dev dir under a file (ENOTDIR): exit 1 naming it',
    async () => {
      const r = newRig('minimal');
      copyFileSync(path.join(configDir, 'stagecraft.yml'), path.join(r.cwd, 'stagecraft.yml'));
      writeFileSync(path.join(r.cwd, 'notes.txt'), 'a file');
      await expectRefused(
        r,
        [['generate', '--dev-dir', 'notes.txt/dev']],
        'stagecraft dev: error: cannot create notes.txt/dev: a part of the path is a file, not a directory; remove the file in the way or pass another --dev-dir\n',
      );
    },
    timeout,
  );
});
