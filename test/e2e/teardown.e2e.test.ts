// L4 for SPEC v2 §3's teardown and compose's own rejections (issue 12 items 1, 2, 7): what
// `dev down` and a session's teardown remove on a real engine, whatever profiles were active,
// one-off `run` containers and anonymous volumes included, with compose.yaml now invalid or gone.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  anonymousVolumes,
  busybox,
  containers,
  describeE2e,
  existingVolumes,
  forceRemove,
  leftovers,
  networks,
  nothingLeft,
  projectName,
  removeDir,
  runCli,
  signalGroup,
  stackDir,
  startCli,
  volumes,
  waitUntil,
} from './e2e-harness.js';

/** A long-running busybox service printing `<name> ready`. */
function sleeper(name: string, extra = ''): string {
  return `  ${name}:
    image: ${busybox}
    pull_policy: never
    init: true
    command: ["sh", "-c", "echo ${name} ready; exec sleep 100000"]
${extra}`;
}

/** web with an anonymous and a named volume; `prof` behind the profile `p`. */
const profiledStack = `services:
${sleeper('web', '    volumes:\n      - /scratch\n      - keep:/keep\n')}${sleeper('prof', '    profiles: ["p"]\n')}volumes:
  keep: {}
`;

const composeFile = (dir: string): string => path.join(dir, '.stagecraft/dev/compose.yaml');

/** The env of a shell where COMPOSE_PROFILES and COMPOSE_FILE are not set. */
function without(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

describeE2e('teardown by the project label', () => {
  let project: string;
  let dir: string | undefined;

  beforeEach(() => {
    project = projectName(expect.getState().currentTestName?.split(' ').at(-1) ?? 'x');
  });

  afterEach(() => {
    forceRemove(project, { volumes: true });
    if (dir !== undefined) removeDir(dir);
    dir = undefined;
  });

  test.each([
    ['now invalid', 'invalid', (d: string) => writeFileSync(composeFile(d), 'services:\n  web: {image: x, no_such_key: 1}\n')],
    ['deleted', 'deleted', (d: string) => rmSync(composeFile(d))],
  ])(
    'a profiled service, a `run` container and anonymous volumes all go with `dev down` in a shell without the profile, compose.yaml %s; the named volume stays — %s',
    async (_, _tag, breakFile) => {
      dir = stackDir(profiledStack);
      const up = await runCli(dir, ['--detach', '--wait', '-p', project], { COMPOSE_PROFILES: 'p' });
      expect(up.code).toBe(0);
      const run = spawnSync('docker', ['compose', '-p', project, '-f', composeFile(dir), 'run', '--detach', 'web', 'sleep', '100000'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(0);
      expect(containers(project)).toEqual(['prof running', 'web running', 'web running']);
      const anonymous = anonymousVolumes(project);
      expect(anonymous).toHaveLength(2); // web's /scratch, and the `run` container's own
      breakFile(dir);

      const down = await runCli(dir, ['down', '-p', project], without('COMPOSE_PROFILES', 'COMPOSE_FILE'));
      expect(down.code).toBe(0);
      const names = spawnSync('docker', ['ps', '-a'], { encoding: 'utf8' }).stdout; // nothing of it is listed any more
      expect(names).not.toContain(project);
      expect(down.stderr).toMatch(
        new RegExp(
          `^stagecraft dev: removed project ${project}: containers ${project}-prof-1, ${project}-web-1, ${project}-web-run-[0-9a-f]{12}; ` +
            `network ${project}_default; anonymous volumes [0-9a-f]{12}, [0-9a-f]{12}\\n$`,
        ),
      );
      expect(leftovers(project)).toEqual(nothingLeft);
      expect(existingVolumes(anonymous)).toEqual([]);
      expect(volumes(project)).toEqual([`${project}_keep`]);
      expect(existsSync(path.join(dir, '.stagecraft/dev/session.json'))).toBe(false);
      const again = await runCli(dir, ['down', '-p', project], without('COMPOSE_PROFILES'));
      expect(again).toMatchObject({ code: 0, stderr: `stagecraft dev: project ${project} had no container, network or anonymous volume left to remove\n` });
    },
  );

  test('a foreground session started with COMPOSE_PROFILES removes the profiled service on Ctrl+C, and says so only after checking — fgprofile', async () => {
    dir = stackDir(profiledStack);
    const run = startCli(dir, ['-p', project], { COMPOSE_PROFILES: 'p' });
    await waitUntil('both services logging', () => /web-1 +\| web ready/.test(run.stdout()) && /prof-1 +\| prof ready/.test(run.stdout()));
    const anonymous = anonymousVolumes(project);
    expect(anonymous).toHaveLength(1);
    signalGroup(run, 'SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain(
      `stagecraft dev: removed project ${project}: containers ${project}-prof-1, ${project}-web-1; network ${project}_default; anonymous volume ${anonymous[0]?.slice(0, 12)}\n` +
        `stagecraft dev: stopped project ${project}; nothing left running\n`,
    );
    expect(leftovers(project)).toEqual(nothingLeft);
    expect(existingVolumes(anonymous)).toEqual([]);
    expect(volumes(project)).toEqual([`${project}_keep`]);
  });

  test.each([
    ['an unknown key', `    no_such_key: 1\n`, /services\.web Additional property no_such_key is not allowed/],
    ['a missing env_file', `    env_file: [missing.env]\n`, /env file \S*\/missing\.env not found/],
    ['an unset required variable', `    environment: {A: "\${STAGECRAFT_E2E_UNSET:?set it}"}\n`, /required variable STAGECRAFT_E2E_UNSET is missing a value: set it/],
  ])('compose rejecting the file (%s): exit 1, its message once, nothing created, no record; `dev status` and `dev down` exit 0 — rejected', async (_, extra, message) => {
    dir = stackDir(`services:\n${sleeper('web', extra)}`);
    for (const args of [['--detach'], ['--detach', '--wait'], []]) {
      const result = await runCli(dir, [...args, '-p', project]);
      expect({ args, code: result.code }).toEqual({ args, code: 1 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.match(new RegExp(message.source, 'g'))).toHaveLength(1);
      expect(result.stderr).toContain('fix the file (or its stagecraft.yml, then `stagecraft dev generate`) and run again\n');
      expect(result.stderr).not.toMatch(/rolling back|teardown|may still be there/);
      expect(existsSync(path.join(dir, '.stagecraft/dev/session.json'))).toBe(false);
      expect(leftovers(project)).toEqual(nothingLeft);
    }
    const status = await runCli(dir, ['status', '-p', project]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^web +- +absent/m);
    const down = await runCli(dir, ['down', '-p', project]);
    expect(down).toMatchObject({ code: 0, stderr: `stagecraft dev: project ${project} had no container, network or anonymous volume left to remove\n` });
    expect(networks(project)).toEqual([]);
  });

  test("compose's warning about an unset variable is shown once, though every command reads the file — warnings", async () => {
    dir = stackDir(`services:\n${sleeper('web', '    environment: {A: "${STAGECRAFT_E2E_UNSET_WARN}"}\n')}`);
    const run = startCli(dir, ['-p', project], without('STAGECRAFT_E2E_UNSET_WARN'));
    await waitUntil('the service logging', () => /web-1 +\| web ready/.test(run.stdout()));
    signalGroup(run, 'SIGINT');
    expect(await run.exited).toBe(130);
    const warning = 'stagecraft dev: compose: The "STAGECRAFT_E2E_UNSET_WARN" variable is not set. Defaulting to a blank string.\n';
    expect(run.stderr().split(warning)).toHaveLength(2);
    expect(leftovers(project)).toEqual(nothingLeft);
  });
});
