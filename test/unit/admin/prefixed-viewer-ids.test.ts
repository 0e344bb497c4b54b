import { CONFIG_PATTERNS } from '../../../lambda/key-authorizer/config/config-limits';
import { isViewerId } from '../../../lambda/key-authorizer/entitlements/entitlement-schema';
import { checkUid, grantItem, revocationItem } from '../../../lib/admin/entitlement-items';

// An issuer's viewers are `<uidPrefix><uid claim>`: the admin client and CLI take that id as is, so
// every character a prefix may hold must be one a viewer id may hold.

/** Every character the uidPrefix pattern allows, read off the pattern itself. */
const PREFIX_CHARACTERS = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).filter((c) =>
  CONFIG_PATTERNS.uidPrefix.test(c),
);

describe('viewer ids with an issuer prefix in the admin client', () => {
  it('accepts every character a uidPrefix may hold in a viewer id', () => {
    expect(PREFIX_CHARACTERS.length).toBeGreaterThan(60);
    for (const character of PREFIX_CHARACTERS) expect(checkUid(`${character}alice`)).toBe(`${character}alice`);
  });

  it('grants and revokes a prefixed id unchanged', () => {
    expect(grantItem({ uid: 'partner:auth0|42', videoId: 'movie' }, 1000).uid).toBe('partner:auth0|42');
    expect(revocationItem('partner:auth0|42', 1000).uid).toBe('partner:auth0|42');
  });

  it('refuses a prefix holding what a viewer id may not (#, control characters)', () => {
    for (const prefix of ['p#', 'p\n', 'p\u0000']) {
      expect(CONFIG_PATTERNS.uidPrefix.test(prefix)).toBe(false);
      expect(isViewerId(`${prefix}alice`)).toBe(false);
    }
  });
});
