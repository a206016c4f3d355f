// L4 for compose features the plan reads offline (issue 12 item 5, item 4's profiles): a
// compose.yaml whose services all come from `include:`, a service with `deploy.replicas: 0`,
// and `--no-traefik` with COMPOSE_PROFILES, where Traefik's image is not on the machine and
// must not be pulled. Each scenario ends with nothing of the project left.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  containers,
  describeE2e,
  forceRemove,
  health,
  leftovers,
  nothingLeft,
  oneShot,
  projectName,
  removeDir,
  runCli,
  stackDir,
  volumes,
} from './e2e-harness.js';

/** A long-running busybox service; `extra` adds compose keys. */
const sleeper = (name: string, extra = ''): string => oneShot(name, `echo ${name} ready; exec sleep 100000`, extra);

/** The image `--no-traefik` must never pull: absent from the engine before and after. */
const traefikImage = 'traefik:v3';

function imagePresent(image: string): boolean {
  return spawnSync('docker', ['image', 'inspect', image], { encoding: 'utf8', timeout: 60_000 }).status === 0;
}

/** Containers, networks, processes and volumes of the project. */
const everythingOf = (project: string) => ({ ...leftovers(project), volumes: volumes(project) });
const nothing = { ...nothingLeft, volumes: [] };

/** The env of a shell without COMPOSE_PROFILES (spawn drops an undefined variable). */
const noProfiles = { COMPOSE_PROFILES: undefined };

describeE2e('compose features read offline', () => {
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

  test('an include-only compose.yaml (two included files, one with a healthcheck): up, ready, down, nothing left — include', async () => {
    dir = stackDir('include:\n  - api/compose.yaml\n  - path: db/compose.yaml\n');
    const devDir = path.join(dir, '.stagecraft/dev');
    mkdirSync(path.join(devDir, 'api'));
    mkdirSync(path.join(devDir, 'db'));
    writeFileSync(path.join(devDir, 'api/compose.yaml'), `services:\n${sleeper('api')}`);
    writeFileSync(
      path.join(devDir, 'db/compose.yaml'),
      `services:\n${sleeper('db', '    healthcheck:\n      test: ["CMD", "true"]\n      interval: 1s\n      start_interval: 1s\n      start_period: 5s\n')}`,
    );

    const up = await runCli(dir, ['--detach', '--wait', '-p', project], noProfiles);
    expect(up.code).toBe(0);
    expect(containers(project)).toStrictEqual(['api running', 'db running']);
    expect(health(project, 'db')).toBe('healthy');

    const down = await runCli(dir, ['down', '-p', project], noProfiles);
    expect(down.code).toBe(0);
    expect(everythingOf(project)).toStrictEqual(nothing);
  });

  test('a service with deploy.replicas: 0 beside a running one: ready without it, `dev status` says scaled to 0 — replicas', async () => {
    dir = stackDir(`services:\n${sleeper('web')}${sleeper('spare', '    deploy:\n      replicas: 0\n')}`);

    const up = await runCli(dir, ['--detach', '--wait', '-p', project], noProfiles);
    expect(up.code).toBe(0);
    expect(containers(project)).toStrictEqual(['web running']);

    const json = await runCli(dir, ['status', '--json', '-p', project], noProfiles);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { services: { status: string }[] };
    expect(report.services.map(({ status: _, ...row }) => row)).toStrictEqual([
      { service: 'spare', container: null, state: 'scaled to 0', health: null, exitCode: null },
      { service: 'web', container: `${project}-web-1`, state: 'running', health: null, exitCode: null },
    ]);
    const table = await runCli(dir, ['status', '-p', project], noProfiles);
    expect(table.code).toBe(0);
    const container = `${project}-web-1`;
    expect(table.stdout.split('\n').slice(3)).toStrictEqual([
      `SERVICE  ${'CONTAINER'.padEnd(container.length)}  STATE        HEALTH  EXIT`,
      `spare    ${'-'.padEnd(container.length)}  scaled to 0  -       -`,
      `web      ${container}  running      -       -`,
      '',
    ]);

    const down = await runCli(dir, ['down', '-p', project], noProfiles);
    expect(down.code).toBe(0);
    expect(everythingOf(project)).toStrictEqual(nothing);
  });

  test('COMPOSE_PROFILES=p dev --detach --no-traefik: the profiled service runs, Traefik neither runs nor is pulled — profiles', async () => {
    expect(imagePresent(traefikImage)).toBe(false);
    dir = stackDir(`services:\n${sleeper('web')}${sleeper('tools', '    profiles: ["p"]\n')}  traefik:\n    image: ${traefikImage}\n`);

    const up = await runCli(dir, ['--detach', '--no-traefik', '-p', project], { COMPOSE_PROFILES: 'p' });
    expect(up.code).toBe(0);
    expect(containers(project)).toStrictEqual(['tools running', 'web running']);
    expect(imagePresent(traefikImage)).toBe(false);

    const down = await runCli(dir, ['down', '-p', project], noProfiles);
    expect(down.code).toBe(0);
    expect(everythingOf(project)).toStrictEqual(nothing);
  });
});
