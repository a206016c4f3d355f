import { ComposeWarnings, composeWarningOf } from '../../src/output/compose-warnings.js';

describe('composeWarningOf', () => {
  it.each([
    [
      'logrus text form (stderr not a terminal), quotes unescaped',
      'time="2026-12-01T18:58:41Z" level=warning msg="The \\"UNSET_X\\" variable is not set. Defaulting to a blank string."',
      'The "UNSET_X" variable is not set. Defaulting to a blank string.',
    ],
    [
      'logrus terminal form',
      'WARN[0000] /x/compose.yaml: `version` is obsolete',
      '/x/compose.yaml: `version` is obsolete',
    ],
  ])('%s', (_, line, warning) => {
    expect(composeWarningOf(line)).toBe(warning);
  });

  it.each([
    ['a progress line', ' Container shop-web-1  Started'],
    ['an error', 'time="2026-12-01T18:58:41Z" level=error msg="boom"'],
    ["compose's own progress warning of `down`", 'Warning: No resource found to remove for project "shop".'],
    ['a log line that mentions a warning', 'web-1  | level=warning but no msg'],
  ])('%s is no warning', (_, line) => {
    expect(composeWarningOf(line)).toBeUndefined();
  });
});

describe('ComposeWarnings', () => {
  it('passes each distinct warning on once, whichever command (and form) says it again', () => {
    const warnings = new ComposeWarnings();
    const unset = 'time="t" level=warning msg="The \\"A\\" variable is not set. Defaulting to a blank string."';
    expect(warnings.fresh(unset)).toBe('The "A" variable is not set. Defaulting to a blank string.');
    expect(warnings.fresh(unset)).toBeUndefined();
    expect(warnings.fresh('WARN[0003] The "A" variable is not set. Defaulting to a blank string.')).toBeUndefined();
    expect(warnings.fresh('time="t" level=warning msg="optional dependency db failed"')).toBe('optional dependency db failed');
    expect(warnings.fresh(' Container x  Started')).toBeUndefined();
  });
});
