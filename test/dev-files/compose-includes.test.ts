// compose.yaml's `include:` followed offline by readDevFiles, with temp files. Each rule was
// checked against `docker compose config` (compose 2.26): paths start in the including
// file's directory (or the entry's project_directory), a name in an included file is
// ignored, the same definition twice is fine and two different ones conflict, an empty
// included file is fine, a cycle is refused.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { maxIncludeDepth, maxIncludedFiles } from '../../src/dev-files/compose-includes.js';
import { readDevFiles } from '../../src/dev-files/read-dev-files.js';
import { composeService } from '../fixtures/compose-service.js';
import { input, rejectionOf } from '../fixtures/rejection-of.js';

const devDir = '.stagecraft/dev';
const composeFile = '.stagecraft/dev/compose.yaml';

let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-includes-'));
});

afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

/** Writes `lines` (joined) to `relative`, a path under the dev dir. */
async function write(relative: string, ...lines: string[]): Promise<void> {
  const file = path.join(cwd, devDir, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${lines.join('\n')}\n`);
}

const read = () => readDevFiles(devDir, cwd);
const names = async () => (await read()).services.map((s) => s.name);

describe('readDevFiles: include', () => {
  it('reads a compose.yaml whose services all come from include (path and mapping forms); the name is the root file’s', async () => {
    await write('compose.yaml', 'name: shop', 'include:', '  - api/compose.yaml', '  - path: db/compose.yaml');
    await write('api/compose.yaml', 'name: ignored', 'services:', '  api:', '    image: shop/api');
    await write(
      'db/compose.yaml',
      'services:',
      '  db:',
      '    image: postgres:16',
      '    healthcheck: {test: [CMD, pg_isready]}',
      '    restart: always',
    );
    expect(await read()).toStrictEqual({
      devDir,
      composeFile,
      name: 'shop',
      services: [
        composeService('api', { image: 'shop/api' }),
        composeService('db', { image: 'postgres:16', healthcheck: true, restart: { kind: 'always' } }),
      ],
    });
  });

  it('merges the root file’s own services with the included ones', async () => {
    await write('compose.yaml', 'name: shop', 'include: [db.yaml]', 'services:', '  api: {image: shop/api}');
    await write('db.yaml', 'services:', '  db: {image: postgres:16}');
    expect(await names()).toStrictEqual(['api', 'db']);
  });

  it('follows nested includes, each relative to its own file', async () => {
    await write('compose.yaml', 'name: shop', 'include:', '  - stack/compose.yaml');
    await write('stack/compose.yaml', 'include:', '  - parts/db.yaml', 'services:', '  api: {image: shop/api}');
    await write('stack/parts/db.yaml', 'include: [../../cache.yaml]', 'services:', '  db: {image: postgres:16}');
    await write('cache.yaml', 'services:', '  cache: {image: redis:7}');
    expect(await names()).toStrictEqual(['api', 'cache', 'db']);
  });

  it('starts a nested include in the entry’s project_directory; the entry’s own path in the including file’s', async () => {
    await write('compose.yaml', 'name: shop', 'include:', '  - path: parts/stack.yaml', '    project_directory: project');
    await write('parts/stack.yaml', 'include: [sub/api.yaml]');
    await write('project/sub/api.yaml', 'services:', '  api: {image: shop/api}');
    expect(await names()).toStrictEqual(['api']);
  });

  it('list form: the later files override the first, key by key (labels merged, profiles added up)', async () => {
    await write('compose.yaml', 'name: shop', 'include:', '  - path: [base.yaml, override.yaml]');
    await write(
      'base.yaml',
      'services:',
      '  edge:',
      '    image: proxy',
      '    labels: [other=1]',
      '    profiles: [web]',
      '    healthcheck: {test: [CMD, "false"], interval: 5s}',
      '  api: {image: shop/api}',
    );
    await write(
      'override.yaml',
      'services:',
      '  edge:',
      '    labels: [dev.stagecraft.role=traefik]',
      '    profiles: [debug]',
      '  api:',
      '    deploy: {replicas: 0}',
      '  extra: {image: busybox}',
    );
    expect((await read()).services).toStrictEqual([
      composeService('api', { image: 'shop/api', noReplicas: true }),
      composeService('edge', { image: 'proxy', traefik: true, healthcheck: true, profiled: true, profiles: ['web', 'debug'] }),
      composeService('extra', { image: 'busybox' }),
    ]);
  });

  it('accepts the same definition twice (a file included by two others), and an empty included file', async () => {
    await write('compose.yaml', 'name: shop', 'include: [db.yaml, api/compose.yaml, empty.yaml]', 'services: {}');
    await write('api/compose.yaml', 'include: [../db.yaml]', 'services:', '  api: {image: shop/api}');
    await write('db.yaml', 'services:', '  db: {image: postgres:16}');
    await write('empty.yaml', '# nothing yet');
    expect(await names()).toStrictEqual(['api', 'db']);
  });

  it('follows an absolute path', async () => {
    await write('compose.yaml', 'name: shop', 'include:', `  - ${path.join(cwd, 'elsewhere/api.yaml')}`);
    await mkdir(path.join(cwd, 'elsewhere'));
    await writeFile(path.join(cwd, 'elsewhere/api.yaml'), 'services:\n  api: {image: shop/api}\n');
    expect(await names()).toStrictEqual(['api']);
  });
});

describe('readDevFiles: include errors (exit 1, naming the entry and the file)', () => {
  it('a missing file', async () => {
    await write('compose.yaml', 'name: shop', 'include:', '  - api/compose.yaml', '  - nope/compose.yaml');
    await write('api/compose.yaml', 'services:', '  api: {image: shop/api}');
    expect(await rejectionOf(read())).toStrictEqual(
      input('.stagecraft/dev/compose.yaml: include `nope/compose.yaml`: .stagecraft/dev/nope/compose.yaml not found; fix the path or add the file'),
    );
  });

  it('a missing file named by an included one', async () => {
    await write('compose.yaml', 'name: shop', 'include: [stack/compose.yaml]');
    await write('stack/compose.yaml', 'include:', '  - path: [api.yaml, ../gone.yaml]');
    await write('stack/api.yaml', 'services:', '  api: {image: shop/api}');
    expect(await rejectionOf(read())).toStrictEqual(
      input('.stagecraft/dev/stack/compose.yaml: include `../gone.yaml`: .stagecraft/dev/gone.yaml not found; fix the path or add the file'),
    );
  });

  it('a directory where the file should be', async () => {
    await write('compose.yaml', 'name: shop', 'include: [api]');
    await mkdir(path.join(cwd, devDir, 'api'));
    expect(await rejectionOf(read())).toStrictEqual(
      input('.stagecraft/dev/compose.yaml: include `api`: .stagecraft/dev/api is not a regular file; fix the path'),
    );
  });

  it('a missing env_file (compose refuses it too)', async () => {
    await write('compose.yaml', 'name: shop', 'include:', '  - path: api.yaml', '    env_file: [api.env]');
    await write('api.yaml', 'services:', '  api: {image: shop/api}');
    expect(await rejectionOf(read())).toStrictEqual(
      input('.stagecraft/dev/compose.yaml: include entry 1: env_file: .stagecraft/dev/api.env not found; fix the path or add the file'),
    );
  });

  it('a cycle', async () => {
    await write('compose.yaml', 'name: shop', 'include: [a/one.yaml]');
    await write('a/one.yaml', 'include: [two.yaml]', 'services:', '  one: {image: x}');
    await write('a/two.yaml', 'include: [../compose.yaml]');
    expect(await rejectionOf(read())).toStrictEqual(
      input(
        '.stagecraft/dev/a/two.yaml: include `../compose.yaml` makes a cycle (.stagecraft/dev/compose.yaml → .stagecraft/dev/a/one.yaml → .stagecraft/dev/a/two.yaml → .stagecraft/dev/compose.yaml); remove one of these includes',
      ),
    );
  });

  it('a service defined differently in two files, as compose words it', async () => {
    await write('compose.yaml', 'name: shop', 'include: [a.yaml, b.yaml]');
    await write('a.yaml', 'services:', '  api: {image: shop/api}');
    await write('b.yaml', 'services:', '  api: {image: shop/api:2}');
    expect(await rejectionOf(read())).toStrictEqual(
      input(
        '.stagecraft/dev/compose.yaml: services.api conflicts with imported resource (.stagecraft/dev/a.yaml and .stagecraft/dev/b.yaml define it differently); define it once',
      ),
    );
  });

  it('a service of the root file an included file defines differently', async () => {
    await write('compose.yaml', 'name: shop', 'include: [a.yaml]', 'services:', '  api: {image: shop/api}');
    await write('a.yaml', 'services:', '  api: {image: other}');
    expect(await rejectionOf(read())).toStrictEqual(
      input(
        '.stagecraft/dev/compose.yaml: services.api conflicts with imported resource (.stagecraft/dev/compose.yaml and .stagecraft/dev/a.yaml define it differently); define it once',
      ),
    );
  });

  it.each([
    ['oci://docker.io/shop/stack:1'],
    ['https://github.com/shop/stack.git'],
    ['git@github.com:shop/stack.git'],
  ])('a remote entry (%s): it cannot be read offline', async (remote) => {
    await write('compose.yaml', 'name: shop', 'include:', `  - ${remote}`);
    expect(await rejectionOf(read())).toStrictEqual(
      input(
        `.stagecraft/dev/compose.yaml: include \`${remote}\` is remote; stagecraft reads the dev files offline and cannot fetch it: copy the file into the dev dir and include it by path`,
      ),
    );
  });

  it('a path made of variables', async () => {
    await write('compose.yaml', 'name: shop', 'include:', '  - ${STACK_DIR}/compose.yaml');
    expect(await rejectionOf(read())).toStrictEqual(
      input(
        '.stagecraft/dev/compose.yaml: include `${STACK_DIR}/compose.yaml` uses a variable; stagecraft does not interpolate include paths: write the path out',
      ),
    );
  });

  it.each([
    ['include: api.yaml', '.stagecraft/dev/compose.yaml: `include` must be a list of paths or mappings with `path`'],
    ['include: [[api.yaml]]', '.stagecraft/dev/compose.yaml: include entry 1 must be a path or a mapping with `path`'],
    ['include: [{env_file: x}]', '.stagecraft/dev/compose.yaml: include entry 1: `path` must be a path or a list of paths'],
    ['include: [a.yaml, {path: []}]', '.stagecraft/dev/compose.yaml: include entry 2: `path` must be a path or a list of paths'],
    ['include: [{path: a.yaml, project_directory: 3}]', '.stagecraft/dev/compose.yaml: include entry 1: `project_directory` must be a path'],
    ['include: [{path: a.yaml, env_file: {}}]', '.stagecraft/dev/compose.yaml: include entry 1: `env_file` must be a path or a list of paths'],
  ])('%s', async (include, message) => {
    await write('compose.yaml', 'name: shop', include);
    expect(await rejectionOf(read())).toStrictEqual(input(message));
  });

  it('no service anywhere', async () => {
    await write('compose.yaml', 'name: shop', 'include: [networks.yaml]');
    await write('networks.yaml', 'networks:', '  edge: {}');
    expect(await rejectionOf(read())).toStrictEqual(
      input('.stagecraft/dev/compose.yaml and the files it includes define no service; a dev stack needs at least one service'),
    );
  });

  it('an included file that is not valid YAML, or whose service is no mapping, is named', async () => {
    await write('compose.yaml', 'name: shop', 'include: [a.yaml]');
    await write('a.yaml', 'services:', '\tapi: {}');
    expect(await rejectionOf(read())).toStrictEqual(
      input('.stagecraft/dev/a.yaml is not valid YAML: Tabs are not allowed as indentation at line 2, column 1; fix the file or generate the dev files again'),
    );
    await write('a.yaml', 'services:', '  api: nginx');
    expect(await rejectionOf(read())).toStrictEqual(input('.stagecraft/dev/a.yaml: service `api` must be a mapping'));
  });

  it(`nesting past ${maxIncludeDepth} levels`, async () => {
    await write('compose.yaml', 'name: shop', 'include: [l1.yaml]');
    for (let level = 1; level <= maxIncludeDepth + 1; level += 1) {
      await write(`l${level}.yaml`, `include: [l${level + 1}.yaml]`, 'services:', `  s${level}: {image: x}`);
    }
    const last = maxIncludeDepth + 1;
    expect(await rejectionOf(read())).toStrictEqual(
      input(`.stagecraft/dev/l${last - 1}.yaml: include \`l${last}.yaml\`: includes nest more than ${maxIncludeDepth} levels deep; flatten them`),
    );
  });

  it(`more than ${maxIncludedFiles} files through includes, however they nest`, async () => {
    // Each level includes the next twice (the same file, so no conflict): 2^9 reads.
    await write('compose.yaml', 'name: shop', 'include: [d1.yaml]');
    for (let level = 1; level <= 9; level += 1) {
      await write(`d${level}.yaml`, `include: [d${level + 1}.yaml, {path: d${level + 1}.yaml}]`);
    }
    await write('d10.yaml', 'services:', '  api: {image: x}');
    // Read depth first, the 257th read is d9's of d10 (d1 is the first).
    expect(await rejectionOf(read())).toStrictEqual(
      input(`.stagecraft/dev/d9.yaml: include \`d10.yaml\`: more than ${maxIncludedFiles} files are included; include fewer`),
    );
  });
});
