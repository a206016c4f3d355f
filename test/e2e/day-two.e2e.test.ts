// L4 for the day-two commands (SPEC §2) on a real engine: `dev logs` of a named service (and
// followed until Ctrl+C), `dev exec` passing stdin, stdout, stderr and the exit code through
// (and a TTY on a terminal);
// the same once the dev files are gone (the project by its label); then `dev down`, and
// nothing of the project is left.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import {
  busybox,
  cliPath,
  containers,
  describeE2e,
  forceRemove,
  leftovers,
  nothingLeft,
  projectName,
  removeDir,
  runCli,
  signalGroup,
  stack,
  stackDir,
  startCli,
  waitUntil,
} from './e2e-harness.js';

/** A long-running busybox service that prints `hello from <name>` then ticks. */
function greeter(name: string): string {
  return `  ${name}:
    image: ${busybox}
    pull_policy: never
    init: true
    command: ["sh", "-c", "echo hello from ${name}; while true; do echo ${name} tick; sleep 1; done"]
`;
}

/** `stagecraft dev <args>` with `input` on its stdin (a pipe, so compose gets `exec -T`). */
async function runWithInput(cwd: string, args: readonly string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, 'dev', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  return { code, stdout, stderr };
}

/** Runs `stagecraft dev <args>` again until its stdout matches `wanted` (a container's first line may lag its start), or 30 s. */
async function runUntil(cwd: string, args: readonly string[], wanted: RegExp) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await runCli(cwd, args);
    if (wanted.test(result.stdout) || Date.now() > deadline) return result;
  }
}

describeE2e('stagecraft dev logs and dev exec against a real engine', () => {
  let project: string;
  let dir: string | undefined;

  beforeEach(() => {
    project = projectName('daytwo');
  });

  afterEach(() => {
    forceRemove(project, { volumes: true });
    if (dir !== undefined) removeDir(dir);
    dir = undefined;
  });

  test('logs of one named service, a followed stream ended by Ctrl+C, exec passing everything through; then nothing left', async () => {
    const cwd = stackDir(stack(greeter('app'), greeter('web')));
    dir = cwd;
    const p = ['--project-name', project];
    expect((await runCli(cwd, ['--detach', '--wait', ...p])).code).toBe(0);
    expect(containers(project)).toEqual(['app running', 'web running']);

    // The named service's lines only, with compose's prefix.
    const logs = await runUntil(cwd, ['logs', 'app', ...p], /hello from app/);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^app-1 +\| hello from app$/m);
    expect(logs.stdout).not.toContain('web');
    expect(logs.stderr).toBe('');

    // Followed until Ctrl+C: exit 0, and the stack keeps running.
    const follow = startCli(cwd, ['logs', '--follow', '--tail', '1', '--no-log-prefix', 'web', ...p]);
    await waitUntil('a followed line of web', () => /^web tick$/m.test(follow.stdout()), 30_000);
    signalGroup(follow, 'SIGINT');
    expect(await follow.exited).toBe(0);
    expect(follow.stdout()).not.toContain('|');
    expect(containers(project)).toEqual(['app running', 'web running']);

    // exec: the command's exit code is stagecraft's; stdin, stdout and stderr are the command's.
    const failed = await runCli(cwd, ['exec', 'app', ...p, '--', 'sh', '-c', 'exit 7']);
    expect(failed).toEqual({ code: 7, stdout: '', stderr: '' });
    const piped = await runWithInput(cwd, ['exec', 'web', ...p, '--', 'sh', '-c', 'tr a-z A-Z; echo done >&2'], 'through stdin\n');
    expect(piped).toEqual({ code: 0, stdout: 'THROUGH STDIN\n', stderr: 'done\n' });

    // On a terminal (util-linux `script` gives stagecraft a pseudo-terminal): the command gets one too.
    const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
    const onTerminal = spawnSync(
      '/usr/bin/script',
      ['--quiet', '--return', '--command', [process.execPath, cliPath, 'dev', 'exec', 'app', ...p, '--', 'tty'].map(quote).join(' '), '/dev/null'],
      { cwd, env: { ...process.env, NO_COLOR: '1', SHELL: '/bin/sh' }, input: '', encoding: 'utf8', timeout: 60_000 },
    );
    // `tty` exits 1 ("not a tty") without one. The terminal echoes the end of the empty stdin
    // as `^@`, before or after the command's output.
    expect(onTerminal.status).toBe(0);
    expect(onTerminal.stdout.replaceAll('^@', '')).toMatch(/^\/dev\/pts\/\d+\r\n$/);

    // Unknown service: the services listed, nothing run.
    const unknown = await runCli(cwd, ['exec', 'db', ...p, '--', 'true']);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: `stagecraft dev: error: no service "db" in project ${project}; its services: app, web\n` });

    // The dev files gone: the project by its label alone; the engine says which services it has.
    rmSync(path.join(cwd, '.stagecraft/dev/compose.yaml'));
    const byLabel = await runCli(cwd, ['logs', 'app', '--tail', '1', ...p]);
    expect(byLabel.code).toBe(0);
    expect(byLabel.stdout).toMatch(/^app-1 +\| app tick\n$/);
    expect(await runCli(cwd, ['exec', 'app', ...p, '--', 'sh', '-c', 'exit 3'])).toEqual({ code: 3, stdout: '', stderr: '' });
    expect((await runCli(cwd, ['logs', 'db', ...p])).stderr).toBe(`stagecraft dev: error: no service "db" in project ${project}; its services: app, web\n`);

    expect((await runCli(cwd, ['down', ...p])).code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
  });
});
