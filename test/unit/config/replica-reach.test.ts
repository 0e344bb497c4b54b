import { edgeLogRegionsFor } from '../../../lib/config/edge-log-regions';
import { EDGE_EXECUTION_REGIONS, replicaPreferenceFor } from '../../../lib/config/region-locations';
import { edgeRegionsServing, tableRegionReach, unreachableTableRegions } from '../../../lib/config/replica-reach';
import { EXAMPLE_CONTEXT } from '../../fixtures/example-context';

const DEFAULT_TABLE_REGIONS = ['eu-west-1', 'us-east-1', 'ap-northeast-1'];

describe('unreachableTableRegions', () => {
  it('finds that PriceClass_100 with a 2-deep failover never reads a Tokyo replica', () => {
    expect(unreachableTableRegions(DEFAULT_TABLE_REGIONS, 'PriceClass_100')).toEqual(['ap-northeast-1']);
  });

  it('reads every region of the documented example with its price class', () => {
    const tableRegions = [EXAMPLE_CONTEXT.region as string, ...(EXAMPLE_CONTEXT.replicaRegions as string[])];
    expect(unreachableTableRegions(tableRegions, EXAMPLE_CONTEXT.priceClass as 'PriceClass_200')).toEqual([]);
  });

  it('reads Tokyo from the Asian edge regions once PriceClass_200 serves them', () => {
    const tokyo = tableRegionReach(DEFAULT_TABLE_REGIONS, 'PriceClass_200').find((r) => r.region === 'ap-northeast-1');
    expect(tokyo?.readBy).toEqual(expect.arrayContaining(['ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1']));
  });

  it('reaches a third replica with a deeper failover, which the authorizer does not do', () => {
    expect(unreachableTableRegions(DEFAULT_TABLE_REGIONS, 'PriceClass_100', 3)).toEqual([]);
  });

  it('never reads São Paulo behind two European regions when PriceClass_100 serves no South American viewer', () => {
    expect(unreachableTableRegions(['eu-west-2', 'eu-west-1', 'sa-east-1'], 'PriceClass_100')).toEqual(['sa-east-1']);
    expect(unreachableTableRegions(['eu-west-2', 'eu-west-1', 'sa-east-1'], 'PriceClass_All')).toEqual([]);
  });
});

describe('edgeRegionsServing', () => {
  it('grows with the price class and always stays within the regions where Lambda@Edge runs', () => {
    const [p100, p200, all] = (['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const).map((p) => edgeRegionsServing(p));
    expect(p200).toEqual(expect.arrayContaining([...p100]));
    expect(all).toEqual(expect.arrayContaining([...p200]));
    expect([...all].sort()).toEqual([...EDGE_EXECUTION_REGIONS].sort());
  });
});

describe('replicaPreferenceFor', () => {
  it('has a precomputed replica order for every region where Lambda@Edge may run', () => {
    const preference = replicaPreferenceFor(DEFAULT_TABLE_REGIONS);
    expect(Object.keys(preference).sort()).toEqual([...EDGE_EXECUTION_REGIONS].sort());
    for (const order of Object.values(preference)) expect([...order].sort()).toEqual([...DEFAULT_TABLE_REGIONS].sort());
  });
});

describe('edgeLogRegionsFor', () => {
  it('leaves out the opt-in edge regions an account may not have enabled', () => {
    const regions = edgeLogRegionsFor(DEFAULT_TABLE_REGIONS);
    expect(regions).not.toContain('af-south-1');
    expect(regions).not.toContain('me-central-1');
    expect(regions).toHaveLength(EDGE_EXECUTION_REGIONS.length - 2);
  });

  it('includes an opt-in edge region that holds a table replica, which proves the opt-in', () => {
    expect(edgeLogRegionsFor(['eu-west-1', 'me-central-1'])).toContain('me-central-1');
  });
});
