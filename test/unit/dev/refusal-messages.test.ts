import { DENIAL_STATUS } from '../../../lambda/key-authorizer/denial-reasons';
import { COOKIE_SESSION_REQUIRED, REFUSAL_BY_STATUS, REFUSAL_MESSAGES } from '../../../lib/dev/refusal-messages';

describe('what the demo page tells a refused viewer', () => {
  it('has words for every refusal a player can meet', () => {
    const playerRefusals = Object.keys(DENIAL_STATUS).filter((reason) => reason !== 'not-found' && reason !== 'method-not-allowed');
    expect(Object.keys(REFUSAL_MESSAGES).sort()).toEqual(playerRefusals.sort());
  });

  it("says you don't own it on not-entitled, and to sign in again on every other 401 but the provider's outage", () => {
    expect(REFUSAL_MESSAGES['not-entitled']).toBe("You don't own this video");
    for (const reason of ['bad-token', 'token-expired', 'session-revoked'] as const)
      expect(REFUSAL_MESSAGES[reason]).toMatch(/^Sign in again/);
    expect(REFUSAL_BY_STATUS[401]).toBe('Sign in again');
  });

  it('sends a cookie viewer on a limited plan to bearer mode', () => {
    expect(COOKIE_SESSION_REQUIRED).toMatch(/choose "bearer token"/);
  });
});
