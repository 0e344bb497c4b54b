import { KeygateError } from '../keygate-error';

/** The options of the command that failed, as commander parsed them. */
export interface FailedCommandOptions {
  table?: string;
  endpoint?: string;
  bucket?: string;
  keyBucket?: string;
  /** Whether the command takes --profile (only the commands that call S3 or a key provider do). */
  takesProfile?: boolean;
}

/** Which flag to change, for the inputs library errors name: the library says what is wrong, the CLI which flag fixes it. */
const FLAG_FOR_INPUT: Record<string, (message: string) => string> = {
  until: (message) => `--until ${message}`,
  for: (message) => `--for ${message}`,
  rotateEvery: (message) => `--rotate-every ${message}`,
  force: (message) => `${message}; pass --force to replace it`,
  port: (message) => `${message}: stop what uses it or pass --port <another>`,
  host: (message) => `${message}: pass --host 127.0.0.1 or another local address`,
  expose: (message) => `${message}; pass --expose as well to serve it there anyway, or --host 127.0.0.1`,
  dataDir: (message) => `${message}: stop it, or pass --data-dir <another dir>`,
  dynamodbPort: (message) => `${message}: stop what uses it or pass --dynamodb-port <another>`,
  keyBucket: (message) => `${message}: pass --key-bucket (stack output KeyBucketName)`,
  pathUrl: (message) => `--path-url: ${message}`,
  issuerUrl: (message) => `<issuer-url>: ${message}`,
  write: (message) => `--write: ${message}`,
  maxStreams: (message) => `--max-streams: ${message}`,
  input: (message) => `--input: ${message}`,
  channel: (message) => `<channel>: ${message}`,
  window: (message) => `--window ${message}`,
  segmentSeconds: (message) => `--segment-seconds ${message}`,
  mediaUrl: (message) => `--media-url ${message}`,
  distributionId: (message) =>
    `${message}: run again with the right --distribution-id (the Id of the distribution the stack created; nothing new is uploaded)`,
  invalidateTimeout: (message) => `${message} (or wait longer with --invalidate-timeout <seconds>)`,
};

/** AWS SDK and network failures a user can fix, in one actionable line; undefined for anything else. */
function describeAwsError(error: unknown, options: FailedCommandOptions): string | undefined {
  const name = error instanceof Error ? error.name : '';
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (name === 'ResourceNotFoundException')
    return `table ${options.table ?? process.env.KEYGATE_TABLE} not found: check --table and --region (the stack outputs name them)`;
  if (name === 'NoSuchBucket') {
    const bucket = (error as { BucketName?: string }).BucketName ?? options.bucket;
    const flag = bucket !== undefined && bucket === options.keyBucket ? '--key-bucket' : '--bucket';
    return `bucket ${bucket} does not exist: check ${flag} and --region`;
  }
  if (code === 'ECONNREFUSED' || name === 'TimeoutError')
    return `cannot reach ${options.endpoint ?? 'AWS'}${options.endpoint ? '' : ' (network or region)'}: is it running, and is --endpoint right?`;
  if (name === 'CredentialsProviderError')
    return `no AWS credentials: set AWS_PROFILE${options.takesProfile ? ', pass --profile' : ''} or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`;
  return undefined;
}

/**
 * The one line the CLI prints for a failure the user can fix, or undefined for an unexpected one
 * (a bug: the CLI then prints its name and suggests --debug for the stack).
 */
export function describeError(error: unknown, options: FailedCommandOptions = {}): string | undefined {
  if (error instanceof KeygateError) {
    const withFlag = error.input === undefined ? undefined : FLAG_FOR_INPUT[error.input];
    return withFlag ? withFlag(error.message) : error.message;
  }
  return describeAwsError(error, options);
}
