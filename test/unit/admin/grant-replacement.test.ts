import { grantItem } from '../../../lib/admin/entitlement-items';
import { GrantWouldReplacePurchaseError, checkGrantReplacement } from '../../../lib/admin/grant-replacement';
import { rentalEnd } from '../../../lib/admin/rental-end';

const NOW = 1_800_000_000;
const purchase = grantItem({ uid: 'alice', videoId: 'demo' }, NOW);
const rental = grantItem({ uid: 'alice', videoId: 'demo', expiresAt: NOW + 3600 }, NOW);

describe('a grant that would replace another', () => {
  it('refuses a rental over a purchase of the same video unless forced', () => {
    expect(() => checkGrantReplacement([{ item: purchase }], rental, false)).toThrow(GrantWouldReplacePurchaseError);
    expect(() => checkGrantReplacement([{ item: purchase }], rental, false)).toThrow('alice owns demo for good');
    expect(() => checkGrantReplacement([{ item: purchase }], rental, true)).not.toThrow();
  });

  it('lets a purchase replace a rental, a rental extend a rental, and a rental land beside a purchase of another video', () => {
    expect(() => checkGrantReplacement([{ item: rental }], purchase, false)).not.toThrow();
    expect(() => checkGrantReplacement([{ item: rental }], rental, false)).not.toThrow();
    const other = grantItem({ uid: 'alice', videoId: 'other' }, NOW);
    expect(() => checkGrantReplacement([{ item: other }, { malformed: 'x', sk: 'demo' }], rental, false)).not.toThrow();
  });
});

describe('a rental length', () => {
  it.each(['48', '30', ' 2 '])('needs its unit: %p is refused', (length) => {
    expect(() => rentalEnd({ for: length }, NOW)).toThrow('must be a duration with its unit, like 30m, 48h or 7d');
  });

  it.each([
    ['48h', 48 * 3600],
    ['30m', 1800],
    ['2d', 172_800],
    ['90s', 90],
  ])('reads %s', (length, seconds) => {
    expect(rentalEnd({ for: length }, NOW)).toBe(NOW + seconds);
  });
});
