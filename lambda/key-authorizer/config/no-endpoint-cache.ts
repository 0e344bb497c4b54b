/**
 * The edge bundle's stand-in for `@aws-sdk/endpoint-cache` (an esbuild alias in
 * lib/build/authorizer-bundle.ts). The DynamoDB client builds one at construction for endpoint
 * discovery, which none of the authorizer's commands uses; the real one brings an LRU library
 * (mnemonist, obliterator). This one holds nothing, so a discovered endpoint, were discovery ever
 * turned on, would be ignored and requests would keep going to the regional endpoint.
 */
export class EndpointCache {
  getEndpoint(_key: string): string | undefined {
    return undefined;
  }
  get(_key: string): undefined {
    return undefined;
  }
  set(_key: string, _endpoints: unknown[]): void {}
  delete(_key: string): void {}
  has(_key: string): boolean {
    return false;
  }
  clear(): void {}
}
