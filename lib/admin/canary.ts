import { REASON_HEADER } from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';
import { distributionOnly, redirectProblem } from './canary-confinement';
import { signOutTestViewers } from './canary-viewers';
import { findCanaryMedia, masterPlaylistPath, type CanaryMedia } from './canary-media';
import { CANARY_CHECKS, keyAnswerHint, statusWithReason, type CanaryCheck, type CanaryReport, type CheckResult } from './canary-checks';
import { encodedKeyPaths } from './encoded-key-paths';
import type { HttpGet, HttpResponse } from './raw-http';

/** Tokens for the test viewers: short-lived and limited to the one video (`vids`). */
export interface CanaryTokens {
  mint(uid: string, videoId: string, ttlSeconds: number): string;
}

/** Writes and removes the test viewer's grant in the entitlement table, and signs the test viewers out at the end. */
export interface CanaryGrants {
  grant(uid: string, videoId: string, untilSeconds: number): Promise<void>;
  revoke(uid: string, videoId: string): Promise<void>;
  /** Refuses every token of `uid` issued so far (`#revoked`); the mark may go once they have all expired (`untilSeconds`). */
  signOut(uid: string, untilSeconds: number): Promise<void>;
}

export interface CanaryClock {
  nowSeconds(): number;
  sleep(ms: number): Promise<void>;
}

export interface CanaryOptions {
  /** The distribution's origin, e.g. https://d111111abcdef8.cloudfront.net. */
  distribution: URL;
  videoId: string;
  http: HttpGet;
  /** Without a signing key, the checks that need a token are skipped and encoded paths are tried anonymously. */
  tokens?: CanaryTokens;
  /** Without table access, the checks that need a grant are skipped. */
  grants?: CanaryGrants;
  /** The test viewer; the unentitled viewer is this id with `-nobody`. */
  viewerId: string;
  /** How long a revocation may take: the authorizer's allow cache TTL plus replication lag. */
  ttlWaitSeconds: number;
  pollEverySeconds?: number;
  clock: CanaryClock;
  progress?: (line: string) => void;
}

const KEY_BYTES = 16;
/** Tokens live long enough for every check, revocation wait included, and no longer. */
const TOKEN_MARGIN_SECONDS = 60;
/** A repeated request may land on another cache server of the edge location: ask a few times. */
const CACHE_REPEATS = 3;
/** CloudFront's x-cache values for an answer from its cache (RefreshHit: cached, revalidated with the origin). */
const CACHE_HIT = /^(Hit|RefreshHit) from cloudfront$/i;

const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const pathOf = (url: URL) => `${url.pathname}${url.search}`;
const problemOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs every check against a live distribution (or `keygate dev`), asking only the distribution and
 * only for `videoId`; the grant it makes is removed, and its test viewers signed out, before it returns.
 */
export async function runCanary(options: CanaryOptions): Promise<CanaryReport> {
  const { clock } = options;
  // Defence in depth: even a URI that slipped past confinement could not take a token elsewhere.
  const http = distributionOnly(options.http, options.distribution);
  const progress = options.progress ?? (() => {});
  const results = new Map<CanaryCheck, CheckResult>();
  const record = (check: CanaryCheck, outcome: CheckResult['outcome'], detail: string) => {
    results.set(check, { check, outcome, detail });
    // A skip's detail already says `skipped: …`.
    progress(`check ${CANARY_CHECKS.indexOf(check) + 1} (${check}): ${outcome === 'skipped' ? detail : `${outcome}: ${detail}`}`);
  };
  /** A check whose request fails (timeout, reset) fails alone; the others still run. */
  const attempt = async (check: CanaryCheck, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      record(check, 'fail', `could not check: ${problemOf(error)}`);
    }
  };
  const report = (extra: Partial<CanaryReport> = {}): CanaryReport => ({
    distribution: options.distribution.href,
    videoId: options.videoId,
    ttlWaitSeconds: options.ttlWaitSeconds,
    ...extra,
    checks: CANARY_CHECKS.map((check) => results.get(check) ?? { check, outcome: 'fail', detail: 'not run' }),
  });

  progress(`reading ${new URL(masterPlaylistPath(options.videoId), options.distribution).href} and its first rendition`);
  let found: Awaited<ReturnType<typeof findCanaryMedia>>;
  try {
    found = await findCanaryMedia(http, options.distribution, options.videoId);
  } catch (error) {
    throw new KeygateError(`cannot reach ${options.distribution.href}: ${problemOf(error)}; check the distribution URL`);
  }
  if ('problem' in found) {
    for (const check of CANARY_CHECKS)
      record(check, 'fail', check === 'media-public' ? found.problem : 'not run: no key URI to test (see check 5)');
    return report();
  }
  const media = found.found;
  // The video named on the command line, never one read from a playlist (confineKeyUri refused any other).
  const videoId = options.videoId;
  const keyGet = (token?: string) => http(options.distribution, pathOf(media.keyUrl), bearer(token));
  const tokenTtl = options.ttlWaitSeconds + TOKEN_MARGIN_SECONDS;
  const nobody = `${options.viewerId}-nobody`;
  const { tokens, grants } = options;
  const cleanupProblems: string[] = [];

  const runChecks = async (): Promise<Partial<CanaryReport>> => {
    await attempt('anonymous', async () => checkAnonymous(await keyGet(), record));
    if (tokens) {
      const token = tokens.mint(nobody, videoId, tokenTtl);
      await attempt('unentitled', async () => checkUnentitled(await keyGet(token), record));
    } else record('unentitled', 'skipped', 'skipped: no signing key (--key, --issuer, --audience)');
    await attempt('media-public', () => checkMediaPublic(http, options.distribution, media, record));

    if (!tokens || !grants) {
      const why = tokens ? 'no table access (--table, --region)' : 'no signing key (--key, --issuer, --audience)';
      record('entitled', 'skipped', `skipped: ${why}`);
      record('revocation', 'skipped', `skipped: ${why}`);
      const token = tokens?.mint(nobody, videoId, tokenTtl);
      const who = token === undefined ? 'without credentials' : 'with an unentitled viewer’s token';
      await attempt('encoded-paths', () => checkEncodedPaths(http, options.distribution, media, { token, who }, undefined, record));
      return {};
    }

    const viewer = options.viewerId;
    await grants.grant(viewer, videoId, Math.ceil(clock.nowSeconds()) + tokenTtl);
    progress(`granted ${videoId} to ${viewer} (a rental that ends within ${tokenTtl} s)`);
    let revoked = false;
    try {
      const token = tokens.mint(viewer, videoId, tokenTtl);
      let key: Buffer | undefined;
      await attempt('entitled', async () => {
        key = await checkEntitled(() => keyGet(token), record);
      });
      await attempt('encoded-paths', () =>
        checkEncodedPaths(http, options.distribution, media, { token, who: 'with the test viewer’s token' }, key, record),
      );
      await grants.revoke(viewer, videoId);
      revoked = true;
      progress(`revoked ${videoId} for ${viewer}; waiting up to ${options.ttlWaitSeconds} s for the key to be refused`);
      await attempt('revocation', () => checkRevocation(() => keyGet(token), options, record));
    } finally {
      if (!revoked) {
        try {
          await grants.revoke(viewer, videoId);
        } catch (error) {
          cleanupProblems.push(
            `could not remove the grant of ${videoId} to ${viewer} (${problemOf(error)}); it ends by itself within ${tokenTtl} s`,
          );
        }
      }
    }
    return { viewer };
  };

  let extra: Partial<CanaryReport>;
  try {
    extra = await runChecks();
  } finally {
    // Whatever happened, every token this run minted stops opening anything: its viewers are signed out.
    if (tokens && grants)
      cleanupProblems.push(...(await signOutTestViewers(grants, [options.viewerId, nobody], clock.nowSeconds(), tokenTtl)));
    cleanupProblems.forEach(progress);
  }
  return report({
    keyUrl: media.keyUrl.href,
    ...extra,
    ...(cleanupProblems.length > 0 ? { cleanupProblem: cleanupProblems.join('; ') } : {}),
  });
}

/** Sets a check's row (and prints its progress line). */
type RecordCheck = (check: CanaryCheck, outcome: CheckResult['outcome'], detail: string) => void;

function checkAnonymous(response: HttpResponse, record: RecordCheck): void {
  if (response.status === 401 && response.headers[REASON_HEADER] === 'no-credentials') record('anonymous', 'pass', '401 no-credentials');
  else record('anonymous', 'fail', `got ${statusWithReason(response)}, expected 401 no-credentials: ${keyAnswerHint(response)}`);
}

function checkUnentitled(response: HttpResponse, record: RecordCheck): void {
  if (response.status === 403) record('unentitled', 'pass', statusWithReason(response));
  else if (response.status === 200)
    record('unentitled', 'fail', 'a viewer with no grant got the key: does /keys/* run the key authorizer on viewer-request?');
  else record('unentitled', 'fail', `got ${statusWithReason(response)}, expected 403: ${keyAnswerHint(response)}`);
}

/**
 * The key bytes when the entitled viewer got them, so the encoded-path check can recognise them.
 * A key must reach the viewer with no-store, and stay in CloudFront's cache (a repeat is a hit).
 */
async function checkEntitled(keyGet: () => Promise<HttpResponse>, record: RecordCheck): Promise<Buffer | undefined> {
  const response = await keyGet();
  const cacheControl = response.headers['cache-control'] ?? '';
  if (response.status !== 200) record('entitled', 'fail', `got ${statusWithReason(response)}, expected 200: ${keyAnswerHint(response)}`);
  else if (response.body.length !== KEY_BYTES)
    record('entitled', 'fail', `got ${response.body.length} bytes, not a 16-byte AES-128 key: check the key object in the key bucket`);
  else if (!/\bno-store\b/i.test(cacheControl))
    record(
      'entitled',
      'fail',
      `Cache-Control is "${cacheControl}", without no-store: check the /keys/* behavior's response headers policy (no viewer may store a key)`,
    );
  else {
    const edgeCache = await judgeKeyEdgeCache(keyGet, response);
    if ('fail' in edgeCache) record('entitled', 'fail', edgeCache.fail);
    else record('entitled', 'pass', `200, 16 bytes, Cache-Control: ${cacheControl}; ${edgeCache.pass}`);
    return response.body;
  }
  return undefined;
}

/** Repeats an allowed key request: CloudFront should answer from its cache, still with no-store. */
async function judgeKeyEdgeCache(keyGet: () => Promise<HttpResponse>, first: HttpResponse): Promise<{ pass: string } | { fail: string }> {
  if (first.headers['x-cache'] === undefined) return { pass: 'edge cache not judged: no x-cache header' };
  let last = first;
  for (let i = 1; i < CACHE_REPEATS; i++) {
    last = await keyGet();
    const xCache = last.headers['x-cache'] ?? '';
    if (last.status !== 200) return { fail: `a repeated key request got ${statusWithReason(last)}: ${keyAnswerHint(last)}` };
    if (!/\bno-store\b/i.test(last.headers['cache-control'] ?? ''))
      return { fail: `a repeated key request (${xCache}) came without no-store: check the /keys/* response headers policy` };
    if (CACHE_HIT.test(xCache)) return { pass: `repeated key request: ${xCache}` };
  }
  return {
    fail: `${CACHE_REPEATS} key requests, no repeat was a cache hit (x-cache: ${last.headers['x-cache']}): every key then costs an S3 request in the bucket's region; check the keys cache policy's minimum TTL`,
  };
}

async function checkEncodedPaths(
  http: HttpGet,
  distribution: URL,
  media: CanaryMedia,
  viewer: { token?: string; who: string },
  key: Buffer | undefined,
  record: RecordCheck,
): Promise<void> {
  const paths = encodedKeyPaths(media.videoId, media.keyName);
  const leaked: string[] = [];
  for (const path of paths) {
    const response = await http(distribution, path, bearer(viewer.token));
    // Without the real key to compare with, any 16-byte 200 counts as one.
    if (response.status === 200 && (key ? response.body.equals(key) : response.body.length === KEY_BYTES)) leaked.push(path);
  }
  if (leaked.length === 0) record('encoded-paths', 'pass', `${paths.length} spellings tried ${viewer.who}, none returned the key`);
  else
    record(
      'encoded-paths',
      'fail',
      `${leaked.length} of ${paths.length} spellings returned the key ${viewer.who}, e.g. ${leaked[0]}: keys are reachable around the authorizer; keep them only in the key bucket (README "Moving keys out of the media bucket")`,
    );
}

async function checkMediaPublic(http: HttpGet, distribution: URL, media: CanaryMedia, record: RecordCheck): Promise<void> {
  let last: HttpResponse | undefined;
  for (let i = 0; i < CACHE_REPEATS; i++) {
    last = await http(distribution, pathOf(media.segmentUrl));
    const redirect = redirectProblem(last.status, last.headers.location);
    if (last.status !== 200) {
      const answer = redirect ?? `${last.status} without credentials: is it in the media bucket?`;
      record('media-public', 'fail', `segment ${media.segmentUrl.href} answered ${answer}`);
      return;
    }
    const xCache = last.headers['x-cache'];
    if (xCache === undefined) {
      record('media-public', 'pass', 'playlists and a segment read without credentials; cache not judged: no x-cache header');
      return;
    }
    if (i > 0 && CACHE_HIT.test(xCache)) {
      record('media-public', 'pass', `playlists and a segment read without credentials; repeated segment request: ${xCache}`);
      return;
    }
  }
  record(
    'media-public',
    'fail',
    `${CACHE_REPEATS} requests of ${pathOf(media.segmentUrl)}, no repeat was a cache hit (x-cache: ${last?.headers['x-cache']}): check the default behavior's cache policy and the segment's Cache-Control`,
  );
}

async function checkRevocation(keyGet: () => Promise<HttpResponse>, options: CanaryOptions, record: RecordCheck): Promise<void> {
  const { clock } = options;
  const pollMs = (options.pollEverySeconds ?? 2) * 1000;
  const started = clock.nowSeconds();
  for (;;) {
    const response = await keyGet();
    const waited = clock.nowSeconds() - started;
    if (response.status === 403) {
      record('revocation', 'pass', `${statusWithReason(response)} ${Math.round(waited)} s after the grant was removed`);
      return;
    }
    // A refused token will not come right by waiting; anything else (the cached allow, a 503) may.
    if (response.status === 401 || waited >= options.ttlWaitSeconds) {
      const what = response.status === 200 ? 'the key was still served' : `got ${statusWithReason(response)}`;
      const hint =
        response.status === 200
          ? 'check the authorizer’s allowTtlSeconds and replication lag to the replica it reads, or pass a longer --ttl-wait'
          : keyAnswerHint(response);
      record('revocation', 'fail', `${what} ${Math.round(waited)} s after the grant was removed, expected 403: ${hint}`);
      return;
    }
    await clock.sleep(Math.min(pollMs, (options.ttlWaitSeconds - waited) * 1000));
  }
}
