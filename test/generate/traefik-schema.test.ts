// The generated Traefik files against Traefik's published JSON schemas (SchemaStore,
// vendored under test/fixtures/schemas/traefik with their source commit and sha256).
// The static schema accepts any top-level key, so a misspelt `entryPoint` would pass
// it: top-level keys are checked apart, against the schema's own `properties`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { traefikRoutesFile, traefikStaticFile } from '../../src/generate/traefik-config.js';
import { generateGolden, goldenConfigs } from '../fixtures/golden-configs.js';

const schemaDir = fileURLToPath(new URL('../fixtures/schemas/traefik/', import.meta.url));
const schemaFiles = { static: 'traefik-v3.json', dynamic: 'traefik-v3-file-provider.json' } as const;
const readSchema = (file: string) => JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8')) as Record<string, unknown>;

const staticSchema = readSchema(schemaFiles.static);
// Ajv's default class is draft-07, the draft both schemas declare; strict mode stays on.
const ajv = new Ajv({ allErrors: true });
const validateStatic = ajv.compile(staticSchema);
const validateDynamic = ajv.compile(readSchema(schemaFiles.dynamic));
const staticTopLevelKeys = Object.keys(staticSchema['properties'] as Record<string, unknown>);

function schemaErrors(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}`);
}

/** What is wrong with a static config: schema errors, then unknown top-level keys. */
function staticProblems(value: unknown): string[] {
  const unknownKeys = Object.keys(value as Record<string, unknown>).filter((key) => !staticTopLevelKeys.includes(key));
  return [...schemaErrors(validateStatic, value), ...unknownKeys.map((key) => `/ unknown top-level key ${key}`)];
}

const dynamicProblems = (value: unknown) => schemaErrors(validateDynamic, value);

const traefikFiles = Object.keys(goldenConfigs).flatMap((name) =>
  generateGolden(name)
    .filter((file) => file.path.startsWith('traefik/'))
    .map((file) => ({ name, path: file.path, content: file.content })),
);

test('the vendored schemas match the sha256 in their README', () => {
  const readme = readFileSync(path.join(schemaDir, 'README.md'), 'utf8');
  const recorded = Object.fromEntries([...readme.matchAll(/^- (\S+\.json)\s+([0-9a-f]{64})$/gm)].map((m) => [m[1], m[2]]));
  const actual = Object.fromEntries(
    Object.values(schemaFiles).map((file) => [
      file,
      createHash('sha256').update(readFileSync(path.join(schemaDir, file))).digest('hex'),
    ]),
  );
  expect(recorded).toEqual(actual);
});

test('the golden configs generate both kinds of Traefik file and no other', () => {
  expect(new Set(traefikFiles.map((file) => file.path))).toEqual(new Set([traefikStaticFile, traefikRoutesFile]));
});

// A Traefik file of another path has no validator here, so it fails instead of passing unchecked.
const problemsOf: Readonly<Record<string, (value: unknown) => string[]>> = {
  [traefikStaticFile]: staticProblems,
  [traefikRoutesFile]: dynamicProblems,
};

test.each(traefikFiles)('$name: $path is valid for its Traefik schema', ({ path: file, content }) => {
  expect({ file, problems: problemsOf[file]?.(parse(content)) }).toEqual({ file, problems: [] });
});

describe('the validation can fail', () => {
  const generatedFile = (file: string) => parse(traefikFiles.find((f) => f.path === file)?.content ?? '{}');
  const validStatic = generatedFile(traefikStaticFile) as Record<string, unknown>;
  const validDynamic = generatedFile(traefikRoutesFile) as { http: { routers: Record<string, object> } };

  test('a misspelt top-level key passes the static schema but not the allow-list', () => {
    const { entryPoints, ...rest } = validStatic;
    const misspelt = { ...rest, entryPoint: entryPoints };
    expect(schemaErrors(validateStatic, misspelt)).toEqual([]);
    expect(staticProblems(misspelt)).toEqual(['/ unknown top-level key entryPoint']);
  });

  test('a wrong type in the static file fails its schema', () => {
    expect(staticProblems({ ...validStatic, log: { level: 3 } })).toEqual(['/log/level must be string']);
  });

  test('a wrong type in the dynamic file fails its schema', () => {
    const [name, router] = Object.entries(validDynamic.http.routers)[0] ?? [];
    const routers = { ...validDynamic.http.routers, [name as string]: { ...router, entryPoints: 'web' } };
    const wrong = { http: { ...validDynamic.http, routers } };
    expect(dynamicProblems(wrong)).toEqual([`/http/routers/${name}/entryPoints must be array`]);
  });
});
