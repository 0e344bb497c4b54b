import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_ACCESS_SK } from '../../lambda/key-authorizer/contract';
import type { EntitlementTarget } from '../admin/entitlement-client';
import { EntitlementClient } from '../admin/entitlement-client';
import { grantItem } from '../admin/entitlement-items';
import type { EncodePreset } from '../media/ffmpeg';
import { packageVideo } from '../media/package-video';
import { generateTestClip } from '../media/test-clip';

export const DEMO_VIDEO = 'demo';
/** Who owns the demo video on a fresh data dir; bob is the viewer who owns nothing. */
export const DEMO_OWNER = 'alice';
/** A viewer with every video on a one-screen plan (stream limits): a second playback is refused, end-session bites. */
export const DEMO_LIMITED_VIEWER = 'casey';

export interface DemoShape {
  seconds: number;
  width: number;
  height: number;
  ladder: string[];
  segmentSeconds: number;
  rotateEvery: number;
  encodePreset: EncodePreset;
}

/**
 * The demo videos `keygate dev` can package. `feature` (the default) is long enough for a revoke,
 * a rental's end, end-session or a stream limit to stop playback visibly: 2 minutes, a key every
 * 8 s (15 windows), a 720p top rung; ultrafast x264 keeps its packaging around half a minute on
 * 2 cores. `short` (`--short-demo`) is 24 s at 180p, 6 windows of 4 s, packaged in seconds: for tests.
 */
export const DEMO_SHAPES = {
  feature: {
    seconds: 120,
    width: 1280,
    height: 720,
    ladder: ['720p', '360p'],
    segmentSeconds: 4,
    rotateEvery: 2,
    encodePreset: 'ultrafast',
  },
  short: { seconds: 24, width: 320, height: 180, ladder: ['180p', '144p'], segmentSeconds: 2, rotateEvery: 2, encodePreset: 'veryfast' },
} as const satisfies Record<string, DemoShape>;
export type DemoShapeName = keyof typeof DEMO_SHAPES;

/** Which shape the data dir's demo was packaged in, beside the origin folder (not served). */
const SHAPE_FILE = 'demo-video.json';

export const hasDemoVideo = (originDir: string) => existsSync(join(originDir, 'videos', DEMO_VIDEO));

/** The shape of the demo packaged in this data dir; a demo packaged before shapes existed is the short one. */
function packagedShape(originDir: string, workDir: string): DemoShapeName | undefined {
  if (!hasDemoVideo(originDir)) return undefined;
  try {
    const { shape } = JSON.parse(readFileSync(join(workDir, SHAPE_FILE), 'utf8')) as { shape?: unknown };
    return typeof shape === 'string' && shape in DEMO_SHAPES ? (shape as DemoShapeName) : 'short';
  } catch {
    return 'short';
  }
}

/** What the first start must do: nothing, package the demo, or repackage it in another shape. */
export function demoVideoWork(originDir: string, workDir: string, shape: DemoShapeName): 'ready' | 'package' | 'repackage' {
  const packaged = packagedShape(originDir, workDir);
  return packaged === undefined ? 'package' : packaged === shape ? 'ready' : 'repackage';
}

export interface DemoVideoOptions {
  originDir: string;
  /** Where the clip is generated before packaging (removed afterwards), and the shape is recorded. */
  workDir: string;
  shape: DemoShapeName;
  table: EntitlementTarget;
  onProgress?: (done: number, total: number, label: string) => void;
  signal?: AbortSignal;
}

/**
 * Packages the demo video into the origin folder and grants it to alice, unless it is there
 * already in the asked shape: a second start reuses it, and a revocation made while trying the demo
 * stays revoked (a repackaging in another shape grants nothing). The grant comes first and is
 * idempotent, and packaging only publishes a complete video, so an interrupted first start is
 * simply redone by the next one.
 */
export async function ensureDemoVideo(options: DemoVideoOptions): Promise<boolean> {
  const work = demoVideoWork(options.originDir, options.workDir, options.shape);
  if (work === 'ready') return false;
  if (work === 'package') {
    const writer = new EntitlementClient(options.table);
    try {
      const now = Date.now() / 1000;
      await writer.put(grantItem({ uid: DEMO_OWNER, videoId: DEMO_VIDEO }, now));
      await writer.put(grantItem({ uid: DEMO_LIMITED_VIEWER, videoId: ALL_ACCESS_SK, maxStreams: 1 }, now));
    } finally {
      writer.destroy();
    }
  }
  const shape: DemoShape = DEMO_SHAPES[options.shape];
  const clip = join(options.workDir, 'demo-source.mp4');
  try {
    await generateTestClip(clip, { seconds: shape.seconds, width: shape.width, height: shape.height, encodePreset: shape.encodePreset });
    options.signal?.throwIfAborted();
    await packageVideo({
      input: clip,
      videoId: DEMO_VIDEO,
      outDir: options.originDir,
      ladder: shape.ladder,
      segmentSeconds: shape.segmentSeconds,
      rotateEvery: shape.rotateEvery,
      encodePreset: shape.encodePreset,
      force: work === 'repackage',
      onProgress: options.onProgress,
      signal: options.signal,
    });
  } finally {
    rmSync(clip, { force: true });
  }
  writeFileSync(join(options.workDir, SHAPE_FILE), `${JSON.stringify({ shape: options.shape })}\n`);
  return true;
}
