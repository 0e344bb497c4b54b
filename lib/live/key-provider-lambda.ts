import { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { fixedChannelRegistry } from './channel-registry';
import { functionUrlKeyProvider, type FunctionUrlEvent, type FunctionUrlResult } from './function-url-key-provider';
import { createKeyProvider, type KeyProviderLogEntry } from './key-provider';
import { parseKeyUriBase } from './live-key-material';
import { S3LiveKeyStore } from './s3-live-key-store';
import { KeygateError } from '../keygate-error';

/** The deployed provider's settings: environment variables set by the KeygateLiveChannel construct. */
export interface KeyProviderLambdaSettings {
  /** KEYGATE_KEY_BUCKET: the key bucket (the function may write only keys/<channel>/* there). */
  readonly keyBucket: string;
  /** KEYGATE_LIVE_CHANNELS: the channels it hands keys for, comma-separated. */
  readonly channels: readonly string[];
  /** KEYGATE_KEY_URI_BASE: the distribution, like https://d111.cloudfront.net. */
  readonly keyUriBase: string;
}

export const KEY_PROVIDER_ENV = {
  keyBucket: 'KEYGATE_KEY_BUCKET',
  channels: 'KEYGATE_LIVE_CHANNELS',
  keyUriBase: 'KEYGATE_KEY_URI_BASE',
} as const;

/** Reads and checks the settings once, at load: a bad deployment fails its first request loudly, naming the variable. */
export function keyProviderSettingsFrom(env: Readonly<Record<string, string | undefined>>): KeyProviderLambdaSettings {
  const read = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new KeygateError(`the key provider function needs the environment variable ${name}: redeploy the live stack`, name);
    return value;
  };
  const channels = read(KEY_PROVIDER_ENV.channels)
    .split(',')
    .map((c) => c.trim());
  fixedChannelRegistry(channels);
  const keyUriBase = read(KEY_PROVIDER_ENV.keyUriBase);
  parseKeyUriBase(keyUriBase);
  return { keyBucket: read(KEY_PROVIDER_ENV.keyBucket), channels, keyUriBase };
}

export interface KeyProviderLambdaPorts {
  readonly s3: S3Client;
  /** One JSON line per request (CloudWatch Logs): what was asked and decided, never a key. */
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

/**
 * The deployed SPEKE key provider (a regional Lambda behind a function URL with AWS_IAM auth):
 * Keygate's one provider core, storing keys in the key bucket through S3LiveKeyStore.
 */
export function createKeyProviderHandler(
  settings: KeyProviderLambdaSettings,
  ports: KeyProviderLambdaPorts,
): (event: FunctionUrlEvent) => Promise<FunctionUrlResult> {
  const provider = createKeyProvider(
    {
      store: new S3LiveKeyStore(ports.s3, settings.keyBucket),
      channels: fixedChannelRegistry(settings.channels),
      randomBytes: (size) => randomBytes(size),
      now: ports.now ?? (() => Date.now()),
      log: (entry: KeyProviderLogEntry) => ports.log(JSON.stringify(entry)),
    },
    { keyUriBase: settings.keyUriBase },
  );
  // An unexpected error's name and message only: a stack or a serialised object could carry a request body.
  return functionUrlKeyProvider(provider, (error) =>
    ports.log(JSON.stringify({ event: 'failed', error: `${(error as Error)?.name}: ${(error as Error)?.message}` })),
  );
}

let deployed: ((event: FunctionUrlEvent) => Promise<FunctionUrlResult>) | undefined;

/** Lambda's entry point: settings and the S3 client built on the first request, reused while warm. */
export const handler = async (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
  deployed ??= createKeyProviderHandler(keyProviderSettingsFrom(process.env), {
    s3: new S3Client({}),
    log: (line) => console.log(line),
  });
  return deployed(event);
};
