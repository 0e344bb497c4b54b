import { CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { randomUUID } from 'node:crypto';
import { KeygateError } from '../keygate-error';

/**
 * After a title is uploaded over an older packaging of it, CloudFront's edges still hold the old
 * keys (a day or more) and segments (a year). An invalidation of the title's two prefixes makes
 * every edge fetch them again; it takes minutes, and until it completes a viewer may get an old key
 * for a new segment. `keygate publish --invalidate` therefore waits for it and says so.
 */
export class InvalidationError extends KeygateError {}

/** The paths that drop every cached object of these titles, media and keys. */
export const invalidationPathsOf = (videoIds: string[]) => videoIds.flatMap((id) => [`/videos/${id}/*`, `/keys/${id}/*`]);

export interface InvalidationOptions {
  /** How long to wait for Status Completed before giving up (the invalidation itself goes on). */
  timeoutMs: number;
  /** The first wait between two GetInvalidation calls; it doubles up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Called after each poll with the status CloudFront reported and the time waited so far. */
  onProgress?: (status: string, waitedMs: number) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function cloudFrontClientFor(target: { profile?: string; endpoint?: string }): CloudFrontClient {
  // CloudFront is global; its API lives in us-east-1.
  return new CloudFrontClient({
    region: 'us-east-1',
    maxAttempts: 5,
    ...(target.profile ? { profile: target.profile } : {}),
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
  });
}

/** CloudFront's refusals, in words that say what to change. */
function describeFailure(error: unknown, distributionId: string): never {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NoSuchDistribution')
    throw new InvalidationError(
      `CloudFront has no distribution ${distributionId}; the upload is done but nothing was invalidated, so edges may serve old keys with new segments`,
      'distributionId',
    );
  if (name === 'AccessDenied' || name === 'AccessDeniedException')
    throw new InvalidationError(
      `CloudFront refused the invalidation of ${distributionId} (AccessDenied): the uploaded objects stay; use credentials allowed cloudfront:CreateInvalidation and cloudfront:GetInvalidation, then invalidate by hand`,
    );
  if (name === 'TooManyInvalidationsInProgress')
    throw new InvalidationError(
      `distribution ${distributionId} already has too many invalidations in progress: the uploaded objects stay; wait for them, then run keygate publish --invalidate again (it uploads nothing new)`,
    );
  throw error;
}

/**
 * Creates one invalidation of `paths` on the distribution and polls it, with backoff, until
 * CloudFront reports it Completed. Returns its id. A timeout leaves it running and says how to follow it.
 */
export async function invalidateAndWait(
  client: CloudFrontClient,
  distributionId: string,
  paths: string[],
  options: InvalidationOptions,
): Promise<string> {
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  let id: string;
  try {
    const created = await client.send(
      new CreateInvalidationCommand({
        DistributionId: distributionId,
        // Unique per call: CloudFront treats a repeated reference as the same request and creates nothing.
        InvalidationBatch: { CallerReference: `keygate-publish-${randomUUID()}`, Paths: { Quantity: paths.length, Items: paths } },
      }),
    );
    id = created.Invalidation?.Id as string;
    if (created.Invalidation?.Status === 'Completed') return id;
  } catch (error) {
    describeFailure(error, distributionId);
  }
  let delay = options.firstDelayMs ?? 1000;
  for (;;) {
    const waited = now() - started;
    if (waited >= options.timeoutMs)
      throw new InvalidationError(
        `invalidation ${id} of distribution ${distributionId} has not completed after ${Math.round(waited / 1000)} s: the upload is done and the invalidation goes on; ` +
          `viewers may get failures until it completes. Follow it with: aws cloudfront get-invalidation --distribution-id ${distributionId} --id ${id}`,
        'invalidateTimeout',
      );
    await sleep(Math.min(delay, options.timeoutMs - waited));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 20_000);
    let status: string;
    try {
      const got = await client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: id }));
      status = got.Invalidation?.Status ?? 'unknown';
    } catch (error) {
      describeFailure(error, distributionId);
    }
    options.onProgress?.(status, now() - started);
    if (status === 'Completed') return id;
  }
}
