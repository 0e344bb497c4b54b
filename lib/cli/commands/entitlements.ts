import type { Command } from 'commander';
import { ALL_ACCESS_SK, MAX_STREAMS_LIMIT, type GrantItem } from '../../../lambda/key-authorizer/contract';
import { EntitlementClient } from '../../admin/entitlement-client';
import { grantItem, revocationItem } from '../../admin/entitlement-items';
import { checkGrantReplacement } from '../../admin/grant-replacement';
import { unpublishedWarning } from '../../admin/published-video';
import { rentalEnd } from '../../admin/rental-end';
import { tableTarget, withTableOptions, type TableOptions } from '../table-options';
import { wholeNumberOption } from '../option-parsers';
import { printResult, withJsonOption, type JsonOption } from '../output';
import { formatTable } from '../text-table';

const nowSeconds = () => Date.now() / 1000;

async function withClient<T>(options: TableOptions, action: (client: EntitlementClient) => Promise<T>): Promise<T> {
  const client = new EntitlementClient(tableTarget(options));
  try {
    return await action(client);
  } finally {
    client.destroy();
  }
}

interface GrantOptions {
  until?: string;
  for?: string;
  orderId?: string;
  maxStreams?: number;
  force?: boolean;
  mediaUrl?: string;
}

const iso = (seconds: unknown) => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : '');

/** keygate grant | revoke | revoke-sessions | list: the entitlement items the key authorizer checks. */
export function register(program: Command): void {
  withTableOptions(
    withJsonOption(program.command('grant <uid> <videoId>'))
      .description('grant a purchase, a rental (--until/--for) or, with videoId *, an all-access subscription')
      .option('--until <time>', 'rental end, an ISO time such as 2026-12-31T23:59:59Z')
      .option('--for <duration>', 'rental length with its unit: 30m, 48h, 7d')
      .option('--order-id <id>', 'your order reference, kept on the item')
      .addOption(
        wholeNumberOption('--max-streams <n>', 'how many playbacks may run at once under this grant (stream limits)', {
          min: 0,
          max: MAX_STREAMS_LIMIT,
        }),
      )
      .option('--force', 'let a rental replace a purchase of the same video (the viewer loses it when the rental ends)')
      .option(
        '--media-url <url>',
        'your distribution (or keygate dev) URL: warn when the video is not published there (default: $KEYGATE_MEDIA_URL)',
      ),
  ).action(async (uid: string, videoId: string, options: TableOptions & GrantOptions & JsonOption) => {
    await withClient(options, async (client) => {
      const now = nowSeconds();
      const { maxStreams } = options;
      const item = grantItem({ uid, videoId, expiresAt: rentalEnd(options, now), orderId: options.orderId, maxStreams }, now);
      checkGrantReplacement(await client.list(uid), item, options.force === true);
      const mediaUrl = options.mediaUrl ?? process.env.KEYGATE_MEDIA_URL;
      const unpublished = mediaUrl && videoId !== ALL_ACCESS_SK ? await unpublishedWarning(mediaUrl, videoId) : undefined;
      await client.put(item);
      const what = videoId === ALL_ACCESS_SK ? 'every video' : videoId;
      const until = item.expiresAt ? ` until ${iso(item.expiresAt)}` : '';
      const streams = item.maxStreams === undefined ? '' : `, ${item.maxStreams} stream${item.maxStreams === 1 ? '' : 's'} at once`;
      printResult(options, { granted: item }, `granted ${uid} ${what}${until}${streams}`);
      if (unpublished) process.stderr.write(`keygate: warning: ${unpublished}\n`);
    });
  });

  withTableOptions(
    withJsonOption(
      program.command('revoke <uid> <videoId>').description('remove a grant (videoId or *); playback stops within one key rotation window'),
    ),
  ).action(async (uid: string, videoId: string, options: TableOptions & JsonOption) => {
    await withClient(options, async (client) => {
      const existed = await client.revoke(uid, videoId);
      printResult(
        options,
        { uid, videoId, revoked: existed },
        existed ? `revoked ${uid} ${videoId}` : `${uid} had no grant for ${videoId}; nothing to revoke`,
      );
    });
  });

  withTableOptions(
    withJsonOption(
      program.command('revoke-sessions <uid>').description('refuse every token issued to this viewer until now (sign out everywhere)'),
    ),
  ).action(async (uid: string, options: TableOptions & JsonOption) => {
    await withClient(options, async (client) => {
      const item = revocationItem(uid, nowSeconds());
      await client.put(item);
      printResult(options, { revoked: item }, `tokens of ${uid} issued before ${iso(item.revokedBefore)} are refused`);
    });
  });

  withTableOptions(withJsonOption(program.command('list <uid>')).description("list a viewer's grants and session revocation")).action(
    async (uid: string, options: TableOptions & { json?: boolean }) => {
      await withClient(options, async (client) => {
        const listed = await client.list(uid);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(listed.map((l) => ('item' in l ? l.item : l)))}\n`);
          return;
        }
        if (listed.length === 0) {
          process.stdout.write(`${uid} has no grants\n`);
          return;
        }
        const now = nowSeconds();
        const rows = listed.map((listed) => {
          if ('malformed' in listed) {
            // The authorizer answers 503 for this viewer until the item is fixed: say so, don't guess.
            return { video: listed.sk ?? '?', kind: 'MALFORMED', until: '', state: listed.malformed, order: '' };
          }
          const { item } = listed;
          if ('revokedBefore' in item)
            return { video: item.sk, kind: 'sessions revoked', until: iso(item.revokedBefore), state: '', order: '' };
          const grant: GrantItem = item;
          return {
            video: grant.sk,
            kind: grant.sk === ALL_ACCESS_SK ? 'all access' : grant.expiresAt !== undefined ? 'rental' : 'purchase',
            until: iso(grant.expiresAt),
            state: grant.expiresAt !== undefined && grant.expiresAt <= now ? 'expired' : '',
            order: grant.orderId ?? '',
            ...(grant.maxStreams === undefined ? {} : { streams: grant.maxStreams }),
          };
        });
        process.stdout.write(formatTable(rows));
      });
    },
  );
}
