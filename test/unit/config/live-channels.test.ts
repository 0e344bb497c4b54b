import { parseExampleConfig as parse } from '../../fixtures/example-context';

const channel = (overrides: Record<string, unknown> = {}) => ({ id: 'concert', inputCidrs: ['203.0.113.0/24'], ...overrides });

describe('liveChannels', () => {
  it('is off (no channels) unless set', () => {
    expect(parse({}).liveChannels).toEqual([]);
  });

  it('reads a channel with the defaults: single pipeline, the default ladder, 300 s keys, 6 s segments', () => {
    expect(parse({ liveChannels: [channel()] }).liveChannels).toEqual([
      {
        id: 'concert',
        inputCidrs: ['203.0.113.0/24'],
        ladder: ['1080p', '720p', '480p', '360p'],
        keyRotationSeconds: 300,
        segmentSeconds: 6,
        pipelines: 1,
      },
    ]);
  });

  it('reads the list as JSON from -c liveChannels=…', () => {
    expect(parse({ liveChannels: JSON.stringify([channel({ pipelines: 2 })]) }).liveChannels[0].pipelines).toBe(2);
  });

  it.each([
    ['a channel id with a slash', [channel({ id: 'a/b' })], /"liveChannels\[\]\.id" must be a channel id/],
    ['no input CIDRs', [channel({ inputCidrs: [] })], /"liveChannels\[concert\]\.inputCidrs" must be a non-empty list of IPv4 CIDRs/],
    ['a CIDR without a prefix length', [channel({ inputCidrs: ['203.0.113.7'] })], /inputCidrs/],
    ['an unknown ladder rung', [channel({ ladder: ['4k'] })], /"liveChannels\[concert\]\.ladder" must be a non-empty list of ladder rungs/],
    ['a key period MediaPackage refuses', [channel({ keyRotationSeconds: 60 })], /keyRotationSeconds" must be a whole number from 300/],
    ['three pipelines', [channel({ pipelines: 3 })], /pipelines" must be 1 or 2/],
    ['an unknown field', [channel({ drm: 'widevine' })], /"liveChannels\[\]\.drm" must be absent/],
    ['the same id twice', [channel(), channel()], /"liveChannels" must be channels with distinct ids \(got "concert"\)/],
    ['an object instead of a list', channel(), /"liveChannels" must be a list of channels/],
  ])('refuses %s, naming the key and how to fix it', (_name, value, message) => {
    expect(() => parse({ liveChannels: value })).toThrow(message);
    expect(() => parse({ liveChannels: value })).toThrow(/Fix it in cdk\.json or pass -c/);
  });
});
