import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EntitlementClient, type EntitlementTarget } from '../admin/entitlement-client';
import { grantItem } from '../admin/entitlement-items';
import { FolderLiveOrigin } from '../live/folder-live-origin';
import { LiveChannel } from '../live/live-channel';
import { liveStateKey } from '../live/live-origin';
import { LocalLiveKeySource } from '../live/local-live-key-source';
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
  /** What the packager did so far (the bench counts key-provider calls from it). */
  keysCreated(): number;
  stop(): Promise<void>;
}

/**
 * `keygate dev --live`: the live test channel beside the demo video, packaged into the same origin
 * folder by the same packager as `keygate live`, with keys from a local key source. Granted to alice
 * the first time only (a revocation made while trying it stays). Resolves once the first segment is
 * published, so the channel is playable when the dev server says it is ready.
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
  const keys = new LocalLiveKeySource(origin);
  const live = await LiveChannel.start({
    channel: DEV_LIVE_CHANNEL,
    input: { kind: 'test', width: DEV_LIVE_PACKAGING.width, height: DEV_LIVE_PACKAGING.height },
    ...DEV_LIVE_PACKAGING,
    origin,
    keys,
    log: options.log,
  });
  const deadline = Date.now() + FIRST_SEGMENT_TIMEOUT_MS;
  while (live.status().segments === 0) {
    if (Date.now() > deadline) {
      await live.stop().catch(() => {});
      throw new KeygateError(`the live test channel published nothing within ${FIRST_SEGMENT_TIMEOUT_MS / 1000} s: is ffmpeg working?`);
    }
    await delay(200);
  }
  return { channel: DEV_LIVE_CHANNEL, keysCreated: () => keys.created, stop: () => live.stop() };
}
