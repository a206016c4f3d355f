// L3: `stagecraft dev generate`, and `dev` / `dev plan` generating first when the project
// has a stagecraft.yml. The fake docker records every call: generation itself runs none.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { goldenConfigs, goldenRoot } from '../fixtures/golden-configs.js';
import { composeFile, useCliRigs, type CliRig } from './cli-harness.js';

const timeout = 20_000;
const rig = useCliRigs();

/** A fixture config without relative paths: its golden files hold for any project dir. */
const noTraefik = readFileSync(path.join(goldenConfigs['no-traefik'] as string, 'stagecraft.yml'), 'utf8');
const goldenCompose = readFileSync(path.join(goldenRoot, 'no-traefik/compose.yaml'), 'utf8');

const prefix = 'stagecraft dev:';
const wrote = (files: string, config = 'stagecraft.yml', devDir = '.stagecraft/dev') =>
  `${prefix} dev files in ${devDir} generated from ${config}: wrote ${files}\n`;

function writeIn(r: CliRig, relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(r.cwd, relative)), { recursive: true });
  writeFileSync(path.join(r.cwd, relative), text);
}

const readIn = (r: CliRig, relative: string) => readFileSync(path.join(r.cwd, relative), 'utf8');

const project = 'no-traefik';
const p = ['compose', '-p', project, '-f', composeFile];

describe('stagecraft dev generate', () => {
  test(
    'writes the dev files from stagecraft.yml, runs no docker command, exits 0',
    async () => {
      const r = rig();
      writeIn(r, 'stagecraft.yml', noTraefik);
      const result = await r.run(['generate']);
      expect(result).toStrictEqual({ code: 0, stdout: '', stderr: wrote('compose.yaml') });
      expect(readIn(r, composeFile)).toBe(goldenCompose);
      expect(r.log()).toEqual([]);

      const again = await r.run(['generate']);
      expect(again).toStrictEqual({
        code: 0,
        stdout: '',
        stderr: `${prefix} dev files in .stagecraft/dev generated from stagecraft.yml: nothing changed\n`,
      });
      expect(readIn(r, composeFile)).toBe(goldenCompose);
    },
    timeout,
  );

  test(
    'switching Traefik off removes the Traefik files it wrote before',
    async () => {
      const r = rig();
      writeIn(r, 'stagecraft.yml', noTraefik.replace('traefik: false', 'traefik: true'));
      expect((await r.run(['generate'])).stderr).toBe(wrote('compose.yaml, traefik/dynamic/routes.yml, traefik/traefik.yml'));
      writeIn(r, 'stagecraft.yml', noTraefik);
      expect(await r.run(['generate'])).toStrictEqual({
        code: 0,
        stdout: '',
        stderr: `${prefix} dev files in .stagecraft/dev generated from stagecraft.yml: wrote compose.yaml; removed stale traefik/dynamic/routes.yml, traefik/traefik.yml\n`,
      });
      expect(existsSync(path.join(r.cwd, '.stagecraft/dev/traefik'))).toBe(false);
    },
    timeout,
  );

  test(
    '--config and --dev-dir choose the files; STAGECRAFT_CONFIG works too',
    async () => {
      const r = rig();
      writeIn(r, 'conf/dev.yml', noTraefik);
      const result = await r.run(['generate', '--config', 'conf/dev.yml', '--dev-dir', 'out/dev']);
      expect(result).toStrictEqual({ code: 0, stdout: '', stderr: wrote('compose.yaml', 'conf/dev.yml', 'out/dev') });
      expect(readIn(r, 'out/dev/compose.yaml')).toBe(goldenCompose.replace('../../stagecraft.yml', '../../conf/dev.yml'));

      const viaEnv = await r.run(['generate'], { env: { STAGECRAFT_CONFIG: 'conf/dev.yml' } });
      expect(viaEnv).toStrictEqual({ code: 0, stdout: '', stderr: wrote('compose.yaml', 'conf/dev.yml') });
    },
    timeout,
  );

  test(
    'without stagecraft.yml, or with a --config that is missing, exits 1 and says what to do',
    async () => {
      const r = rig();
      expect(await r.run(['generate'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: no stagecraft.yml in the working directory; run \`stagecraft init\` to write one, or pass --config <file>\n`,
      });
      expect(await r.run(['generate', '--config', 'nope.yml'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: config file not found at nope.yml; check --config (or STAGECRAFT_CONFIG)\n`,
      });
    },
    timeout,
  );

  test(
    'an invalid config exits 1 naming the file, line, key and what was expected, and writes nothing',
    async () => {
      const r = rig();
      writeIn(r, 'stagecraft.yml', noTraefik.replace('port: 3000', 'port: web'));
      expect(await r.run(['generate'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: stagecraft.yml:13:3: frontend.port: expected a port from 1 to 65535, got "web"\n`,
      });
      expect(existsSync(path.join(r.cwd, composeFile))).toBe(false);
    },
    timeout,
  );
});

describe('stagecraft dev and dev plan generate first', () => {
  test(
    'dev plan writes the files, then prints exactly the plan of the files written',
    async () => {
      const r = rig();
      writeIn(r, 'stagecraft.yml', noTraefik);
      const generated = await r.run(['plan']);
      expect(generated.code).toBe(0);
      expect(generated.stderr).toBe(wrote('compose.yaml'));
      expect(generated.stdout).toContain(`# start\ndocker compose -p ${project} -f ${composeFile} up --detach --remove-orphans\n`);

      // The same compose file in a project without a config: the process layer reads only the dev files.
      const handWritten = rig('minimal');
      writeIn(handWritten, composeFile, readIn(r, composeFile));
      const plain = await handWritten.run(['plan']);
      expect(plain).toStrictEqual({ code: 0, stdout: generated.stdout, stderr: '' });
      expect(r.log()).toEqual([]);
    },
    timeout,
  );

  test(
    'dev --detach generates, then runs the lifecycle on the written compose file',
    async () => {
      const r = rig();
      writeIn(r, 'stagecraft.yml', noTraefik);
      const result = await r.run(['--detach']);
      expect(result.code).toBe(0);
      expect(result.stderr.split('\n')[0]).toBe(wrote('compose.yaml').trimEnd());
      // --detach without --wait: `up` alone (no preflight, no events stream).
      expect(r.calls()).toEqual([[...p, 'up', '--detach', '--remove-orphans']]);
      expect(readIn(r, composeFile)).toBe(goldenCompose);
    },
    timeout,
  );

  test(
    'dev with an invalid config exits 1 before any docker command',
    async () => {
      const r = rig('minimal');
      writeIn(r, 'stagecraft.yml', 'project:\n  name: shop\n');
      expect(await r.run([])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: stagecraft.yml:1:1: expected a \`backend\` or a \`frontend\` (or both); stagecraft routes to them\n`,
      });
      expect(r.log()).toEqual([]);
    },
    timeout,
  );

  test(
    'dev with a --config that is missing exits 1 before any docker command, even with dev files on disk',
    async () => {
      const r = rig('minimal');
      expect(await r.run(['--detach', '--config', 'other.yml'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: config file not found at other.yml; check --config (or STAGECRAFT_CONFIG)\n`,
      });
      expect(r.log()).toEqual([]);
    },
    timeout,
  );

  test(
    'a bad flag fails before any file is written',
    async () => {
      const r = rig();
      writeIn(r, 'stagecraft.yml', noTraefik);
      const result = await r.run(['--grace', '-1']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `${prefix} error: --grace must be a whole number of seconds from 0 to 86400 (got -1); fix the flag or its STAGECRAFT_* variable\n`,
      );
      expect(existsSync(path.join(r.cwd, composeFile))).toBe(false);
    },
    timeout,
  );

  test(
    'without stagecraft.yml, dev runs on the hand-written dev files and says nothing about generating',
    async () => {
      const r = rig('minimal');
      const result = await r.run(['--detach']);
      expect(result.code).toBe(0);
      expect(result.stderr).not.toContain('generated');
      expect(r.calls()).toEqual([['compose', '-p', 'minimal', '-f', composeFile, 'up', '--detach', '--remove-orphans']]);
    },
    timeout,
  );

  test(
    'while a live session uses the dev dir, its files are left as they are',
    async () => {
      const r = rig('minimal');
      writeIn(r, 'stagecraft.yml', noTraefik);
      const before = readIn(r, composeFile);
      // This test process stands in for the live session holding the dev dir.
      const record = { version: 1, project: 'minimal', mode: 'foreground', pid: process.pid, pidStartTicks: null, startedAt: 'x', state: 'attached', updatedAt: 'x', plan: {} };
      writeIn(r, '.stagecraft/dev/session.json', JSON.stringify(record));
      const result = await r.run(['plan']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(`${prefix} a live session (pid ${process.pid}) uses .stagecraft/dev; not regenerating its files\n`);
      expect(result.stdout).toContain('docker compose -p minimal -f .stagecraft/dev/compose.yaml up --detach --remove-orphans\n');
      expect(readIn(r, composeFile)).toBe(before);
    },
    timeout,
  );
});
