import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { EntitlementClient, type EntitlementTarget } from '../../lib/admin/entitlement-client';
import { grantItem } from '../../lib/admin/entitlement-items';
import type { EmulatorStats } from '../../lib/dev/cloudfront-emulator';
import { DEV_ALLOW_TTL_SECONDS, startDevStack } from '../../lib/dev/dev-stack';
import { packageVideo } from '../../lib/media/package-video';
import { generateTestClip } from '../../lib/media/test-clip';
import { launchChromium } from '../harness/chromium';
import { openDemoPage, type DemoPlayer } from '../harness/demo-page';
import { deriveTitle, type DerivedTitle } from '../harness/derived-title';

export const REVOCATION_PLAYERS: DemoPlayer[] = ['hls.js', 'video.js', 'shaka'];
/** `player-default`: the kit with `keyWindowSeconds: 'off'` (the player's own buffering); `kit`: the kit's defaults. */
export const BUFFERING_MODES = ['player-default', 'kit'] as const;
export type BufferingMode = (typeof BUFFERING_MODES)[number];

/** The long title's shape: one small rendition (the fastest to fetch, where buffering ahead is worst). */
export interface RevocationTitleShape {
  titleSeconds: number;
  segmentSeconds: number;
  rotateEvery: number;
}

export interface RevocationSizes extends RevocationTitleShape {
  playbackRate: number;
  /** Media time at which the viewer's grant is revoked. */
  revokeAtSeconds: number;
  /** How long (wall clock) to watch after the revoke for playback to end or be refused. */
  watchSeconds: number;
}

/** What one playback showed after its viewer's grant was revoked. */
export interface RevocationRun {
  player: DemoPlayer;
  mode: BufferingMode;
  playbackRate: number;
  keyWindowSeconds: number;
  keyCount: number;
  /** Media time of the playhead when the revoke was written. */
  revokedAt: number;
  /** Key windows fetched (200) by then, and how many of those start after the playhead. */
  keysFetchedAtRevoke: number;
  keysAheadAtRevoke: number;
  /** The furthest media time played, and where the playhead was when the refusal came. */
  stoppedAt: number;
  refusedAt: number | null;
  /** Wall seconds from the revoke to the last frame, or null when it was still playing when the watch ended. */
  lastFrameAfterRevokeSeconds: number | null;
  /** The player was told of a refusal (the kit's onDenied). */
  refused: { status?: number; reason?: string | null } | null;
  reachedEnd: boolean;
  stillPlaying: boolean;
  /** Key requests at the server for this playback: answered 200, and refused. */
  keyRequests: { allowed: number; refused: number };
}

/** A running `keygate dev` (process or in-process) that a measurement plays against. */
export interface RevocationStack {
  browser: Browser;
  url: string;
  table: EntitlementTarget;
  stats: () => Promise<EmulatorStats>;
}

export interface RevocationPlan {
  player: DemoPlayer;
  mode: BufferingMode;
  /** A title of its own (deriveTitle with ownKeys), so the server's key requests tell the playbacks apart. */
  videoId: string;
  title: DerivedTitle;
  viewer: string;
}

/** The key windows of `videoId` the server answered, by status. */
function keyWindowsOf(stats: EmulatorStats, videoId: string, status: (s: number) => boolean): number[] {
  const path = new RegExp(`^/keys/${videoId}/(\\d+)\\.key$`);
  return stats.keyRequests.flatMap((r) => {
    const match = path.exec(r.uri);
    return match && status(r.status) ? [Number(match[1])] : [];
  });
}

async function withClient<T>(table: EntitlementTarget, use: (client: EntitlementClient) => Promise<T>): Promise<T> {
  const client = new EntitlementClient(table);
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

/**
 * One playback in a fresh browser context: the viewer (signed in with the cookie) plays its own copy
 * of the title; at `revokeAtSeconds` of media its grant is revoked with the CLI's admin code; then the
 * playhead is watched until playback ends, is refused, or the watch is over.
 */
export async function measureRevocation(stack: RevocationStack, plan: RevocationPlan, sizes: RevocationSizes): Promise<RevocationRun> {
  await withClient(stack.table, (client) => client.put(grantItem({ uid: plan.viewer, videoId: plan.videoId }, Date.now() / 1000)));
  const page = await openDemoPage(stack.browser, stack.url);
  try {
    await page.signIn(plan.viewer);
    await page.play(plan.videoId, {
      player: plan.player,
      auth: 'cookie',
      playbackRate: sizes.playbackRate,
      kit: plan.mode === 'kit' ? {} : { keyWindowSeconds: 'off' },
    });
    await page.waitForTime(sizes.revokeAtSeconds, 60_000 + (sizes.revokeAtSeconds / sizes.playbackRate) * 4000);
    await withClient(stack.table, (client) => client.revoke(plan.viewer, plan.videoId));
    const revokedAtMs = Date.now();
    // The server's count first, the playhead right after: a key fetched while the page was being read
    // (several pages at once can take a second on a busy machine) must not count as ahead of an older playhead.
    const statsAtRevoke = await stack.stats();
    const atRevoke = await page.state();
    const fetched = new Set(keyWindowsOf(statsAtRevoke, plan.videoId, (s) => s === 200));
    // The furthest the playhead has been: an element a player detached or reset reads currentTime 0,
    // which would count every key fetched as ahead.
    const playhead = Math.max(atRevoke.currentTime, atRevoke.furthest);
    const ahead = [...fetched].filter((window) => plan.title.windowStarts[window] > playhead);

    const settled = await page.waitForEndOrDenial(sizes.watchSeconds * 1000);
    const end = await page.state();
    const stats = await stack.stats();
    return {
      player: plan.player,
      mode: plan.mode,
      playbackRate: sizes.playbackRate,
      keyWindowSeconds: plan.title.keyWindowSeconds,
      keyCount: plan.title.keyCount,
      revokedAt: playhead,
      keysFetchedAtRevoke: fetched.size,
      keysAheadAtRevoke: ahead.length,
      stoppedAt: end.furthest,
      refusedAt: end.refusedAt,
      lastFrameAfterRevokeSeconds: settled && end.lastAdvanceAt !== null ? Math.max(0, end.lastAdvanceAt - revokedAtMs) / 1000 : null,
      refused: end.fatal === null ? null : { status: end.fatal.status, reason: end.fatal.reason },
      reachedEnd: end.ended,
      stillPlaying: !settled,
      keyRequests: {
        allowed: keyWindowsOf(stats, plan.videoId, (s) => s === 200).length,
        refused: keyWindowsOf(stats, plan.videoId, (s) => s === 401 || s === 403).length,
      },
    };
  } finally {
    await page.close();
  }
}

/**
 * The long title, packaged once into the origin folder with `keygate package`'s pipeline (real
 * ffmpeg, AES-128, a key every `rotateEvery` segments), and reused while it is there.
 */
export async function prepareRevocationTitle(originDir: string, workDir: string, shape: RevocationTitleShape): Promise<string> {
  const id = `revocation-${shape.titleSeconds}s-seg${shape.segmentSeconds}-rot${shape.rotateEvery}`;
  if (existsSync(join(originDir, 'videos', id, 'master.m3u8'))) return id;
  const clip = join(workDir, `${id}.mp4`);
  try {
    await generateTestClip(clip, { seconds: shape.titleSeconds, width: 256, height: 144 });
    await packageVideo({
      input: clip,
      videoId: id,
      outDir: originDir,
      ladder: ['144p'],
      segmentSeconds: shape.segmentSeconds,
      rotateEvery: shape.rotateEvery,
      force: true,
    });
  } finally {
    rmSync(clip, { force: true });
  }
  return id;
}

/** One plan per player and mode, each on a copy of the title with keys of its own, for viewers of their own. */
export function planRevocations(originDir: string, titleId: string, modes: readonly BufferingMode[], tag: string): RevocationPlan[] {
  return REVOCATION_PLAYERS.flatMap((player) =>
    modes.map((mode) => {
      const videoId = `${titleId}-${player.replace('.', '')}-${mode}-${tag}`;
      const title = deriveTitle({ originDir, from: titleId, to: videoId, ownKeys: true });
      // The demo's sign-in takes viewer names of at most 32 characters.
      return { player, mode, videoId, title, viewer: `rv-${player.replace('.', '')}-${mode === 'kit' ? 'k' : 'd'}-${tag}` };
    }),
  );
}

/** Removes a derived title and its keys from the origin folder. */
export function removeTitle(originDir: string, videoId: string): void {
  for (const dir of ['videos', 'keys']) rmSync(join(originDir, dir, videoId), { recursive: true, force: true });
}

/**
 * The revocation benchmark: `keygate dev` in process (the allow cache's TTL is DEV_ALLOW_TTL_SECONDS),
 * the long title, and each player with its own buffering and with the kit's, all at once in separate
 * browser contexts (each playback has its own title and viewer).
 */
export async function benchRevocation(workDir: string, sizes: RevocationSizes) {
  // The playbacks use the long title below, never the demo video: the 24 s demo packages in seconds
  // where the 2-minute one takes half a minute of the quick bench (npm test).
  const dev = await startDevStack({ port: 0, host: '127.0.0.1', dataDir: join(workDir, 'revocation-dev'), demo: 'short' });
  const browser = await launchChromium();
  try {
    const originDir = join(workDir, 'revocation-dev', 'origin');
    const titleId = await prepareRevocationTitle(originDir, workDir, sizes);
    const plans = planRevocations(originDir, titleId, BUFFERING_MODES, Date.now().toString(36));
    const stack: RevocationStack = {
      browser,
      url: dev.url,
      table: { table: dev.table, region: dev.region, endpoint: dev.dynamodbEndpoint },
      stats: async () => dev.stats(),
    };
    try {
      const runs = await Promise.all(plans.map((plan) => measureRevocation(stack, plan, sizes)));
      return { sizes, allowTtlSeconds: DEV_ALLOW_TTL_SECONDS, runs };
    } finally {
      for (const { videoId } of plans) removeTitle(originDir, videoId);
    }
  } finally {
    await browser.close();
    await dev.close();
  }
}

export type RevocationResults = Awaited<ReturnType<typeof benchRevocation>>;
