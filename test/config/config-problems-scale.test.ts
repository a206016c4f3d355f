// Issue 14 item 7: a stagecraft.yml with tens of thousands of problems answers in time linear
// in the file, and says the first 20 (in the order of the file) and how many more.
import { parseConfig } from '../../src/config/read-config.js';
import { pathLocator } from '../../src/config/locate-path.js';
import { withoutSimpleRootLines } from '../../src/config/simple-root-lines.js';
import { rootKeys as knownRootKeys } from '../../src/config/validate-config.js';
import { parseYaml } from '../../src/util/parse-yaml.js';

const valid = 'project:\n  name: shop\nbackend:\n  provider: generic\n  image: shop/api\n  port: 8080\n';
const unknownKeys = (count: number): string => Array.from({ length: count }, (_, i) => `k${i}: 1\n`).join('');
const rootKeys = 'expected one of project, backend, frontend, services, dev';

function messageOf(text: string): string {
  try {
    parseConfig(text, 'stagecraft.yml');
  } catch (error) {
    return (error as { message: string }).message;
  }
  throw new Error('no failure');
}

describe('many problems', () => {
  it('2,000 unknown keys: the first 20 in the order of the file, then how many more', () => {
    const shown = Array.from({ length: 20 }, (_, i) => `stagecraft.yml:${7 + i}:1: k${i}: unknown key; ${rootKeys}`);
    expect(messageOf(valid + unknownKeys(2000))).toBe(
      ['stagecraft.yml has 2000 problems:', ...shown, '… and 1980 more'].join('\n  '),
    );
  });

  it('80,000 unknown keys: yaml parses the 6 other lines only (it built a tree of every line: 1.5 s), the rest are named', () => {
    const text = valid + unknownKeys(80_000);
    const aside = withoutSimpleRootLines(text, (key) => !knownRootKeys.includes(key));
    expect(aside?.text).toBe(valid);
    expect(aside?.setAside.size).toBe(80_000);
    expect(aside?.setAside.get('k79999')).toBe(text.indexOf('k79999:'));
    const shown = Array.from({ length: 20 }, (_, i) => `stagecraft.yml:${7 + i}:1: k${i}: unknown key; ${rootKeys}`);
    expect(messageOf(text)).toBe(['stagecraft.yml has 80000 problems:', ...shown, '… and 79980 more'].join('\n  '));
  });

  it('problems found late in validation but early in the file still come first', () => {
    const text = `project:\n  name: Shop\n${unknownKeys(30)}backend:\n  provider: generic\n  image: shop/api\n  port: 8080\n`;
    const message = messageOf(text).split('\n  ');
    expect(message.slice(0, 3)).toStrictEqual([
      'stagecraft.yml has 31 problems:',
      'stagecraft.yml:2:3: project.name: expected a compose project name: lower-case letters, digits, "_" and "-", starting with a letter or digit, got "Shop"',
      `stagecraft.yml:3:1: k0: unknown key; ${rootKeys}`,
    ]);
    expect(message.at(-1)).toBe('… and 11 more');
  });
});

describe('pathLocator: each mapping indexed once, whatever the number of lookups', () => {
  it('20,000 lookups in one mapping read its items once (a scan per lookup read them 20,000 times)', () => {
    const { doc } = parseYaml(valid + unknownKeys(20_000));
    const root = doc.contents as unknown as { items: unknown[] };
    const items = root.items;
    let reads = 0;
    Object.defineProperty(root, 'items', {
      get: () => {
        reads += 1;
        return items;
      },
    });
    const locate = pathLocator(doc);
    const offsets = Array.from({ length: 20_000 }, (_, i) => locate([`k${i}`]));
    expect(reads).toBe(1);
    const text = valid + unknownKeys(20_000);
    expect(offsets[0]).toBe(text.indexOf('k0:'));
    expect(offsets[19_999]).toBe(text.indexOf('k19999:'));
  });

  it('a path that is not in the text is placed at its nearest ancestor; a list index at its item', () => {
    const text = 'a:\n  b:\n    - x: 1\n    - y: 2\n';
    const locate = pathLocator(parseYaml(text).doc);
    expect(locate(['a', 'b', 1, 'y'])).toBe(text.indexOf('y:'));
    expect(locate(['a', 'b', 1])).toBe(text.indexOf('- y') + 2);
    expect(locate(['a', 'missing', 'deeper'])).toBe(text.indexOf('a:'));
    expect(locate([])).toBe(0);
  });
});
