// Issue 14 item 7: one-line top-level entries of unknown keys are named, not parsed by yaml;
// the answer is the same as when every line is parsed.
import { parseConfig } from '../../src/config/read-config.js';
import { withoutSimpleRootLines } from '../../src/config/simple-root-lines.js';
import { rootKeys } from '../../src/config/validate-config.js';

const unknown = (key: string): boolean => !rootKeys.includes(key);
const aside = (text: string) => {
  const result = withoutSimpleRootLines(text, unknown);
  return result && { text: result.text, setAside: [...result.setAside] };
};

describe('withoutSimpleRootLines', () => {
  it('sets aside each `key: plain value` line of an unknown or x- key, with where its key was', () => {
    const text = 'project:\n  name: shop\nk0: 1\nbackend:\n  image: x\n  port: 1\nx-a: b # c\nk1:\n# c\nk2: z';
    expect(aside(text)).toStrictEqual({
      text: 'project:\n  name: shop\nbackend:\n  image: x\n  port: 1\n# c\n',
      setAside: [['k0', text.indexOf('k0')], ['x-a', text.indexOf('x-a')], ['k1', text.indexOf('k1')], ['k2', text.indexOf('k2')]],
    });
  });

  it('maps an offset of what is left back to the original text', () => {
    const text = 'k0: 1\nproject:\n  name: shop\nk1: 1\nk2: 2\nbackend:\n  image: x\n';
    const result = withoutSimpleRootLines(text, unknown);
    expect(result?.text).toBe('project:\n  name: shop\nbackend:\n  image: x\n');
    const left = result?.text ?? '';
    for (const word of ['project', 'name', 'backend', 'image']) {
      expect(result?.originalOffset(left.indexOf(word))).toBe(text.indexOf(word));
    }
  });

  it('keeps every entry that is more than a key and a plain value on one line, and the known keys', () => {
    const kept = [
      'k2: &a 1\n', 'k3: "x"\n', "k4: 'x'\n", 'k5: [1]\n', 'k6: {a: 1}\n', 'k7: |\n  t\n', 'k8: >-\n  t\n', 'k9: a\n  b\n',
      'k10:\n  a: 1\n', 'k11: !!str x\n', 'k12: *a\n', 'k13: @x\n', 'k14: `x\n', 'k15: %x\n', 'dev: 1\n', 'project: x\n',
    ].join('');
    expect(aside(`${kept}k99: 1\n`)).toStrictEqual({ text: kept, setAside: [['k99', kept.length]] });
  });

  it('a byte-order mark and CRLF line ends', () => {
    const text = '\ufeffk0: 1\r\nproject:\r\n  name: x\r\n';
    expect(aside(text)).toStrictEqual({ text: 'project:\r\n  name: x\r\n', setAside: [['k0', 1]] });
  });

  it.each([
    ['nothing to set aside', 'project:\n  name: x\n'],
    ['a quoted key', '"k": 1\nk0: 1\n'],
    ['a key that is not a string', 'true: 1\nk0: 1\n'],
    ['a number key', '1: 1\nk0: 1\n'],
    ['a merge key', '<<: {a: 1}\nk0: 1\n'],
    ['an anchored key', '&a k: 1\nk0: 1\n'],
    ['a document marker', '---\nk0: 1\n'],
    ['a directive', '%YAML 1.1\n---\nk0: 1\n'],
    ['a repeated key', 'k0: 1\nk0: 2\n'],
    ['a repeated kept key', 'k0:\n  a: 1\nk1: 1\nk0: 2\n'],
    ['content before the first key', '  a: 1\nk0: 1\n'],
    ['a sequence at the top', '- a\nk0: 1\n'],
    ['a flow collection ended by indentation', 'a: [1,\n2]\nk0: 1\n'],
    ['a quoted scalar going on at column 0', 'a: "x\nk0: 1\ny"\n'],
    ['an explicit key', '? a\n: b\nk0: 1\n'],
  ])('leaves the text whole: %s', (_, text) => {
    expect(withoutSimpleRootLines(text, unknown)).toBeUndefined();
  });
});

/** parseConfig's answer: the config, or the message it throws. */
function answer(text: string, setAside: boolean): unknown {
  try {
    return parseConfig(text, 'stagecraft.yml', { setAside });
  } catch (error) {
    return (error as { message: string }).message;
  }
}

describe('parseConfig answers the same with the lines set aside as with every line parsed', () => {
  const valid = 'project:\n  name: shop\nbackend:\n  provider: generic\n  image: shop/api\n  port: 8080\n';
  it.each([
    ['a valid config', valid],
    ['x- lines around a valid config', `x-a: 1\n${valid}x-b: two words # c\n`],
    ['unknown keys only', 'k0: 1\nk1: 2\n'],
    ['comments only besides', '# head\nk0: 1\n# tail\n'],
    ['a syntax error below set-aside lines', `k0: 1\nk1: 2\n${valid}k2: 3\nfrontend:\n  image: [x\n`],
    ['a repeated key in a kept entry', `k0: 1\n${valid}dev:\n  domains: {}\n  domains: {}\n`],
    ['a bad value below set-aside lines', `k0: 1\n${valid.replace('8080', 'http')}k1: 1\n`],
    ['a merge from an x- entry', `x-base: &base\n  provider: generic\n  image: a\n  port: 1\nk0: 1\nproject:\n  name: shop\nbackend:\n  <<: *base\n  k1: 1\n`],
    ['a root merge bringing a set-aside key', `k0: 1\n<<: {k0: 2}\n${valid}`],
    ['unknown keys before the first kept key', `k0: 1\nk1: 1\nproject:\n  name: Shop\n`],
    ['the root mapping at a set-aside key', 'k0: 1\nservices: 1\n'],
  ])('%s', (_, text) => {
    expect(answer(text, true)).toStrictEqual(answer(text, false));
  });

  // Texts made of random top-level entries, good and bad: the two answers never differ.
  const entries = [
    (i: number) => `k${i}: ${i}\n`, (i: number) => `x-e${i}: some words # c\n`, (i: number) => `k${i}:\n`, () => '# comment\n', () => '\n',
    () => 'project:\n  name: shop\n', () => 'project:\n  name: Shop\n', () => 'backend:\n  provider: generic\n  image: a\n  port: 8080\n',
    () => 'backend:\n  image: a\n  bogus: 1\n', () => 'x-base: &b\n  image: a\n', () => 'frontend:\n  <<: *b\n  port: 3000\n',
    (i: number) => `k${i}: @x\n`, (i: number) => `k${i}: |\n  text\n`, (i: number) => `k${i}: [1,\n  2]\n`, (i: number) => `k${i}: "a\n  b"\n`,
    (i: number) => `k${i}: a\n  b\n`, (i: number) => `k${i}: &a${i} 1\n`, () => 'k: *a1\n', (i: number) => `k${i}:\t1\n`,
    (i: number) => `k${i}: - x\n`, (i: number) => `k${i}: 'it''s'\n`, (i: number) => `k${i}: 1\r\n`, () => 'dev:\n  traefik: false\n',
    (i: number) => `k${i}: 1`, (i: number) => `k${i}: {a: 1}\n  b: 2\n`, (i: number) => `k${i}: 1\n  # c\n  b: 2\n`,
  ];
  /** Entries that make the whole text be parsed (a few per hundred). */
  const rare = [() => '  indented: 1\n', () => 'dup: 1\n', (i: number) => `"q${i}": 1\n`, () => 'true: 1\n', () => '- item\n', () => '---\n'];
  it('1,000 random texts (of which over 400 have lines set aside)', () => {
    let seed = 14;
    let withLinesSetAside = 0;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 1000; round++) {
      const pick = (): ((i: number) => string) => {
        const from = random(25) === 0 ? rare : entries;
        return from[random(from.length)] as (i: number) => string;
      };
      const text = Array.from({ length: 2 + random(10) }, (_, i) => pick()(i)).join('');
      expect({ text, answer: answer(text, true) }).toStrictEqual({ text, answer: answer(text, false) });
      if (withoutSimpleRootLines(text, unknown) !== undefined) withLinesSetAside += 1;
    }
    expect(withLinesSetAside).toBeGreaterThan(400);
  });
});
