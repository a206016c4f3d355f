// L4: generated dev files against a real Docker engine. Every golden config is generated
// by the built CLI in a temp copy and checked by `docker compose config --quiet`; the
// quickstart (Traefik off: its image cannot be pulled offline) is brought up and down.
// Runs when an engine answers; with STAGECRAFT_E2E=1 (CI) a missing engine is a failure.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filesUnder, goldenConfigs, goldenRoot } from '../fixtures/golden-configs.js';
import {
  containers,
  describeE2e,
  forceRemove,
  health,
  leftovers,
  nothingLeft,
  projectName,
  removeDir,
  runCli,
  waitUntil,
} from './e2e-harness.js';


const composeFile = '.stagecraft/dev/compose.yaml';

/** A temp copy of a config's directory, without any dev files generated there before. */
function copyOfConfig(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `stagecraft-e2e-gen-${name}-`));
  const source = goldenConfigs[name] as string;
  cpSync(source, dir, { recursive: true, filter: (file) => !path.relative(source, file).startsWith('.stagecraft') });
  return dir;
}

function docker(args: readonly string[], cwd?: string) {
  return spawnSync('docker', args, { cwd, encoding: 'utf8', timeout: 60_000 });
}

describeE2e('generated dev files against a real engine', () => {
  let dir: string | undefined;
  let project: string | undefined;


  afterEach(() => {
    if (project !== undefined) forceRemove(project, { volumes: true });
    if (dir !== undefined) removeDir(dir);
    dir = undefined;
    project = undefined;
  });

  test.each(Object.keys(goldenConfigs))('%s: dev generate writes the golden files and compose accepts them', async (name) => {
    dir = copyOfConfig(name);
    const result = await runCli(dir, ['generate']);
    expect(result.code).toBe(0);
    const devDir = path.join(dir, '.stagecraft/dev');
    const goldenDir = path.join(goldenRoot, name);
    const golden = filesUnder(goldenDir);
    expect(filesUnder(devDir)).toEqual([...golden, 'generated.json'].sort());
    for (const file of golden) {
      expect({ file, text: readFileSync(path.join(devDir, file), 'utf8') }).toEqual({ file, text: readFileSync(path.join(goldenDir, file), 'utf8') });
    }
    const config = docker(['compose', '-f', composeFile, 'config', '--quiet'], dir);
    expect({ status: config.status, stderr: config.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('the quickstart comes up with dev --detach, serves through its mount, and dev down leaves nothing', async () => {
    dir = copyOfConfig('quickstart');
    project = projectName('quickstart');
    const up = await runCli(dir, ['--detach', '--wait', '--wait-timeout', '60', '-p', project]);
    expect(up.code).toBe(0);
    expect(up.stderr.split('\n')[0]).toBe('stagecraft dev: dev files in .stagecraft/dev generated from stagecraft.yml: wrote compose.yaml');
    expect(containers(project)).toEqual(['backend running', 'frontend running']);
    expect(health(project, 'backend')).toBe('healthy');

    // The frontend reaches the backend by its service name on the project network…
    const logs = () => docker(['compose', '-p', project as string, '-f', composeFile, 'logs', 'frontend'], dir).stdout;
    await waitUntil('the frontend to reach the backend', () => logs().includes('frontend: backend says hello from the backend'));
    // …and serves ./web, mounted through the path rebased from stagecraft.yml's directory.
    const page = docker(['compose', '-p', project, '-f', composeFile, 'exec', '-T', 'frontend', 'wget', '-q', '-O', '-', 'http://127.0.0.1:3000/'], dir);
    expect(page.stdout).toBe(readFileSync(path.join(dir, 'web/index.html'), 'utf8'));

    const down = await runCli(dir, ['down', '-p', project]);
    expect(down.code).toBe(0);
    expect(leftovers(project)).toEqual(nothingLeft);
  });
});
