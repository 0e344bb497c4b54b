import type { LiveChannelStatus } from './live-channel';

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** The live status line: uptime, segments published, the current key, upload lag, restarts and store retries. */
export function formatLiveStatus(status: LiveChannelStatus, now: number): string {
  const parts = [
    `● ${status.channel}`,
    `up ${clock(now - status.startedAt)}`,
    `${status.segments} segments × ${status.renditions.length} renditions`,
    `key ${status.keyName ?? '–'}`,
    `upload lag ${status.uploadLagMs === undefined ? '–' : `${(status.uploadLagMs / 1000).toFixed(1)} s`}`,
  ];
  if (status.queued > 1) parts.push(`${status.queued} queued`);
  if (status.encoderRestarts > 0) parts.push(`input restarts ${status.encoderRestarts}`);
  if (status.storeRetries > 0) parts.push(`store retries ${status.storeRetries}`);
  if (status.ended) parts.push('ended');
  return parts.join('  ');
}
