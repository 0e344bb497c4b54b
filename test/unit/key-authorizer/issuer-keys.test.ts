import type { PinnedJwk } from '../../../lambda/key-authorizer/config/issuer-config';
import { EARLY_REFETCH_AFTER_SECONDS, IssuerKeys } from '../../../lambda/key-authorizer/identity/issuer-keys';
import { JwksFetchError } from '../../../lambda/key-authorizer/identity/jwks-fetch';
import { generateSigningKey } from '../../../lib/admin/signing-keys';
import { makeIssuer } from '../../fixtures/authorizer-fixtures';

const pinned = generateSigningKey('ES256');
const first = generateSigningKey('ES256');
const second = generateSigningKey('RS256');
const SETTINGS = { cooldownSeconds: 30, maxKeyAgeSeconds: 600 };

/** A fake JWKS URL: counts fetches, serves `served` (or fails), and resolves only when told to. */
function fakeProvider(initial: PinnedJwk[]) {
  let served: PinnedJwk[] | 'down' = initial;
  const pending: (() => void)[] = [];
  const state = {
    fetches: 0,
    hold: false,
    serve(keys: PinnedJwk[] | 'down') {
      served = keys;
    },
    release() {
      for (const resolve of pending.splice(0)) resolve();
    },
  };
  const fetchJwks = async () => {
    state.fetches += 1;
    if (state.hold) await new Promise<void>((resolve) => pending.push(resolve));
    if (served === 'down') throw new JwksFetchError('connect ECONNREFUSED');
    return { keys: served };
  };
  return { state, fetchJwks };
}

function makeKeys(initial: PinnedJwk[], withPinned = false) {
  let nowMs = 1_000_000;
  const provider = fakeProvider(initial);
  const cached: PinnedJwk[][] = [];
  const issuer = makeIssuer({ jwks: withPinned ? { keys: [pinned.jwk] } : undefined, jwksUri: 'https://issuer.test/jwks' });
  const keys = new IssuerKeys(
    issuer,
    SETTINGS,
    provider.fetchJwks,
    () => nowMs,
    (held) => cached.push(held),
  );
  return {
    keys,
    provider: provider.state,
    cached,
    advance(seconds: number) {
      nowMs += seconds * 1000;
    },
  };
}

describe('IssuerKeys', () => {
  it('holds pinned keys without any fetch', () => {
    const { keys, provider } = makeKeys([], true);
    expect(keys.find(pinned.kid)).toEqual(pinned.jwk);
    expect(provider.fetches).toBe(0);
  });

  it('learns a key from one fetch and tells the signature verifier the pinned and fetched keys', async () => {
    const { keys, provider, cached } = makeKeys([first.jwk], true);
    expect(keys.find(first.kid)).toBeUndefined();
    expect(await keys.refresh()).toMatchObject({ outcome: 'fetched', available: true });
    expect(keys.find(first.kid)).toEqual(first.jwk);
    expect(cached).toEqual([[pinned.jwk, first.jwk]]);
    expect(provider.fetches).toBe(1);
  });

  it('shares one fetch among concurrent refreshes', async () => {
    const { keys, provider } = makeKeys([first.jwk]);
    provider.hold = true;
    const refreshes = [keys.refresh(), keys.refresh(), keys.refresh()];
    provider.release();
    const outcomes = (await Promise.all(refreshes)).map((r) => r.outcome);
    expect(outcomes.sort()).toEqual(['fetched', 'joined', 'joined']);
    expect(provider.fetches).toBe(1);
  });

  it('does not fetch again within the cooldown, and fetches once it has passed', async () => {
    const { keys, provider, advance } = makeKeys([first.jwk]);
    await keys.refresh();
    advance(EARLY_REFETCH_AFTER_SECONDS);
    expect((await keys.refresh()).outcome).toBe('fetched');
    advance(29 - EARLY_REFETCH_AFTER_SECONDS);
    expect(await keys.refresh()).toMatchObject({ outcome: 'cooldown', available: true, nextFetchInSeconds: 1 });
    expect(provider.fetches).toBe(2);
    advance(1);
    expect((await keys.refresh()).outcome).toBe('fetched');
    expect(provider.fetches).toBe(3);
  });

  it('refetches once early, for a key published just after a fetch, when that fetch is a few seconds old', async () => {
    const { keys, provider, advance } = makeKeys([first.jwk]);
    await keys.refresh();
    provider.serve([first.jwk, second.jwk]);
    advance(1);
    expect(await keys.refresh()).toMatchObject({ outcome: 'cooldown', nextFetchInSeconds: EARLY_REFETCH_AFTER_SECONDS - 1 });
    advance(EARLY_REFETCH_AFTER_SECONDS - 1);
    expect(await keys.refresh()).toMatchObject({
      outcome: 'fetched',
      available: true,
      nextFetchInSeconds: 30 - EARLY_REFETCH_AFTER_SECONDS,
    });
    expect(keys.find(second.kid)).toEqual(second.jwk);
    expect(provider.fetches).toBe(2);
  });

  it('makes at most two fetches per cooldown under a stream of unknown kids: a flood costs the provider four a minute', async () => {
    const { keys, provider, advance } = makeKeys([first.jwk]);
    for (let second = 0; second < 600; second += 1) {
      await Promise.all([keys.refresh(), keys.refresh()]);
      advance(1);
    }
    expect(provider.fetches).toBe(2 * (600 / 30));
  });

  it('never refetches early after a failed fetch: a provider that is down is left alone for the whole cooldown', async () => {
    const { keys, provider, advance } = makeKeys([first.jwk]);
    provider.serve('down');
    expect(await keys.refresh()).toMatchObject({ outcome: 'failed', nextFetchInSeconds: 30 });
    advance(10);
    expect(await keys.refresh()).toMatchObject({ outcome: 'cooldown', available: false, nextFetchInSeconds: 20 });
    expect(provider.fetches).toBe(1);
  });

  it('reports a failed fetch as unavailable, also to refreshes within the cooldown', async () => {
    const { keys, provider } = makeKeys([first.jwk]);
    provider.serve('down');
    expect(await keys.refresh()).toMatchObject({ outcome: 'failed', available: false });
    expect(await keys.refresh()).toMatchObject({ outcome: 'cooldown', available: false });
    expect(provider.fetches).toBe(1);
  });

  it('stops trusting a fetched key once it is older than the bound, and a refetch without it keeps it refused', async () => {
    const { keys, provider, advance } = makeKeys([first.jwk]);
    await keys.refresh();
    provider.serve([second.jwk]);
    advance(599);
    expect(keys.find(first.kid)).toEqual(first.jwk);
    advance(1);
    expect(keys.find(first.kid)).toBeUndefined();
    await keys.refresh();
    expect([keys.find(first.kid), keys.find(second.kid)]).toEqual([undefined, second.jwk]);
  });

  it('keeps fetched keys until their bound when a later fetch fails', async () => {
    const { keys, provider, advance } = makeKeys([first.jwk]);
    await keys.refresh();
    advance(60);
    provider.serve('down');
    expect((await keys.refresh()).outcome).toBe('failed');
    expect(keys.find(first.kid)).toEqual(first.jwk);
  });

  it('keeps the pinned copy when the fetched JWKS has a key of the same kid', async () => {
    const impostor = { ...first.jwk, kid: pinned.kid };
    const { keys } = makeKeys([impostor], true);
    await keys.refresh();
    expect(keys.find(pinned.kid)).toEqual(pinned.jwk);
  });

  it('treats a JWKS it cannot parse as a failed fetch', async () => {
    const { keys, provider } = makeKeys([first.jwk, first.jwk]);
    expect((await keys.refresh()).outcome).toBe('failed');
    expect(provider.fetches).toBe(1);
  });

  it('skips a key holding private material, keeps the others, and reports the skip on the fetching request', async () => {
    const { keys } = makeKeys([{ ...second.jwk, d: 'private' } as PinnedJwk, first.jwk]);
    const report = await keys.refresh();
    expect(report).toMatchObject({
      outcome: 'fetched',
      skippedKeys: [`"${second.kid}": key must be a public key (it holds private key material)`],
    });
    expect([keys.find(first.kid), keys.find(second.kid)]).toEqual([first.jwk, undefined]);
  });
});
