// Golden files: each config under test/fixtures/configs (and the quickstart) generates
// exactly the files under test/fixtures/golden/<name>/, byte for byte. After an
// intended change, regenerate them with UPDATE_GOLDEN=1 and review the diff.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { filesUnder, generateGolden as generated, goldenConfigs, goldenRoot } from '../fixtures/golden-configs.js';

const update = process.env['UPDATE_GOLDEN'] === '1';

describe.each(Object.keys(goldenConfigs))('golden dev files: %s', (name) => {
  const goldenDir = path.join(goldenRoot, name);

  beforeAll(() => {
    if (!update) return;
    rmSync(goldenDir, { recursive: true, force: true });
    for (const file of generated(name)) {
      mkdirSync(path.dirname(path.join(goldenDir, file.path)), { recursive: true });
      writeFileSync(path.join(goldenDir, file.path), file.content);
    }
  });

  test('generates exactly the golden files', () => {
    expect(generated(name).map((file) => file.path)).toEqual(filesUnder(goldenDir));
  });

  test('each file is byte-identical to its golden copy', () => {
    for (const file of generated(name)) {
      expect({ path: file.path, content: file.content }).toEqual({
        path: file.path,
        content: readFileSync(path.join(goldenDir, file.path), 'utf8'),
      });
    }
  });

  test('generating twice gives the same bytes', () => {
    expect(generated(name)).toEqual(generated(name));
  });
});
