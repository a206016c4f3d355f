import { removalText } from '../../src/output/removal-text.js';

const anonA = `0123456789ab${'c'.repeat(52)}`;
const anonB = `fedcba987654${'3'.repeat(52)}`;

describe('removalText', () => {
  it('names one of each in the singular; an anonymous volume by its first 12 hex digits', () => {
    expect(removalText('shop', { containers: ['shop-api-1'], networks: ['shop_default'], volumes: [anonA] })).toBe(
      'removed project shop: container shop-api-1; network shop_default; anonymous volume 0123456789ab',
    );
  });

  it('names several of each in the plural, in the order given', () => {
    expect(
      removalText('shop', {
        containers: ['shop-api-1', 'shop-api-run-3f2a1b', 'shop-web-1'],
        networks: ['shop_back', 'shop_default'],
        volumes: [anonA, anonB],
      }),
    ).toBe(
      'removed project shop: containers shop-api-1, shop-api-run-3f2a1b, shop-web-1; networks shop_back, shop_default; ' +
        'anonymous volumes 0123456789ab, fedcba987654',
    );
  });

  it('leaves out what there was none of', () => {
    expect(removalText('shop', { containers: ['shop-api-1', 'shop-db-1'], networks: [], volumes: [] })).toBe(
      'removed project shop: containers shop-api-1, shop-db-1',
    );
    expect(removalText('shop', { containers: [], networks: ['shop_default'], volumes: [] })).toBe(
      'removed project shop: network shop_default',
    );
    expect(removalText('shop', { containers: [], networks: [], volumes: [anonB] })).toBe(
      'removed project shop: anonymous volume fedcba987654',
    );
  });

  it('says so when there was nothing to remove', () => {
    expect(removalText('old', { containers: [], networks: [], volumes: [] })).toBe(
      'project old had no container, network or anonymous volume left to remove',
    );
  });
});
