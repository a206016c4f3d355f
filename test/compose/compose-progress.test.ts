import { errorLines, isProgressLine } from '../../src/compose/compose-progress.js';

describe('isProgressLine', () => {
  it.each([
    ' Network shop_default  Creating',
    ' Network shop_default  Created',
    ' Container shop-api-1  Starting',
    ' Container shop-api-1  Started',
    ' Container shop-db-1  Healthy',
    ' Container shop-db-1  Error',
    ' Volume "shop_data"  Created',
    'Container shop-api-1  Waiting',
  ])('%j is progress', (line) => {
    expect(isProgressLine(line)).toBe(true);
  });

  it.each([
    'Error response from daemon: pull access denied for shop/api',
    'dependency failed to start: container shop-db-1 is unhealthy',
    'no such service: apii',
    ' Container shop-api-1 is unhealthy',
    '',
  ])('%j is not progress', (line) => {
    expect(isProgressLine(line)).toBe(false);
  });
});

describe('errorLines', () => {
  it('keeps the non-blank lines that are not progress, in order', () => {
    const stderr = [
      ' Network shop_default  Created',
      ' Container shop-db-1  Starting',
      '',
      'Error response from daemon: driver failed programming external connectivity',
      '   ',
      'Bind for 0.0.0.0:5432 failed: port is already allocated',
    ].join('\n');
    expect(errorLines(stderr)).toStrictEqual([
      'Error response from daemon: driver failed programming external connectivity',
      'Bind for 0.0.0.0:5432 failed: port is already allocated',
    ]);
  });

  it('is empty for empty stderr', () => {
    expect(errorLines('')).toStrictEqual([]);
  });
});
