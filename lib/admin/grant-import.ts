import { parse } from 'csv-parse/sync';
import { type GrantItem, PARTITION_KEY, SORT_KEY } from '../../lambda/key-authorizer/contract';
import { grantItem } from './entitlement-items';
import { rentalEnd } from './rental-end';
import { KeygateError } from '../keygate-error';

export interface RejectedRow {
  line: number;
  reason: string;
}

export interface ImportPlan {
  items: GrantItem[];
  rejected: RejectedRow[];
  /** Rows whose (uid, video) a later row of the file grants again: the later row wins. */
  superseded: number;
}

export const IMPORT_COLUMNS = ['uid', 'videoId', 'until', 'orderId'];

/**
 * Reads a grants CSV (header `uid,videoId,until,orderId`; `until` empty for a purchase, an ISO time
 * or a duration like 48h for a rental; videoId `*` for all access). Every bad row is rejected with
 * its line number; good rows are never held back by bad ones.
 */
export function planImport(csv: string, nowSeconds: number): ImportPlan {
  const records = parse(csv, { columns: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }) as {
    record: Record<string, string | undefined>;
    info: { lines: number };
  }[];
  const byKey = new Map<string, GrantItem>();
  const rejected: RejectedRow[] = [];
  let superseded = 0;
  for (const { record, info } of records) {
    try {
      const missing = ['uid', 'videoId'].filter((c) => !record[c]);
      if (missing.length > 0) throw new KeygateError(`missing ${missing.join(' and ')}`);
      const until = record.until || undefined;
      const isDuration = until !== undefined && /^\d+[smhd]?$/.test(until);
      const expiresAt = rentalEnd(isDuration ? { for: until } : { until }, nowSeconds);
      const item = grantItem(
        { uid: record.uid as string, videoId: record.videoId as string, expiresAt, orderId: record.orderId || undefined },
        nowSeconds,
      );
      const key = `${item[PARTITION_KEY]}\n${item[SORT_KEY]}`;
      if (byKey.delete(key)) superseded++;
      byKey.set(key, item);
    } catch (error) {
      if (!(error instanceof KeygateError)) throw error;
      // Both the end time and the length of a rental come from the until column.
      const reason = error.input === 'until' || error.input === 'for' ? `until ${error.message}` : error.message;
      rejected.push({ line: info.lines, reason });
    }
  }
  return { items: [...byKey.values()], rejected, superseded };
}
