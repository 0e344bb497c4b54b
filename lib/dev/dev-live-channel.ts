import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EntitlementClient, type EntitlementTarget } from '../admin/entitlement-client';
import { grantItem } from '../admin/entitlement-items';
import { FolderLiveOrigin } from '../live/folder-live-origin';
import { LiveChannel } from '../live/live-channel';
import { liveStateKey } from '../live/live-origin';
import { FolderLiveKeyStore } from '../live/folder-live-key-store';
import { startLocalKeyProvider } from '../live/local-key-provider';
import { KeygateError } from '../keygate-error';

/** The live test channel's id: a video id like any title's. */
export const DEV_LIVE_CHANNEL = 'live';
/** Who owns the live channel on a fresh data dir, like the demo video. */
const LIVE_OWNER = 'alice';
/**
 * ffmpeg's test pattern with the wall clock, 2 renditions, 2 s segments and a key every 2 segments:
 * the dev config's key window (4 s), so stream leases and revocations behave as for the demo video.
 */
export const DEV_LIVE_PACKAGING = {
  width: 320,
  height: 180,
  ladder: ['180p', '144p'],
  segmentSeconds: 2,
  rotateEvery: 2,
  windowSegments: 6,
};
/** How long the first segment may take (ffmpeg's start on a busy machine). */
const FIRST_SEGMENT_TIMEOUT_MS = 60_000;

export interface DevLiveChannel {
  channel: string;
  /** The key provider's SPEKE endpoint on loopback. */
  keyProviderUrl: string;
  /** What the key provider did so far (the bench counts its calls). */
  keyProviderCounts(): { requests: number; keysCreated: number };
  stop(): Promise<void>;
}

/**
 * `keygate dev --live`: the live test channel beside the demo video, packaged into the same origin
 * folder by the same packager as `keygate live`, with keys from the key provider over SPEKE on
 * loopback, as deployed. Granted to alice the first time only (a revocation made while trying it
 * stays). Resolves once the first segment is published, so the channel is playable when the dev
 * server says it is ready.
 */
export async function startDevLiveChannel(options: {
  originDir: string;
  table: EntitlementTarget;
  log?: (line: string) => void;
}): Promise<DevLiveChannel> {
  const origin = new FolderLiveOrigin(options.originDir);
  if (!existsSync(join(options.originDir, liveStateKey(DEV_LIVE_CHANNEL)))) {
    const writer = new EntitlementClient(options.table);
    try {
      await writer.put(grantItem({ uid: LIVE_OWNER, videoId: DEV_LIVE_CHANNEL }, Date.now() / 1000));
    } finally {
      writer.destroy();
    }
  }
  const provider = await startLocalKeyProvider({ store: new FolderLiveKeyStore(options.originDir), channels: [DEV_LIVE_CHANNEL] });
  const live = await LiveChannel.start({
    channel: DEV_LIVE_CHANNEL,
    input: { kind: 'test', width: DEV_LIVE_PACKAGING.width, height: DEV_LIVE_PACKAGING.height },
    ...DEV_LIVE_PACKAGING,
    origin,
    keys: provider.keys,
    log: options.log,
  }).catch(async (error: unknown) => {
    await provider.close();
    throw error;
  });
  const stop = async () => {
    try {
      await live.stop();
    } finally {
      await provider.close();
    }
  };
  const deadline = Date.now() + FIRST_SEGMENT_TIMEOUT_MS;
  while (live.status().segments === 0) {
    if (Date.now() > deadline) {
      await stop().catch(() => {});
      throw new KeygateError(`the live test channel published nothing within ${FIRST_SEGMENT_TIMEOUT_MS / 1000} s: is ffmpeg working?`);
    }
    await delay(200);
  }
  return { channel: DEV_LIVE_CHANNEL, keyProviderUrl: provider.url, keyProviderCounts: provider.counts, stop };
}
