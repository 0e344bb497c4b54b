import { isVideoId, isViewerId } from '../../../lambda/key-authorizer/entitlements/entitlement-schema';

describe('isViewerId', () => {
  it.each([
    ['a plain id', 'alice'],
    ['an email address', 'alice@example.com'],
    ['well-formed non-ASCII, surrogate pairs included', 'zoë🎬'],
    ['256 characters', 'a'.repeat(256)],
  ])('accepts %s', (_name, id) => {
    expect(isViewerId(id)).toBe(true);
  });

  it.each([
    ['a lone high surrogate', 'a\ud800'],
    ['a lone low surrogate', 'a\udc00'],
    ['a surrogate pair in the wrong order', '\udc00\ud800'],
    ['a control character', 'ali\nce'],
    ['#, which would collide with the #revoked sort key', 'alice#1'],
    ['an empty string', ''],
    ['257 characters', 'a'.repeat(257)],
    ['a number', 42],
    ['undefined', undefined],
  ])('refuses %s', (_name, id) => {
    expect(isViewerId(id)).toBe(false);
  });
});

describe('isVideoId', () => {
  it('accepts letters, digits, _ and -', () => {
    expect(isVideoId('Movie_2-hd')).toBe(true);
  });

  it.each([
    ['a lone surrogate', 'movie\ud800'],
    ['a slash', '../x'],
    ['a number', 7],
  ])('refuses %s', (_name, id) => {
    expect(isVideoId(id)).toBe(false);
  });
});
