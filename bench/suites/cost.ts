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
