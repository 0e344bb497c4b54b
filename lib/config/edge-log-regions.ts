import { EDGE_EXECUTION_REGIONS } from './region-locations';

/**
 * Edge execution regions an AWS account must opt in to. Setting a log group's retention there fails
 * the deploy for an account that has not, so they get one only when a table region proves the opt-in.
 */
const OPT_IN_EDGE_REGIONS = new Set(['af-south-1', 'me-central-1']);

/** The regions whose edge-function log groups the deployment creates and gives a retention. */
export const edgeLogRegionsFor = (tableRegions: string[]): string[] =>
  EDGE_EXECUTION_REGIONS.filter((region) => !OPT_IN_EDGE_REGIONS.has(region) || tableRegions.includes(region));
