import type { GrantItem } from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';
import type { ListedItem } from './entitlement-client';

export class GrantWouldReplacePurchaseError extends KeygateError {}

/**
 * A grant replaces the viewer's item for the same video. A purchase lasts for ever, so a rental
 * written over it (often a slip: a wrong id, a `--for` meant for someone else) takes the video away
 * when the rental ends: refuse that unless the caller forces it. Every other replacement is
 * ordinary (a rental extended, a rental bought outright).
 */
export function checkGrantReplacement(existing: ListedItem[], next: GrantItem, force: boolean): void {
  if (force || next.expiresAt === undefined) return;
  const current = existing.find((listed) => 'item' in listed && listed.item.sk === next.sk);
  if (current === undefined || !('item' in current) || 'revokedBefore' in current.item) return;
  if (current.item.expiresAt === undefined) {
    throw new GrantWouldReplacePurchaseError(
      `${next.uid} owns ${next.sk === '*' ? 'an all-access subscription' : next.sk} for good; a rental would replace that purchase and end it`,
      'force',
    );
  }
}
