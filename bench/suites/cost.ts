import type { PlaybackDesign } from './playback';

/**
 * Public on-demand unit prices, us-east-1, in USD. This machine has no internet: they are the
 * prices as last published, with the date each took effect; check them before quoting the result.
 */
export const UNIT_PRICES = {
  asOf: '2026-11-24',
  lambdaEdgeRequestPerMillion: { usd: 0.6, since: 'Lambda@Edge launch (unchanged)', source: 'aws.amazon.com/cloudfront/pricing' },
  lambdaEdgeGbSecond: { usd: 0.00005001, since: '2021-04-01: billed per 1 ms', source: 'aws.amazon.com/cloudfront/pricing' },
  cloudFrontFunctionRequestPerMillion: {
    usd: 0.1,
    since: 'CloudFront Functions launch (unchanged)',
    source: 'aws.amazon.com/cloudfront/pricing',
  },
  dynamodbReadRequestUnitPerMillion: {
    usd: 0.125,
    since: '2024-11-01 on-demand price cut',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand',
  },
} as const;

const EDGE_MEMORY_GB = 128 / 1024;
/** An eventually consistent read of an item under 4 KB costs half a read request unit. */
const RRU_PER_ITEM = 0.5;
/** What one store read costs each design: Keygate reads (uid, video), (uid, *) and (uid, #revoked) in one BatchGetItem. */
export const ITEMS_PER_READ: Record<CostDesign, number> = { keygate: 3, 'keygate-native': 3, 'gate-everything': 3, seed: 1 };

/** The playback designs, and Keygate played by a native player with a path-token URL. */
export type CostDesign = PlaybackDesign | 'keygate-native';

export interface CostInput {
  design: CostDesign;
  /** Measured over one playback of `seconds` of video. */
  seconds: number;
  edgeInvocations: number;
  dynamodbRequests: number;
  /** CloudFront Function runs (the path-token strip, on every playlist and segment of a native viewer). */
  functionInvocations?: number;
}

export interface CostRow {
  design: CostDesign;
  edgeRequests: number;
  functionRequests: number;
  readUnitsWorstCase: number;
  readUnitsMeasured: number;
  usdWorstCase: number;
  usdMeasured: number;
}

/**
 * Measurement 7: Lambda@Edge requests and DynamoDB read units per 1,000 playback-hours, from the
 * counts one playback measured, scaled by its length. Worst case: no decision cache hit at all
 * (every invocation reads the table, as when each request lands on a cold container); measured:
 * the reads one warm container made. Each invocation is billed `billedMs` of 128 MB.
 */
export function costModel(measured: CostInput[], billedMs: number): CostRow[] {
  const hours = 1000;
  return measured.map((m) => {
    const scale = (hours * 3600) / m.seconds;
    const edgeRequests = m.edgeInvocations * scale;
    const functionRequests = (m.functionInvocations ?? 0) * scale;
    const readUnitsWorstCase = edgeRequests * ITEMS_PER_READ[m.design] * RRU_PER_ITEM;
    const readUnitsMeasured = m.dynamodbRequests * scale * ITEMS_PER_READ[m.design] * RRU_PER_ITEM;
    const edgeUsd =
      (edgeRequests / 1e6) * UNIT_PRICES.lambdaEdgeRequestPerMillion.usd +
      edgeRequests * (billedMs / 1000) * EDGE_MEMORY_GB * UNIT_PRICES.lambdaEdgeGbSecond.usd +
      (functionRequests / 1e6) * UNIT_PRICES.cloudFrontFunctionRequestPerMillion.usd;
    const readUsd = (units: number) => (units / 1e6) * UNIT_PRICES.dynamodbReadRequestUnitPerMillion.usd;
    return {
      design: m.design,
      edgeRequests,
      functionRequests,
      readUnitsWorstCase,
      readUnitsMeasured,
      usdWorstCase: edgeUsd + readUsd(readUnitsWorstCase),
      usdMeasured: edgeUsd + readUsd(readUnitsMeasured),
    };
  });
}

/** On-demand write request unit, us-east-1; a global table bills one replicated write unit per write in each other replica region. */
export const WRITE_UNIT_PRICE = {
  usdPerMillion: 0.625,
  since: '2024-11-01 on-demand price cut',
  source: 'aws.amazon.com/dynamodb/pricing/on-demand',
} as const;

export interface StreamLimitCostRow {
  limits: 'off' | 'on';
  /** Per 1,000 playback-hours, from playbacks of the measured length. */
  storeRequests: number;
  readUnits: number;
  /** In the region that served the viewer; `replicatedWriteUnits` adds every other replica's copy. */
  writeUnits: number;
  replicatedWriteUnits: number;
  usd: number;
}

/**
 * What each measured DynamoDB operation costs in request units, for items under 1 KB: BatchGetItem
 * reads 3 items eventually consistent (0.5 each); the lease Query is strongly consistent (1 unit per
 * 4 KB: a viewer's leases fit); every write is 1 unit, a failed conditional write included.
 */
const READ_UNITS: Record<string, number> = { BatchGetItem: 3 * RRU_PER_ITEM, Query: 1, GetItem: RRU_PER_ITEM };
const WRITE_UNITS: Record<string, number> = { PutItem: 1, UpdateItem: 1, DeleteItem: 1 };

/** Measurement 8: store requests and request units per 1,000 playback-hours with stream limits off and on. */
export function streamLimitCost(
  operationsPerPlayback: Record<'off' | 'on', Record<string, number>>,
  playbackSeconds: number,
  replicaRegions: number,
): StreamLimitCostRow[] {
  const scale = (1000 * 3600) / playbackSeconds;
  return (['off', 'on'] as const).map((limits) => {
    const ops = Object.entries(operationsPerPlayback[limits]);
    const storeRequests = ops.reduce((sum, [, n]) => sum + n, 0) * scale;
    const readUnits = ops.reduce((sum, [op, n]) => sum + n * (READ_UNITS[op] ?? 0), 0) * scale;
    const writeUnits = ops.reduce((sum, [op, n]) => sum + n * (WRITE_UNITS[op] ?? 0), 0) * scale;
    const replicatedWriteUnits = writeUnits * replicaRegions;
    const usd =
      (readUnits / 1e6) * UNIT_PRICES.dynamodbReadRequestUnitPerMillion.usd + (replicatedWriteUnits / 1e6) * WRITE_UNIT_PRICE.usdPerMillion;
    return { limits, storeRequests, readUnits, writeUnits, replicatedWriteUnits, usd };
  });
}
