// The bounds of the seconds flags and the dev dir (issue 14 item 7), checked before anything
// runs; and the same bounds on a STAGECRAFT_* variable, named as the variable.
import { devFlagsFrom } from '../../src/cli/dev-flags.js';
import { checkFlags, secondsProblem } from '../../src/plan/check-flags.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';

const input = (message: string) => ({ kind: 'input', message });

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return 'nothing thrown';
}

describe('secondsProblem', () => {
  it.each([
    [0, 0],
    [86_400, 0],
    [1, 1],
  ])('%d (from %d) is in bounds', (value, min) => {
    expect(secondsProblem('--grace', value, min)).toBeUndefined();
  });

  it.each([
    [86_401, 0, '86401'],
    [2_147_483, 0, '2147483'],
    [-1, 0, '-1'],
    [0, 1, '0'],
    [1.5, 0, '1.5'],
    [Number.NaN, 0, 'something that is not a number'],
    [1e20, 0, '100000000000000000000'],
    [Number.POSITIVE_INFINITY, 0, 'Infinity'],
  ])('%d (from %d) is not: got %s', (value, min, got) => {
    expect(secondsProblem('--grace', value, min)).toBe(`--grace must be a whole number of seconds from ${min} to 86400 (got ${got})`);
  });

  it('shows a variable as it was set', () => {
    expect(secondsProblem('STAGECRAFT_GRACE', Number.NaN, 0, '"soon"')).toBe(
      'STAGECRAFT_GRACE must be a whole number of seconds from 0 to 86400 (got "soon")',
    );
  });
});

describe('checkFlags', () => {
  it('refuses an empty --dev-dir (it would be the project root)', () => {
    expect(thrownBy(() => checkFlags({ ...defaultDevOptions, devDir: '' }))).toStrictEqual(
      input('--dev-dir is empty; pass the directory that holds the dev files, e.g. --dev-dir .stagecraft/dev'),
    );
  });

  it('accepts the defaults, and a day of grace', () => {
    expect(() => checkFlags({ ...defaultDevOptions, graceSeconds: 86_400, waitTimeoutSeconds: 86_400 })).not.toThrow();
  });
});

describe('a seconds flag from its STAGECRAFT_* variable', () => {
  /** What yargs makes of the variable when the flag is not given: the default, coerced. */
  const read = (flag: 'grace' | 'wait-timeout', env: NodeJS.ProcessEnv): unknown => {
    const spec = devFlagsFrom(env)[flag];
    try {
      return { value: spec.coerce(('default' in spec ? spec.default : undefined) as never) };
    } catch (error) {
      return error;
    }
  };

  it('reads a good one as its number', () => {
    expect(read('grace', { STAGECRAFT_GRACE: '7' })).toStrictEqual({ value: 7 });
    expect(read('wait-timeout', { STAGECRAFT_WAIT_TIMEOUT: ' 30 ' })).toStrictEqual({ value: 30 });
  });

  it.each([
    ['grace', 'STAGECRAFT_GRACE', 'x', 0],
    ['grace', 'STAGECRAFT_GRACE', '86401', 0],
    ['grace', 'STAGECRAFT_GRACE', '0x10', 0],
    ['wait-timeout', 'STAGECRAFT_WAIT_TIMEOUT', '0', 1],
    ['wait-timeout', 'STAGECRAFT_WAIT_TIMEOUT', '99999999999999999999', 1],
  ] as const)('%s from %s=%s: a usage error naming the variable, with its text', (flag, variable, value, min) => {
    const error = read(flag, { [variable]: value }) as Error;
    expect({ name: error.name, message: error.message }).toStrictEqual({
      name: 'UsageError',
      message: `${variable} must be a whole number of seconds from ${min} to 86400 (got ${JSON.stringify(value)}); fix or unset it`,
    });
  });

  it('text typed on the command line is only converted here (checkFlags bounds it, naming the flag)', () => {
    const spec = devFlagsFrom({ STAGECRAFT_GRACE: 'x' }).grace;
    expect(spec.coerce('99999')).toBe(99_999);
    expect(spec.coerce('soon')).toBeNaN();
  });
});
