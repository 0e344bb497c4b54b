import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  RequestDeadlineError,
  StoreUnavailableError,
  inNearestReplica,
  type Replicas,
} from '../../../lambda/key-authorizer/entitlements/entitlement-store';
import { deadlineProblem, REQUEST_DEADLINE_MAX_MS } from '../../../lambda/key-authorizer/config/request-deadline';

const DEFAULTS = { requestDeadlineMs: 3500, storeDeadlineMs: 1500, attemptTimeoutMs: 800, jwksFetchTimeoutMs: 1000 };

/** Two replicas whose clients are never used: the operation under test decides what each attempt does. */
const replicas: Replicas = { order: ['us-east-1', 'eu-west-1'], client: () => ({}) as DynamoDBClient };
const STORE = { deadlineMs: 1500, attemptTimeoutMs: 800 };

describe('deadlineProblem', () => {
  it('accepts the defaults: a JWKS fetch (1 s) and a store call (1.5 s) fit in the 3.5 s budget', () => {
    expect(deadlineProblem(DEFAULTS)).toBeUndefined();
  });

  it('keeps the request deadline a second below Lambda@Edge’s 5 s', () => {
    expect(REQUEST_DEADLINE_MAX_MS).toBe(4000);
    expect(deadlineProblem({ ...DEFAULTS, requestDeadlineMs: 4001 })?.setting).toBe('requestDeadlineMs');
  });

  it.each([
    ['a JWKS fetch of 2 s and a store deadline of 4 s', { jwksFetchTimeoutMs: 2000, storeDeadlineMs: 4000 }, 'storeDeadlineMs'],
    ['a store deadline of the whole budget', { storeDeadlineMs: 3500 }, 'storeDeadlineMs'],
    ['an attempt longer than its store call', { attemptTimeoutMs: 1600 }, 'attemptTimeoutMs'],
    ['a request deadline of 100 ms', { requestDeadlineMs: 100 }, 'requestDeadlineMs'],
  ])('refuses %s', (_name, override, setting) => {
    expect(deadlineProblem({ ...DEFAULTS, ...override })?.setting).toBe(setting);
  });
});

describe('inNearestReplica under a request deadline', () => {
  it('starts no attempt once the request’s budget is spent, and says so', async () => {
    const operation = jest.fn(async () => 'answer');
    const call = inNearestReplica(replicas, STORE, operation, { budget: AbortSignal.abort() });
    await expect(call).rejects.toThrow(RequestDeadlineError);
    await expect(call).rejects.toMatchObject({ attempts: [] });
    expect(operation).not.toHaveBeenCalled();
  });

  it('ends an attempt under way when the budget runs out, without failing over to the next replica', async () => {
    const budget = new AbortController();
    const regions: string[] = [];
    const call = inNearestReplica(
      replicas,
      STORE,
      (_client, region, signal) =>
        new Promise((_resolve, reject) => {
          regions.push(region);
          signal.addEventListener('abort', () => reject(signal.reason as Error));
          budget.abort();
        }),
      { budget: budget.signal },
    );
    await expect(call).rejects.toThrow(RequestDeadlineError);
    expect(regions).toEqual(['us-east-1']);
  });

  it('is a store outage to its callers (a RequestDeadlineError is a StoreUnavailableError)', () => {
    expect(new RequestDeadlineError([])).toBeInstanceOf(StoreUnavailableError);
  });

  it('fails over as before when the budget is not spent', async () => {
    const regions: string[] = [];
    const answer = await inNearestReplica(
      replicas,
      STORE,
      async (_client, region) => {
        regions.push(region);
        if (region === 'us-east-1') throw new Error('reset');
        return region;
      },
      { budget: new AbortController().signal },
    );
    expect([answer, regions]).toEqual(['eu-west-1', ['us-east-1', 'eu-west-1']]);
  });
});
