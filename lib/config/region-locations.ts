/**
 * Approximate coordinates of AWS regions, for ordering replicas by distance at synth time.
 * Great-circle distance is a good enough proxy for latency between regions on AWS's backbone.
 */
const REGION_LOCATIONS: Record<string, [latitude: number, longitude: number]> = {
  'us-east-1': [38.9, -77.4],
  'us-east-2': [40.0, -83.0],
  'us-west-1': [37.4, -121.9],
  'us-west-2': [45.8, -119.7],
  'ca-central-1': [45.5, -73.6],
  'ca-west-1': [51.0, -114.1],
  'mx-central-1': [20.6, -100.4],
  'sa-east-1': [-23.5, -46.6],
  'eu-west-1': [53.3, -6.3],
  'eu-west-2': [51.5, -0.1],
  'eu-west-3': [48.9, 2.4],
  'eu-central-1': [50.1, 8.7],
  'eu-central-2': [47.4, 8.5],
  'eu-north-1': [59.3, 18.1],
  'eu-south-1': [45.5, 9.2],
  'eu-south-2': [41.6, -0.9],
  'me-south-1': [26.1, 50.6],
  'me-central-1': [24.5, 54.4],
  'il-central-1': [32.1, 34.8],
  'af-south-1': [-33.9, 18.4],
  'ap-south-1': [19.1, 72.9],
  'ap-south-2': [17.4, 78.5],
  'ap-east-1': [22.3, 114.2],
  'ap-east-2': [25.0, 121.5],
  'ap-northeast-1': [35.7, 139.7],
  'ap-northeast-2': [37.6, 127.0],
  'ap-northeast-3': [34.7, 135.5],
  'ap-southeast-1': [1.3, 103.8],
  'ap-southeast-2': [-33.9, 151.2],
  'ap-southeast-3': [-6.2, 106.8],
  'ap-southeast-4': [-37.8, 145.0],
  'ap-southeast-5': [3.1, 101.7],
  'ap-southeast-6': [-36.8, 174.8],
  'ap-southeast-7': [13.7, 100.5],
};

/** Whether Keygate knows where a region is, and so can rank it by distance. */
export const isKnownRegion = (region: string): boolean => Object.hasOwn(REGION_LOCATIONS, region);

/** The regions where Lambda@Edge runs viewer functions: CloudFront's regional edge caches. */
export const EDGE_EXECUTION_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'me-central-1',
  'af-south-1',
];

function distanceKm([lat1, lon1]: [number, number], [lat2, lon2]: [number, number]): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 12_742 * Math.asin(Math.sqrt(a));
}

/**
 * The table's regions ordered nearest first from `from`; ties keep the configured order. A region
 * of unknown location ranks last (config validation refuses one; this is the safe default).
 */
export function nearestFirst(from: string, tableRegions: string[]): string[] {
  const origin = REGION_LOCATIONS[from];
  if (!origin) return [...tableRegions];
  return tableRegions
    .map((region, index) => {
      const location = REGION_LOCATIONS[region];
      return { region, index, km: location ? distanceKm(origin, location) : Number.POSITIVE_INFINITY };
    })
    .sort((a, b) => a.km - b.km || a.index - b.index)
    .map((r) => r.region);
}

/** For every edge execution region, the replica regions nearest first: baked into the authorizer. */
export function replicaPreferenceFor(tableRegions: string[]): Record<string, string[]> {
  return Object.fromEntries(EDGE_EXECUTION_REGIONS.map((edge) => [edge, nearestFirst(edge, tableRegions)]));
}
