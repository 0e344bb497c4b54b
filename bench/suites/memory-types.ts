export interface MemoryInput {
  workDir: string;
  endpoint: string;
  signingKeyPem: string;
  /** Any of the world's distributions: the DynamoDB counter is read there. */
  worldUrl: string;
  decisions: number;
  cacheMaxEntries?: number;
}

export interface MemoryResult {
  decisions: number;
  rssBeforeLoadMb: number;
  rssAfterLoadMb: number;
  samples: { decisions: number; rssMb: number; heapUsedMb: number }[];
  rssAfterGcMb: number;
  heapUsedAfterGcMb: number;
  /** Store reads for the most recent viewer again: 0 while the cache holds it. */
  lastViewerStoreReads: number;
  /** Store reads for the very first viewer again: 1 once the size bound has evicted it. */
  firstViewerStoreReads: number;
}
