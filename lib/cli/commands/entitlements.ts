import type { Command } from 'commander';
import { ALL_ACCESS_SK, type GrantItem } from '../../../lambda/key-authorizer/entitlement-schema';
import { EntitlementClient } from '../../admin/entitlement-client';
import { grantItem, revocationItem } from '../../admin/entitlement-items';
import { rentalEnd } from '../../admin/rental-end';
import { tableTarget, withTableOptions, type TableOptions } from '../table-options';

const nowSeconds = () => Date.now() / 1000;

async function withClient<T>(options: TableOptions, action: (client: EntitlementClient) => Promise<T>): Promise<T> {
  const client = new EntitlementClient(tableTarget(options));
  try {
    return await action(client);
  } finally {
    client.destroy();
  }
}

const iso = (seconds: unknown) => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : '');

/** keygate grant | revoke | revoke-sessions | list: the entitlement items the key authorizer checks. */
export function register(program: Command): void {
  withTableOptions(
    program
      .command('grant <uid> <videoId>')
      .description('grant a purchase, a rental (--until/--for) or, with videoId *, an all-access subscription')
      .option('--until <time>', 'rental end, an ISO time such as 2026-12-31T23:59:59Z')
      .option('--for <duration>', 'rental length, such as 48h or 7d')
      .option('--order-id <id>', 'your order reference, kept on the item')
      .option('--max-streams <n>', 'how many playbacks may run at once under this grant (stream limits)'),
  ).action(
    async (
      uid: string,
      videoId: string,
      options: TableOptions & { until?: string; for?: string; orderId?: string; maxStreams?: string },
    ) => {
      await withClient(options, async (client) => {
        const now = nowSeconds();
        const maxStreams =
          options.maxStreams === undefined ? undefined : /^\d+$/.test(options.maxStreams) ? Number(options.maxStreams) : NaN;
        const item = grantItem({ uid, videoId, expiresAt: rentalEnd(options, now), orderId: options.orderId, maxStreams }, now);
        await client.put(item);
        const what = videoId === ALL_ACCESS_SK ? 'every video' : videoId;
        const until = item.expiresAt ? ` until ${iso(item.expiresAt)}` : '';
        const streams = item.maxStreams === undefined ? '' : `, ${item.maxStreams} stream${item.maxStreams === 1 ? '' : 's'} at once`;
        process.stdout.write(`granted ${uid} ${what}${until}${streams}\n`);
      });
    },
  );

  withTableOptions(
    program.command('revoke <uid> <videoId>').description('remove a grant (videoId or *); playback stops within one key rotation window'),
  ).action(async (uid: string, videoId: string, options: TableOptions) => {
    await withClient(options, async (client) => {
      const existed = await client.revoke(uid, videoId);
      process.stdout.write(existed ? `revoked ${uid} ${videoId}\n` : `${uid} had no grant for ${videoId}; nothing to revoke\n`);
    });
  });

  withTableOptions(
    program.command('revoke-sessions <uid>').description('refuse every token issued to this viewer until now (sign out everywhere)'),
  ).action(async (uid: string, options: TableOptions) => {
    await withClient(options, async (client) => {
      const item = revocationItem(uid, nowSeconds());
      await client.put(item);
      process.stdout.write(`tokens of ${uid} issued before ${iso(item.revokedBefore)} are refused\n`);
    });
  });

  withTableOptions(
    program.command('list <uid>').description("list a viewer's grants and session revocation").option('--json', 'print JSON for scripts'),
  ).action(async (uid: string, options: TableOptions & { json?: boolean }) => {
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
      console.table(rows);
    });
  });
}
