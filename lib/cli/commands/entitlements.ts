import type { Command } from 'commander';
import { EntitlementClient } from '../../admin/entitlement-client';
import { grantItem, revocationItem } from '../../admin/entitlement-items';
import { rentalEnd } from '../../admin/rental-end';
import { describeError } from '../describe-error';
import { tableTarget, withTableOptions, type TableOptions } from '../table-options';

const nowSeconds = () => Date.now() / 1000;

async function withWriter<T>(options: TableOptions, action: (writer: EntitlementClient) => Promise<T>): Promise<T> {
  const writer = new EntitlementClient(tableTarget(options));
  try {
    return await action(writer);
  } catch (error) {
    throw describeError(error, options);
  } finally {
    writer.destroy();
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
      .option('--order-id <id>', 'your order reference, kept on the item'),
  ).action(async (uid: string, videoId: string, options: TableOptions & { until?: string; for?: string; orderId?: string }) => {
    await withWriter(options, async (writer) => {
      const now = nowSeconds();
      const item = grantItem({ uid, videoId, expiresAt: rentalEnd(options, now), orderId: options.orderId }, now);
      await writer.put(item);
      const what = videoId === '*' ? 'every video' : videoId;
      process.stdout.write(`granted ${uid} ${what}${item.expiresAt ? ` until ${iso(item.expiresAt)}` : ''}\n`);
    });
  });

  withTableOptions(
    program.command('revoke <uid> <videoId>').description('remove a grant (videoId or *); playback stops within one key rotation window'),
  ).action(async (uid: string, videoId: string, options: TableOptions) => {
    await withWriter(options, async (writer) => {
      const existed = await writer.revoke(uid, videoId);
      process.stdout.write(existed ? `revoked ${uid} ${videoId}\n` : `${uid} had no grant for ${videoId}; nothing to revoke\n`);
    });
  });

  withTableOptions(
    program.command('revoke-sessions <uid>').description('refuse every token issued to this viewer until now (sign out everywhere)'),
  ).action(async (uid: string, options: TableOptions) => {
    await withWriter(options, async (writer) => {
      const item = revocationItem(uid, nowSeconds());
      await writer.put(item);
      process.stdout.write(`tokens of ${uid} issued before ${iso(item.revokedBefore)} are refused\n`);
    });
  });

  withTableOptions(
    program.command('list <uid>').description("list a viewer's grants and session revocation").option('--json', 'print JSON for scripts'),
  ).action(async (uid: string, options: TableOptions & { json?: boolean }) => {
    await withWriter(options, async (writer) => {
      const items = await writer.list(uid);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(items)}\n`);
        return;
      }
      if (items.length === 0) {
        process.stdout.write(`${uid} has no grants\n`);
        return;
      }
      const now = nowSeconds();
      const rows = items.map((item) => ({
        video: String(item.sk),
        kind: item.sk === '#revoked' ? 'sessions revoked' : item.sk === '*' ? 'all access' : item.expiresAt ? 'rental' : 'purchase',
        until: iso(item.expiresAt ?? item.revokedBefore),
        state: typeof item.expiresAt === 'number' && item.expiresAt <= now ? 'expired' : '',
        order: String(item.orderId ?? ''),
      }));
      console.table(rows);
    });
  });
}
