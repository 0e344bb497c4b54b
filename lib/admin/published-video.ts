import { KeygateError } from '../keygate-error';

/** How long `grant` waits for the distribution before it says it could not check. */
const CHECK_TIMEOUT_MS = 5000;

/**
 * Whether a video is published at a distribution (or `keygate dev`): its master playlist is
 * readable there without credentials, as every viewer's player reads it. Returns a warning to
 * print, or undefined when it is there. A grant is still written either way: a title may be
 * granted before it is published.
 */
export async function unpublishedWarning(mediaUrl: string, videoId: string): Promise<string | undefined> {
  let base: URL;
  try {
    base = new URL(mediaUrl.endsWith('/') ? mediaUrl : `${mediaUrl}/`);
  } catch {
    base = new URL('invalid:');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new KeygateError(`${JSON.stringify(mediaUrl)} is not an http(s) URL`, 'mediaUrl');
  const master = new URL(`videos/${encodeURIComponent(videoId)}/master.m3u8`, base);
  let status: number;
  try {
    const response = await fetch(master, { method: 'HEAD', signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    status = response.status;
  } catch (error) {
    return `could not check that ${videoId} is published (${master.href}: ${error instanceof Error ? error.message : String(error)})`;
  }
  if (status === 200) return undefined;
  if (status === 403 || status === 404)
    return `${videoId} is not published at ${base.href} (${master.pathname}: ${status}); check the video id`;
  return `could not check that ${videoId} is published (${master.href}: HTTP ${status})`;
}
