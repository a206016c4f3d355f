import { parse } from 'yaml';
import { toYaml } from '../../src/generate/to-yaml.js';

describe('toYaml', () => {
  it('writes the header as comments, keys in the value’s order, no folding of long lines', () => {
    const long = `sh -c '${'x'.repeat(200)}'`;
    expect(toYaml({ b: 1, a: [long], c: {} }, ['one', 'two'])).toBe(`# one\n# two\n\nb: 1\na:\n  - ${long}\nc: {}\n`);
  });

  it('quotes strings a YAML 1.1 or 1.2 reader would take for something else', () => {
    expect(toYaml({ y: 1, n: 2 }, [])).toBe('"y": 1\n"n": 2\n'); // keys too: y and n are booleans in YAML 1.1
    const value = { values: ['yes', 'on', 'off', 'no', 'true', 'null', '~', '1', '0o17', '1:20', '2024-01-01', '.inf', ':80', '*x', '`x`', '@x'] };
    expect(toYaml(value, [])).toBe(
      [
        'values:',
        '  - "yes"',
        '  - "on"',
        '  - "off"',
        '  - "no"',
        '  - "true"',
        '  - "null"',
        '  - "~"',
        '  - "1"',
        '  - "0o17"',
        '  - "1:20"',
        '  - "2024-01-01"',
        '  - ".inf"',
        '  - ":80"',
        '  - "*x"',
        '  - "`x`"',
        '  - "@x"',
        '',
      ].join('\n'),
    );
  });

  it('leaves plain strings plain and reads back to the same value under YAML 1.1 and 1.2', () => {
    const value = { image: 'busybox:latest', ports: ['80:80', '8443:443'], rule: 'Host(`app.localdev.test`)', flag: '-c', count: 3, on_: true, none: null };
    const text = toYaml(value, []);
    expect(text).toBe(
      'image: busybox:latest\nports:\n  - 80:80\n  - 8443:443\nrule: Host(`app.localdev.test`)\nflag: -c\ncount: 3\non_: true\nnone: null\n',
    );
    expect(parse(text)).toStrictEqual(value);
    expect(parse(text, { version: '1.1' })).toStrictEqual(value);
  });

  it('never writes anchors for an object used twice', () => {
    const shared = { a: 1 };
    expect(toYaml({ first: shared, second: shared }, [])).toBe('first:\n  a: 1\nsecond:\n  a: 1\n');
  });
});
