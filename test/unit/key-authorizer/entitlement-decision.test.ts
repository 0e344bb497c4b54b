import { judgeEntitlement } from '../../../lambda/key-authorizer/entitlements/entitlement-decision';
import type { GrantItem } from '../../../lambda/key-authorizer/entitlements/entitlement-schema';

const NOW = 1_800_000_000;
const grant = (sk: string, extra: Partial<GrantItem> = {}): GrantItem => ({ uid: 'alice', sk, grantedAt: NOW - 100, ...extra });
const viewer = { uid: 'alice', issuedAt: NOW - 10 };

describe('judgeEntitlement', () => {
  it('allows a purchase without expiry', () => {
    expect(judgeEntitlement({ video: grant('movie') }, viewer, NOW)).toEqual({ allowed: true, via: 'video' });
  });

  it('allows a rental until expiresAt and not at expiresAt', () => {
    expect(judgeEntitlement({ video: grant('movie', { expiresAt: NOW + 1 }) }, viewer, NOW).allowed).toBe(true);
    expect(judgeEntitlement({ video: grant('movie', { expiresAt: NOW }) }, viewer, NOW)).toEqual({
      allowed: false,
      reason: 'entitlement-expired',
    });
  });

  it('never trusts ttl: an item past expiresAt that DynamoDB has not deleted yet is refused', () => {
    expect(judgeEntitlement({ video: grant('movie', { expiresAt: NOW - 1, ttl: NOW + 86400 }) }, viewer, NOW).allowed).toBe(false);
  });

  it('falls back to a live all-access subscription when the video rental has expired', () => {
    const records = { video: grant('movie', { expiresAt: NOW - 1 }), allAccess: grant('*') };
    expect(judgeEntitlement(records, viewer, NOW)).toEqual({ allowed: true, via: 'all-access' });
  });

  it('refuses with not-entitled when nothing is granted', () => {
    expect(judgeEntitlement({}, viewer, NOW)).toEqual({ allowed: false, reason: 'not-entitled' });
  });

  it('lets a session revocation win over any grant', () => {
    const records = {
      video: grant('movie'),
      allAccess: grant('*'),
      revocation: { uid: 'alice', sk: '#revoked' as const, revokedBefore: NOW - 9 },
    };
    expect(judgeEntitlement(records, viewer, NOW)).toEqual({ allowed: false, reason: 'session-revoked' });
  });

  it('accepts a token issued exactly at revokedBefore', () => {
    const records = { video: grant('movie'), revocation: { uid: 'alice', sk: '#revoked' as const, revokedBefore: NOW - 10 } };
    expect(judgeEntitlement(records, viewer, NOW).allowed).toBe(true);
  });
});
