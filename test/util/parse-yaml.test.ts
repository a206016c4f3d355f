// parseYaml finds duplicate keys itself, in one pass (yaml's own check is quadratic), and
// reports them as yaml did: same message, same position, in the order of the text.
import { parseDocument } from 'yaml';
import { parseYaml } from '../../src/util/parse-yaml.js';

/** Each error as `code line:col first-line-of-message`. */
function errorsOf(text: string): string[] {
  return parseYaml(text).doc.errors.map((e) => `${e.code} ${e.linePos?.[0].line}:${e.linePos?.[0].col} ${e.message.split('\n')[0]}`);
}

/** What yaml's own check says, for comparison. */
function yamlsOwn(text: string): string[] {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  return doc.errors.map((e) => `${e.code} ${e.linePos?.[0].line}:${e.linePos?.[0].col} ${e.message.split('\n')[0]}`);
}

describe('parseYaml: duplicate keys', () => {
  it.each([
    ['a repeated top-level key', 'a: 1\nb: 2\na: 3\n', ['DUPLICATE_KEY 3:1 Map keys must be unique at line 3, column 1:']],
    ['in a nested map', 'x:\n  a: 1\n  b: 2\n  a: 3\n', ['DUPLICATE_KEY 4:3 Map keys must be unique at line 4, column 3:']],
    ['in a flow map', '{a: 1, a: 2}\n', ['DUPLICATE_KEY 1:8 Map keys must be unique at line 1, column 8:']],
    ['in a map inside a list', 'l:\n  - a: 1\n    a: 2\n', ['DUPLICATE_KEY 3:5 Map keys must be unique at line 3, column 5:']],
    ['twice', 'a: 1\na: 2\na: 3\n', ['DUPLICATE_KEY 2:1 Map keys must be unique at line 2, column 1:', 'DUPLICATE_KEY 3:1 Map keys must be unique at line 3, column 1:']],
    ['the same value spelled twice (true, True)', 'true: 1\nTrue: 2\n', ['DUPLICATE_KEY 2:1 Map keys must be unique at line 2, column 1:']],
    ['two merge keys (allowed)', 'a: &x {b: 1}\nc: &y {d: 2}\ne:\n  <<: *x\n  <<: *y\n', []],
    ['1 and "1" (different values)', "1: a\n'1': b\n", []],
    ['the same key in two maps', 'a:\n  k: 1\nb:\n  k: 2\n', []],
  ])('%s: as yaml reports it', (_what, text, expected) => {
    expect(errorsOf(text)).toStrictEqual(expected);
    expect(errorsOf(text)).toStrictEqual(yamlsOwn(text));
  });

  it('a syntax error and a duplicate: both, in the order of the text', () => {
    const text = 'a: 1\na: 2\nb: [\n';
    expect(errorsOf(text)).toStrictEqual([
      'DUPLICATE_KEY 2:1 Map keys must be unique at line 2, column 1:',
      ...yamlsOwn(text).filter((e) => !e.startsWith('DUPLICATE_KEY')),
    ]);
    expect(errorsOf(text).length).toBeGreaterThan(1);
  });
});
