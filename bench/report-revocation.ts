import { round } from './harness/stats';
import type { BenchResults } from './run-bench';
import type { RevocationRun } from './suites/revocation';

const MODE_LABELS: Record<RevocationRun['mode'], string> = {
  'player-default': "the player's own buffering (`keyWindowSeconds: 'off'`)",
  kit: "the kit's default (buffer capped at the key window)",
};

/** How a playback ended after the revoke, in words. */
export function revocationOutcome(run: RevocationRun): string {
  if (run.refused)
    return `refused (${run.refused.status} ${run.refused.reason ?? ''}), ${round(run.lastFrameAfterRevokeSeconds ?? 0)} s after the revoke`;
  if (run.reachedEnd) return `played to the end, ${round(run.lastFrameAfterRevokeSeconds ?? 0)} s after the revoke`;
  return run.stillPlaying ? 'still playing when the watch ended' : 'stopped without a refusal';
}

/** Section 1d: when playback stops after a revoke, each player with its own buffering and with the kit's cap. */
export function revocationSection({ revocation: r }: BenchResults): string[] {
  const { sizes } = r;
  const windowSeconds = sizes.segmentSeconds * sizes.rotateEvery;
  const rows = [...r.runs]
    .sort((a, b) => a.player.localeCompare(b.player) || a.mode.localeCompare(b.mode))
    .map((run) =>
      [
        run.player,
        MODE_LABELS[run.mode],
        `${run.keysFetchedAtRevoke} of ${run.keyCount}`,
        run.keysAheadAtRevoke,
        round(run.stoppedAt - run.revokedAt),
        revocationOutcome(run),
      ].join(' | '),
    );
  return [
    '### 1d. Revocation: when playback stops',
    '',
    `A ${sizes.titleSeconds} s title in ${sizes.segmentSeconds} s segments with a key every ${windowSeconds} s, one 144p rendition (the fastest to fetch, ` +
      `where buffering ahead is worst), played at ${sizes.playbackRate}× through \`keygate dev\` (allow-cache TTL ${r.allowTtlSeconds} s) with the cookie; ` +
      `the viewer's grant is revoked (the CLI's admin code) at ${sizes.revokeAtSeconds} s of media, and the playhead watched for ${sizes.watchSeconds} s. ` +
      'Every playback at once, each in its own browser context, on its own copy of the title; keys counted at the server.',
    '',
    '| player | buffering | keys fetched at the revoke | of them ahead of the playhead | media played after the revoke (s) | how it ended |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    '',
  ];
}
