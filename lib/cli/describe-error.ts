import { InvalidGrantError } from '../admin/entitlement-items';
import { SigningKeyError } from '../admin/signing-keys';
import { CliError } from './cli-error';
import type { TableOptions } from './table-options';

/** Turns the failures a user can fix into one actionable line; anything else keeps its own message. */
export function describeError(error: unknown, options: TableOptions = {}): Error {
  if (error instanceof CliError) return error;
  if (error instanceof InvalidGrantError || error instanceof SigningKeyError) return new CliError(error.message);
  const name = error instanceof Error ? error.name : '';
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (name === 'ResourceNotFoundException') {
    return new CliError(
      `table ${options.table ?? process.env.KEYGATE_TABLE} not found: check --table and --region (the stack outputs name them)`,
    );
  }
  if (code === 'ECONNREFUSED' || name === 'TimeoutError') {
    return new CliError(
      `cannot reach DynamoDB${options.endpoint ? ` at ${options.endpoint}` : ''}: is it running, and is --endpoint right?`,
    );
  }
  if (name === 'CredentialsProviderError')
    return new CliError('no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
  return error instanceof Error ? error : new Error(String(error));
}
