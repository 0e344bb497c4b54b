import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EntitlementTarget } from '../admin/entitlement-client';
import { EntitlementClient } from '../admin/entitlement-client';
import { grantItem } from '../admin/entitlement-items';
import { packageVideo } from '../media/package-video';
import { generateTestClip } from '../media/test-clip';

export const DEMO_VIDEO = 'demo';
/** Who owns the demo video on a fresh data dir; bob is the viewer who owns nothing. */
const DEMO_OWNER = 'alice';

/**
 * The demo video's shape: 24 s in 2 s segments, a new key every 2 segments (6 rotation windows),
 * two renditions small enough for ffmpeg to package in seconds on 2 cores.
 */
export const DEMO_PACKAGING = { seconds: 24, width: 320, height: 180, ladder: ['180p', '144p'], segmentSeconds: 2, rotateEvery: 2 };

export const hasDemoVideo = (originDir: string) => existsSync(join(originDir, 'videos', DEMO_VIDEO));

export interface DemoVideoOptions {
  originDir: string;
  /** Where the clip is generated before packaging; removed afterwards. */
  workDir: string;
  table: EntitlementTarget;
  onProgress?: (done: number, total: number, label: string) => void;
  signal?: AbortSignal;
}

/**
 * Packages the demo video into the origin folder and grants it to alice, unless it is there
 * already: a second start reuses it, and a revocation made while trying the demo stays revoked.
 * The grant comes first and is idempotent, and packaging only publishes a complete video, so an
 * interrupted first start is simply redone by the next one.
 */
export async function ensureDemoVideo(options: DemoVideoOptions): Promise<boolean> {
  if (hasDemoVideo(options.originDir)) return false;
  const writer = new EntitlementClient(options.table);
  try {
    await writer.put(grantItem({ uid: DEMO_OWNER, videoId: DEMO_VIDEO }, Date.now() / 1000));
  } finally {
    writer.destroy();
  }
  const clip = join(options.workDir, 'demo-source.mp4');
  try {
    await generateTestClip(clip, { seconds: DEMO_PACKAGING.seconds, width: DEMO_PACKAGING.width, height: DEMO_PACKAGING.height });
    options.signal?.throwIfAborted();
    await packageVideo({
      input: clip,
      videoId: DEMO_VIDEO,
      outDir: options.originDir,
      ladder: DEMO_PACKAGING.ladder,
      segmentSeconds: DEMO_PACKAGING.segmentSeconds,
      rotateEvery: DEMO_PACKAGING.rotateEvery,
      onProgress: options.onProgress,
      signal: options.signal,
    });
  } finally {
    rmSync(clip, { force: true });
  }
  return true;
}
