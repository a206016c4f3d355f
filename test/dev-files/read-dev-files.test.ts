import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { composeFileIn, maxComposeFileBytes, readDevFiles } from '../../src/dev-files/read-dev-files.js';
import { composeService } from '../fixtures/compose-service.js';
import { input, rejectionOf } from '../fixtures/rejection-of.js';

const devDir = '.stagecraft/dev';
const composeFile = '.stagecraft/dev/compose.yaml';
const minimal = 'name: shop\nservices:\n  api:\n    image: shop/api\n';

let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-read-dev-files-'));
});

afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function write(relative: string, content: string | Buffer): Promise<void> {
  const file = path.join(cwd, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

describe('readDevFiles', () => {
  it('reads <dev-dir>/compose.yaml relative to cwd', async () => {
    await write(composeFile, minimal);
    expect(await readDevFiles(devDir, cwd)).toStrictEqual({
      devDir,
      composeFile,
      name: 'shop',
      services: [composeService('api', { image: 'shop/api' })],
    });
  });

  it('keeps another dev dir relative, as given', async () => {
    await write('deploy/dev/compose.yaml', minimal);
    const files = await readDevFiles('deploy/dev/', cwd);
    expect(files.devDir).toBe('deploy/dev/');
    expect(files.composeFile).toBe('deploy/dev/compose.yaml');
  });

  it('fails when the dev dir is missing', async () => {
    expect(await rejectionOf(readDevFiles(devDir, cwd))).toStrictEqual(
      input('dev dir not found at .stagecraft/dev; generate the dev files first: run `stagecraft init` to write a stagecraft.yml, then `stagecraft dev`'),
    );
  });

  it('fails when the dev dir is a file', async () => {
    await write(devDir, 'not a directory');
    expect(await rejectionOf(readDevFiles(devDir, cwd))).toStrictEqual(
      input('dev dir .stagecraft/dev is not a directory; pass the directory that holds compose.yaml with --dev-dir'),
    );
  });

  it('fails when a parent of the dev dir is a file', async () => {
    await write('notes.txt', 'a file');
    expect(await rejectionOf(readDevFiles('notes.txt/dev', cwd))).toStrictEqual(
      input('cannot read notes.txt/dev/compose.yaml: a part of the path is a file, not a directory; remove the file in the way or pass another --dev-dir'),
    );
  });

  it('fails when compose.yaml is missing', async () => {
    await mkdir(path.join(cwd, devDir), { recursive: true });
    expect(await rejectionOf(readDevFiles(devDir, cwd))).toStrictEqual(
      input('compose file not found at .stagecraft/dev/compose.yaml; generate the dev files first: run `stagecraft init` to write a stagecraft.yml, then `stagecraft dev`'),
    );
  });

  it('fails when compose.yaml is a directory', async () => {
    await mkdir(path.join(cwd, composeFile), { recursive: true });
    expect(await rejectionOf(readDevFiles(devDir, cwd))).toStrictEqual(
      input('compose file .stagecraft/dev/compose.yaml is not a regular file; generate the dev files first'),
    );
  });

  it('fails as an input error (not a crash) when compose.yaml is a symlink loop (ELOOP)', async () => {
    await mkdir(path.join(cwd, devDir), { recursive: true });
    await symlink('compose.yaml', path.join(cwd, composeFile));
    expect(await rejectionOf(readDevFiles(devDir, cwd))).toStrictEqual(
      input('cannot read .stagecraft/dev/compose.yaml: a symbolic link loop; fix the link or pass another --dev-dir'),
    );
  });

  it('fails as an input error when the dev dir is a symlink loop (ELOOP)', async () => {
    await mkdir(path.join(cwd, '.stagecraft'), { recursive: true });
    await symlink('dev', path.join(cwd, devDir));
    expect(await rejectionOf(readDevFiles(devDir, cwd))).toStrictEqual(
      input('cannot read .stagecraft/dev/compose.yaml: a symbolic link loop; fix the link or pass another --dev-dir'),
    );
  });

  it('fails when compose.yaml is over 4 MB, without parsing it', async () => {
    await write(composeFile, Buffer.alloc(maxComposeFileBytes + 1, 'x'));
    expect(await rejectionOf(readDevFiles(devDir, cwd))).toStrictEqual(
      input('compose file .stagecraft/dev/compose.yaml is 4.0 MB, over the 4 MB stagecraft reads; check what generated it'),
    );
  });

  it('reads a compose.yaml of exactly 4 MB', async () => {
    const padding = '#'.repeat(maxComposeFileBytes - minimal.length - 1);
    await write(composeFile, `${minimal}${padding}\n`);
    expect((await readDevFiles(devDir, cwd)).name).toBe('shop');
  });

  it('passes on a parse error naming the relative compose file', async () => {
    await write(composeFile, 'services: {}\n');
    expect(await rejectionOf(readDevFiles(devDir, cwd))).toStrictEqual(
      input('.stagecraft/dev/compose.yaml: `services` is empty; a dev stack needs at least one service'),
    );
  });
});

describe('composeFileIn', () => {
  it.each([
    ['.stagecraft/dev', '.stagecraft/dev/compose.yaml'],
    ['./dev/', 'dev/compose.yaml'],
    ['dev', 'dev/compose.yaml'],
  ])('%j → %j', (dir, expected) => {
    expect(composeFileIn(dir)).toBe(expected);
  });
});
