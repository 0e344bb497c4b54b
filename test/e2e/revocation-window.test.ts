import { join } from 'node:path';
import { DEV_ALLOW_TTL_SECONDS } from '../../lib/dev/dev-stack';
import {
  measureRevocation,
  planRevocations,
  prepareRevocationTitle,
  type RevocationPlan,
  type RevocationSizes,
  type RevocationStack,
} from '../../bench/suites/revocation';
import { playerSession } from './support/player-session';

// Revocation that bites: on a 2-minute title with a key every 8 s (real ffmpeg, one small rendition,
// where buffering ahead is worst), each player with the kit's defaults is revoked 16 s in and must
// stop within one key window plus the authorizer's allow-cache TTL (played at 4×, so the TTL's wall
// seconds are 4× as many media seconds). The three players play at once, each in its own browser
// context, on its own copy of the title (keys of its own, so the server tells their requests apart).
const session = playerSession();
const { scenario } = session;
const SIZES: RevocationSizes = {
  titleSeconds: 120,
  segmentSeconds: 2,
  rotateEvery: 4,
  playbackRate: 4,
  revokeAtSeconds: 16,
  watchSeconds: 30,
};
let plans: RevocationPlan[];

beforeAll(async () => {
  const originDir = join(session.dev.dataDir, 'origin');
  const titleId = await prepareRevocationTitle(originDir, session.dev.dataDir, SIZES);
  plans = planRevocations(originDir, titleId, ['kit'], 'e2e');
});

describe('a revoke while playing, with the kit’s defaults', () => {
  scenario(
    'stops hls.js, video.js and Shaka within one key window plus the allow cache’s TTL, with at most one key fetched ahead',
    async () => {
      const stack: RevocationStack = {
        browser: session.browser,
        url: session.dev.ready.url,
        table: { table: session.dev.ready.table, region: session.dev.ready.region, endpoint: session.dev.ready.dynamodbEndpoint },
        stats: session.stats,
      };
      const runs = await Promise.all(plans.map((plan) => measureRevocation(stack, plan, SIZES)));
      for (const run of runs) {
        // Media seconds the playhead may still move: the cache TTL (wall clock, at the playback rate), then one key
        // window until the refused request is sent, then that request's round trip (one segment's worth: 0.5 s at 4×).
        const budget = run.revokedAt + DEV_ALLOW_TTL_SECONDS * run.playbackRate + run.keyWindowSeconds + SIZES.segmentSeconds;
        expect({ player: run.player, refused: run.refused, reachedEnd: run.reachedEnd, stillPlaying: run.stillPlaying }).toEqual({
          player: run.player,
          refused: { status: 403, reason: 'not-entitled' },
          reachedEnd: false,
          stillPlaying: false,
        });
        // toEqual with the measured numbers on both sides, so a failure's diff shows them (toMatchObject's hides them).
        const atRevoke = {
          player: run.player,
          keysAhead: run.keysAheadAtRevoke,
          keysFetched: run.keysFetchedAtRevoke,
          revokedAt: run.revokedAt,
        };
        expect({ ...atRevoke, atMostOneKeyAhead: run.keysAheadAtRevoke <= 1 }).toEqual({ ...atRevoke, atMostOneKeyAhead: true });
        const stop = { player: run.player, stoppedAt: run.stoppedAt, budget };
        expect({ ...stop, stoppedWithinBudget: run.stoppedAt <= budget }).toEqual({ ...stop, stoppedWithinBudget: true });
        // One refused request ends it: the kit asks no more.
        expect(run.keyRequests.refused).toBe(1);
      }
    },
  );
});
