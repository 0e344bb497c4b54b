import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIO_CODEC, VIDEO_CODEC, type Rendition } from './ladder';

/** Peak and average bits per second of a rendition, measured from its segments as HLS requires. */
function measureBandwidth(renditionDir: string): { peak: number; average: number } {
  const lines = readFileSync(join(renditionDir, 'index.m3u8'), 'utf8').split('\n');
  let peak = 0;
  let bits = 0;
  let seconds = 0;
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXTINF:')) return;
    const duration = parseFloat(line.slice(8));
    const size = statSync(join(renditionDir, lines[i + 1].trim())).size * 8;
    if (duration > 0) peak = Math.max(peak, size / duration);
    bits += size;
    seconds += duration;
  });
  return { peak: Math.ceil(peak), average: Math.ceil(seconds > 0 ? bits / seconds : 0) };
}

/** A master playlist listing each rendition with BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION, CODECS and FRAME-RATE. */
export function writeMasterPlaylist(clearDir: string, renditions: Rendition[], hasAudio: boolean, frameRate: number): string {
  const codecs = hasAudio ? `${VIDEO_CODEC},${AUDIO_CODEC}` : VIDEO_CODEC;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of renditions) {
    const { peak, average } = measureBandwidth(join(clearDir, r.name));
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${peak},AVERAGE-BANDWIDTH=${average},RESOLUTION=${r.width}x${r.height},CODECS="${codecs}",FRAME-RATE=${frameRate.toFixed(3)}`,
      `${r.name}/index.m3u8`,
    );
  }
  return `${lines.join('\n')}\n`;
}
