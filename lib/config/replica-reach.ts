import { REPLICAS_TRIED_PER_REQUEST } from '../../lambda/key-authorizer/contract';
import type { KeygateConfig } from './keygate-config';
import { EDGE_EXECUTION_REGIONS, nearestFirst } from './region-locations';

export type PriceClass = KeygateConfig['priceClass'];

// The authorizer's own failover depth, so a warning can never disagree with what runs at the edge.
export { REPLICAS_TRIED_PER_REQUEST } from '../../lambda/key-authorizer/contract';

/**
 * The edge execution regions each price class can use. CloudFront publishes which countries a price
 * class serves, not which regional edge cache each edge location uses, so this goes by continent:
 * PriceClass_100 is North America, Europe and Israel; 200 adds Asia, the Middle East and Africa;
 * All adds South America and Oceania. An approximation for warnings, never for access control.
 */
const NORTH_AMERICA_AND_EUROPE = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
];
const ASIA_MIDDLE_EAST_AND_AFRICA = [
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'me-central-1',
  'af-south-1',
];
const EDGE_REGIONS_BY_PRICE_CLASS: Record<PriceClass, readonly string[]> = {
  PriceClass_100: NORTH_AMERICA_AND_EUROPE,
  PriceClass_200: [...NORTH_AMERICA_AND_EUROPE, ...ASIA_MIDDLE_EAST_AND_AFRICA],
  PriceClass_All: EDGE_EXECUTION_REGIONS,
};

/** The edge regions where the authorizer runs for viewers under a price class. */
export const edgeRegionsServing = (priceClass: PriceClass): readonly string[] => EDGE_REGIONS_BY_PRICE_CLASS[priceClass];

/** Where one table region is read from: the edge regions that try it first or second. */
export interface TableRegionReach {
  region: string;
  readBy: string[];
}

/**
 * For each table region, the edge regions (of this price class) whose first `depth` choices
 * include it. A region read by none costs money and never serves a viewer.
 */
export function tableRegionReach(tableRegions: string[], priceClass: PriceClass, depth = REPLICAS_TRIED_PER_REQUEST): TableRegionReach[] {
  const tried = edgeRegionsServing(priceClass).map((edge) => ({ edge, first: nearestFirst(edge, tableRegions).slice(0, depth) }));
  return tableRegions.map((region) => ({ region, readBy: tried.filter((t) => t.first.includes(region)).map((t) => t.edge) }));
}

/** Table regions no key request can ever read with this price class and failover depth. */
export const unreachableTableRegions = (tableRegions: string[], priceClass: PriceClass, depth = REPLICAS_TRIED_PER_REQUEST): string[] =>
  tableRegionReach(tableRegions, priceClass, depth)
    .filter((reach) => reach.readBy.length === 0)
    .map((reach) => reach.region);
