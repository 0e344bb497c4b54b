import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { cloudFrontClientFor, invalidateAndWait, InvalidationError, invalidationPathsOf } from '../../../lib/media/cdn-invalidation';
import { startFakeCloudFront, type FakeCloudFront } from '../../fixtures/cloudfront-api';

const DISTRIBUTION = 'E2QWRUHEXAMPLE';
let cloudFront: FakeCloudFront;
let client: CloudFrontClient;

/** A clock that moves only when the poller sleeps: no real waiting, and every wait is recorded. */
function fakeClock() {
  let time = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'FAKE', AWS_SECRET_ACCESS_KEY: 'FAKE' });
  cloudFront = await startFakeCloudFront({ distributionId: DISTRIBUTION, inProgressPolls: 3 });
  client = cloudFrontClientFor({ endpoint: cloudFront.endpoint });
});

afterAll(async () => {
  client.destroy();
  await cloudFront.close();
});

beforeEach(() => cloudFront.requests.splice(0));

describe('invalidateAndWait against the CloudFront API shapes (CreateInvalidation, GetInvalidation)', () => {
  it('invalidates both prefixes of each title', () => {
    expect(invalidationPathsOf(['demo', 'trailer'])).toEqual(['/videos/demo/*', '/keys/demo/*', '/videos/trailer/*', '/keys/trailer/*']);
  });

  it('creates one invalidation of the paths and polls it until CloudFront reports it Completed', async () => {
    const clock = fakeClock();
    const statuses: string[] = [];
    const id = await invalidateAndWait(client, DISTRIBUTION, invalidationPathsOf(['demo']), {
      timeoutMs: 900_000,
      ...clock,
      onProgress: (status) => statuses.push(status),
    });
    expect(cloudFront.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /2020-05-31/distribution/${DISTRIBUTION}/invalidation`,
      ...Array(4).fill(`GET /2020-05-31/distribution/${DISTRIBUTION}/invalidation/${id}`),
    ]);
    expect(cloudFront.batches().map((b) => b.paths)).toEqual([['/videos/demo/*', '/keys/demo/*']]);
    expect(statuses).toEqual(['InProgress', 'InProgress', 'InProgress', 'Completed']);
    // Backoff: each wait doubles.
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000]);
  });

  it('gives each invalidation its own caller reference, or CloudFront would treat the second as the first', async () => {
    for (let i = 0; i < 2; i++) await invalidateAndWait(client, DISTRIBUTION, ['/videos/demo/*'], { timeoutMs: 900_000, ...fakeClock() });
    const [first, second] = cloudFront.batches().map((b) => b.callerReference);
    expect(first).toMatch(/^keygate-publish-/);
    expect(second).not.toBe(first);
  });

  it('says which distribution does not exist (NoSuchDistribution, 404)', async () => {
    const failure = invalidateAndWait(client, 'ENOSUCHDIST', ['/videos/demo/*'], { timeoutMs: 900_000, ...fakeClock() });
    await expect(failure).rejects.toThrow(InvalidationError);
    await expect(failure).rejects.toThrow(/^CloudFront has no distribution ENOSUCHDIST; the upload is done but nothing was invalidated/);
  });

  it('gives up after the timeout, caps the backoff, and says how to follow the invalidation that goes on', async () => {
    const slow = await startFakeCloudFront({ distributionId: DISTRIBUTION, inProgressPolls: Infinity });
    const slowClient = cloudFrontClientFor({ endpoint: slow.endpoint });
    try {
      const clock = fakeClock();
      const failure = invalidateAndWait(slowClient, DISTRIBUTION, ['/videos/demo/*'], { timeoutMs: 60_000, maxDelayMs: 16_000, ...clock });
      await expect(failure).rejects.toThrow(
        `invalidation I0000000000001 of distribution ${DISTRIBUTION} has not completed after 60 s: the upload is done and the invalidation goes on; ` +
          `viewers may get failures until it completes. Follow it with: aws cloudfront get-invalidation --distribution-id ${DISTRIBUTION} --id I0000000000001`,
      );
      expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000, 16_000, 16_000, 13_000]);
      expect(slow.requests.filter((r) => r.method === 'GET')).toHaveLength(7);
    } finally {
      slowClient.destroy();
      await slow.close();
    }
  });
});
