// L3: `stagecraft init`, spawned as users run it, in a temp directory with the fake docker
// first on PATH (init must call none). Exact stderr lines and exit codes; the file written
// is checked against the translation the unit tests cover, and `dev plan` takes it.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/read-config.js';
import { starterConfig } from '../../src/init/starter-config.js';
import { fakeBinDir, recordedCalls } from '../fixtures/fake-docker.js';
import { cliPath, CliProcess, type CliExit } from './cli-harness.js';

const timeout = 20_000;
const prefix = 'stagecraft dev:';
const next = `${prefix} next: stagecraft dev (generates the dev files, then starts the stack)\n`;
const initFixtures = fileURLToPath(new URL('../fixtures/init/', import.meta.url));
const starterNotice = (verb: string) =>
  `${prefix} no compose file here (compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml); ${verb}: a backend and a frontend on busybox:latest\n`;

/** A project directory named `demo` in a temp root, and the docker call log of what runs in it. */
class InitDir {
  readonly root = mkdtempSync(path.join(tmpdir(), 'stagecraft-init-'));
  readonly cwd = path.join(this.root, 'demo');
  readonly logFile = path.join(this.root, 'docker-calls.jsonl');
  readonly #nodeBin = path.join(this.root, 'node-bin');

  constructor() {
    mkdirSync(this.cwd);
    mkdirSync(this.#nodeBin);
    // A folder with only node: node's own folder may hold a real docker.
    symlinkSync(process.execPath, path.join(this.#nodeBin, 'node'));
  }

  write(file: string, text: string): void {
    writeFileSync(path.join(this.cwd, file), text);
  }

  read(file: string): string {
    return readFileSync(path.join(this.cwd, file), 'utf8');
  }

  /** `node dist/src/cli.js <args>` in the directory, to its exit. */
  async run(args: readonly string[]): Promise<CliExit> {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: this.cwd,
      env: { PATH: `${fakeBinDir}${path.delimiter}${this.#nodeBin}`, NO_COLOR: '1', HOME: this.root, FAKE_DOCKER_LOG: this.logFile, FAKE_DOCKER_SCENARIO: '{}' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new CliProcess(child).exit();
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

let dirs: InitDir[] = [];
const dir = (): InitDir => {
  const d = new InitDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) d.dispose();
  dirs = [];
});

describe('stagecraft init in a directory without a compose file', () => {
  test(
    'writes the starter, runs no docker command, and `dev plan` takes what it wrote',
    async () => {
      const d = dir();
      expect(await d.run(['init'])).toStrictEqual({ code: 0, stdout: '', stderr: `${starterNotice('wrote a starter stagecraft.yml')}${next}` });
      expect(d.read('stagecraft.yml')).toBe(starterConfig('demo'));
      expect(recordedCalls(d.logFile)).toEqual([]);

      const plan = await d.run(['dev', 'plan']);
      expect({ code: plan.code, stderr: plan.stderr }).toStrictEqual({
        code: 0,
        stderr: `${prefix} dev files in .stagecraft/dev generated from stagecraft.yml: wrote compose.yaml\n`,
      });
      expect(plan.stdout.split('\n')).toContain('docker compose -p demo -f .stagecraft/dev/compose.yaml up --detach --remove-orphans');
      expect(recordedCalls(d.logFile)).toEqual([]);
    },
    timeout,
  );

  test(
    'never overwrites a stagecraft.yml (exit 1, one line naming --force); --force replaces it',
    async () => {
      const d = dir();
      d.write('stagecraft.yml', 'project: { name: mine }\n');
      expect(await d.run(['init'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: stagecraft.yml already exists; init does not overwrite it (pass --force to replace it)\n`,
      });
      expect(d.read('stagecraft.yml')).toBe('project: { name: mine }\n');

      expect(await d.run(['init', '--force'])).toStrictEqual({
        code: 0,
        stdout: '',
        stderr: `${starterNotice('replaced stagecraft.yml with a starter stagecraft.yml')}${next}`,
      });
      expect(d.read('stagecraft.yml')).toBe(starterConfig('demo'));
    },
    timeout,
  );

  test(
    'a stagecraft.yml that is a directory is refused too, and --force says why it cannot replace it',
    async () => {
      const d = dir();
      mkdirSync(path.join(d.cwd, 'stagecraft.yml'));
      expect(await d.run(['init'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: stagecraft.yml already exists; init does not overwrite it (pass --force to replace it)\n`,
      });
      expect(await d.run(['init', '--force'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: cannot write stagecraft.yml: it is a directory; remove that directory or run \`stagecraft init\` in a writable directory\n`,
      });
    },
    timeout,
  );

  test(
    '`stagecraft dev` there says to run `stagecraft init`',
    async () => {
      const d = dir();
      expect(await d.run(['dev'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: dev dir not found at .stagecraft/dev; generate the dev files first: run \`stagecraft init\` to write a stagecraft.yml, then \`stagecraft dev\`\n`,
      });
      expect(await d.run(['dev', 'generate'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: no stagecraft.yml in the working directory; run \`stagecraft init\` to write one, or pass --config <file>\n`,
      });
    },
    timeout,
  );

  test(
    'an unknown flag is a usage error',
    async () => {
      expect(await dir().run(['init', '--forse'])).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `${prefix} error: Unknown argument: forse; see stagecraft dev --help\n`,
      });
    },
    timeout,
  );
});

describe('stagecraft init beside a compose file', () => {
  test(
    'reads the file compose would (docker-compose.yml before docker-compose.yaml), says what it left, and writes a valid config',
    async () => {
      const d = dir();
      cpSync(path.join(initFixtures, 'shop'), d.cwd, { recursive: true });
      d.write('docker-compose.yaml', 'services: {}\n');
      d.write('compose.override.yaml', 'services: {}\n');
      expect(await d.run(['init'])).toStrictEqual({
        code: 0,
        stdout: '',
        stderr: [
          'wrote stagecraft.yml from docker-compose.yml: backend api (port 8000), frontend web (port 80), extra services db, worker, sidecar',
          'docker-compose.yaml is not read: compose reads docker-compose.yml first, and so does init',
          'compose.override.yaml is not merged (compose merges it); copy what it changes into stagecraft.yml',
          "not carried over: networks back, front: stagecraft puts every service on one network, the services' aliases are kept on it",
          'not carried over: secrets of api: stagecraft.yml has no top-level secrets or configs to name',
          'not carried over: the options of volumes cache (external): stagecraft declares each named volume with none',
          'next: stagecraft dev (generates the dev files, then starts the stack)',
        ].map((line) => `${prefix} ${line}\n`).join(''),
      });
      const config = parseConfig(d.read('stagecraft.yml'), 'stagecraft.yml');
      expect(config.apps.backend?.compose['networks']).toStrictEqual({ default: { aliases: ['api'] } });
      expect(recordedCalls(d.logFile)).toEqual([]);
    },
    timeout,
  );

  test(
    'compose.yaml comes first of all four names; --force replaces with what it reads',
    async () => {
      const d = dir();
      cpSync(path.join(initFixtures, 'named/compose.yml'), path.join(d.cwd, 'compose.yml'));
      cpSync(path.join(initFixtures, 'ports/compose.yaml'), path.join(d.cwd, 'compose.yaml'));
      d.write('stagecraft.yml', 'old\n');
      expect(await d.run(['init', '--force'])).toStrictEqual({
        code: 0,
        stdout: '',
        stderr: [
          'replaced stagecraft.yml with one from compose.yaml: backend gateway (port 8080), frontend ui (port 5173), extra services jobs, debug',
          'compose.yml is not read: compose reads compose.yaml first, and so does init',
          'next: stagecraft dev (generates the dev files, then starts the stack)',
        ].map((line) => `${prefix} ${line}\n`).join(''),
      });
      expect(parseConfig(d.read('stagecraft.yml'), 'stagecraft.yml').project.name).toBe('demo');
    },
    timeout,
  );

  test.each([
    ['not YAML', 'services:\n  web:\n   image: x\n  bad: [\n', 'compose.yaml:5:1 is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['without services', 'name: shop\n', 'compose.yaml has no services; add one, or run `stagecraft init` in an empty directory for a starter'],
    [
      'with what stagecraft.yml cannot hold',
      'services:\n  api:\n    image: x\n    expose: [80]\n  worker:\n    extends: { file: base.yml, service: w }\n',
      'compose.yaml cannot be written as a valid stagecraft.yml: services.worker: needs an image or a build; add `image: <name>` or `build: <dir>`',
    ],
  ])(
    'a compose file %s: exit 1, one sentence, nothing written',
    async (_what, text, message) => {
      const d = dir();
      d.write('compose.yaml', text);
      expect(await d.run(['init'])).toStrictEqual({ code: 1, stdout: '', stderr: `${prefix} error: ${message}\n` });
      expect(() => d.read('stagecraft.yml')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    },
    timeout,
  );
});
