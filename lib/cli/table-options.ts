import type { Command } from 'commander';
import type { EntitlementTarget } from '../admin/entitlement-client';
import { defaultLeaseTableName } from '../config/keygate-config';
import { KeygateError } from '../keygate-error';

export interface TableOptions {
  table?: string;
  leaseTable?: string;
  region?: string;
  endpoint?: string;
}

/** --table, --region and --endpoint, shared by every command that reads or writes entitlements. */
export function withTableOptions(command: Command): Command {
  return command
    .option('--table <name>', 'entitlement table (default: $KEYGATE_TABLE)')
    .option('--region <region>', 'AWS region of the table (default: $AWS_REGION)')
    .option('--endpoint <url>', 'a local DynamoDB endpoint, e.g. http://127.0.0.1:8000');
}

export function tableTarget(options: TableOptions): EntitlementTarget {
  const table = options.table ?? process.env.KEYGATE_TABLE;
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!table) throw new KeygateError('no table: pass --table <name> or set KEYGATE_TABLE (the stack output EntitlementTableName)');
  if (!region) throw new KeygateError('no region: pass --region <region> or set AWS_REGION (the table’s primary region)');
  if (options.endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(options.endpoint)) {
    throw new KeygateError(`--endpoint must be a URL like http://127.0.0.1:8000 (got ${options.endpoint})`);
  }
  return { table, region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
}

/** --lease-table besides the table options: the commands that read or end playback sessions. */
export function withLeaseTableOptions(command: Command): Command {
  return withTableOptions(command).option(
    '--lease-table <name>',
    'lease table of stream limits (default: $KEYGATE_LEASE_TABLE, else <table>-leases; the stack output LeaseTableName)',
  );
}

/** The lease table in the entitlement table's region (both have the same replicas). */
export function leaseTableTarget(options: TableOptions): EntitlementTarget {
  const entitlements = tableTarget(options);
  return { ...entitlements, table: options.leaseTable ?? process.env.KEYGATE_LEASE_TABLE ?? defaultLeaseTableName(entitlements.table) };
}
