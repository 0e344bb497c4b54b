import {
  AUTHORIZER_DEFAULTS,
  deadlineProblem,
  type IssuerConfig,
  type JwksFetchConfig,
  CONFIG_PATTERNS as P,
  CONFIG_RANGES as R,
  REQUEST_DEADLINE_DEFAULT_MS,
  RESERVED_PATH_TOKEN_PREFIXES,
  settleProblem,
} from '../../lambda/key-authorizer/contract';
import {
  InvalidConfigError,
  readBoolean,
  readDurationSeconds,
  readInteger,
  readList,
  readOptionalString,
  readString,
  type Context,
} from './context-values';
import { readAlarmTopicArns } from './alarm-plan';
import { isKnownRegion } from './region-locations';
import { readJwksFetch, readTrustedIssuers, TOKEN_NAME } from './trusted-issuers';
import { readLiveChannels, type LiveChannelConfig } from './live-channels';

export { InvalidConfigError } from './context-values';

/** Everything an operator configures, validated: the single source for the stack and the edge config. */
export interface KeygateConfig {
  stackName: string;
  /** The stack's region, which holds the primary table. */
  region: string;
  /** Further replica regions of the entitlement table (never the stack region). */
  replicaRegions: string[];
  tableName: string;
  /** The lease table of stream limits: the same replicas; the only table the edge function may write. */
  leaseTableName: string;
  jwt: {
    /** The single-issuer keys (jwtIssuer, jwks, …) first when set, then `trustedIssuers`. */
    issuers: IssuerConfig[];
    jwksFetch: Omit<JwksFetchConfig, 'localCa'>;
  };
  cookieName: string;
  allowUidCookie: boolean;
  /** Tokens in the path for native players: `/<prefix>/<token>/videos/…`; only vids-scoped, short-lived tokens. */
  pathToken: { prefix: string; maxLifetimeSeconds: number };
  allowedOrigins: string[];
  cache: { allowTtlSeconds: number; denyTtlSeconds: number; maxEntries: number };
  storeDeadlineMs: number;
  /** One budget per key request for its JWKS fetch and every store call (request-deadline.ts). */
  requestDeadlineMs: number;
  /** Opt-in grace, in seconds, for recently allowed viewers when every replica fails; 0 fails closed. */
  staleIfErrorSeconds: number;
  /** Defaults for `keygate package`: segment length and key rotation window. */
  keyRotation: { segmentSeconds: number; rotateEverySegments: number };
  /** Concurrent-stream limits (see the README's "Stream limits"). */
  streams: { sessionIdClaim: string; leaseSeconds: number; settleSeconds: number; defaultMaxStreams: number | null };
  customDomain?: { domainName: string; certificateArn: string };
  webAclArn?: string;
  priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  logRetentionDays: number;
  /** Retention of the edge function's CloudWatch log groups (decision lines), in every edge region. */
  edgeLogRetentionDays: number;
  /** SNS topics the alarms notify, at most one per alarm region (stack region, us-east-1). */
  alarmTopicArns: string[];
  decisionLogSalt?: string;
  /** Live channels on MediaLive + MediaPackage v2 (KeygateLive); none, the default, deploys none of it. */
  liveChannels: LiveChannelConfig[];
}

const REGION = P.region;

/** Each store attempt gets just over half the store deadline: room for a second replica inside it. */
export function attemptTimeoutFor(storeDeadlineMs: number): number {
  return Math.ceil(storeDeadlineMs * 0.55);
}

/** The lease table's name unless `leaseTableName` says otherwise (also the CLI's default for `--lease-table`). */
export function defaultLeaseTableName(tableName: string): string {
  return `${tableName}-leases`;
}

/** The path segment before a path token; it becomes a CloudFront path pattern, so it is kept plain. */
function readPathTokenPrefix(context: Context): string {
  const prefix = readString(
    context,
    'pathTokenPrefix',
    P.pathTokenPrefix,
    'a path segment of a-z 0-9 - (1–16 characters)',
    AUTHORIZER_DEFAULTS.pathTokenPrefix,
  );
  if (RESERVED_PATH_TOKEN_PREFIXES.includes(prefix))
    throw new InvalidConfigError('pathTokenPrefix', 'another segment than "videos" or "keys"', prefix);
  return prefix;
}
const TABLE_NAME = 'a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -)';
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const DOMAIN = /^([a-z0-9-]+\.)+[a-z]{2,}$/;
const CERTIFICATE_ARN = /^arn:aws:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const WEB_ACL_ARN = /^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[A-Za-z0-9_-]+\/[a-f0-9-]+$/;
const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;
/** CloudWatch Logs / S3 lifecycle retention values an operator may pick. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653];

function readRetentionDays(context: Context, key: string, fallback: number): number {
  const days = readInteger(context, key, 1, 3653, fallback);
  if (!RETENTION_DAYS.includes(days)) throw new InvalidConfigError(key, `one of ${RETENTION_DAYS.join(', ')}`, days);
  return days;
}

/**
 * Stream limits. A lease must outlive the gap between two key requests of one playback (one key
 * window) with room for a late request, so it is checked against the rotation settings.
 */
function readStreams(context: Context, rotation: KeygateConfig['keyRotation']): KeygateConfig['streams'] {
  const keyWindow = rotation.segmentSeconds * rotation.rotateEverySegments;
  const leaseSeconds =
    context.streamLeaseSeconds === undefined
      ? 2 * keyWindow
      : readDurationSeconds(context, 'streamLeaseSeconds', R.streamLeaseSeconds.min, R.streamLeaseSeconds.max, `${2 * keyWindow}s`);
  if (leaseSeconds * 2 < keyWindow * 3) {
    throw new InvalidConfigError(
      'streamLeaseSeconds',
      `at least 1.5 key windows (${Math.ceil(keyWindow * 1.5)}s: segmentSeconds ${rotation.segmentSeconds} × rotateEverySegments ${rotation.rotateEverySegments} = ${keyWindow}s per key), or a playback loses its stream between two keys; the default is two windows`,
      context.streamLeaseSeconds,
    );
  }
  const settle = R.streamSettleSeconds;
  const settleSeconds = readInteger(context, 'streamSettleSeconds', settle.min, settle.max, AUTHORIZER_DEFAULTS.settleSeconds);
  const settleTooLong = settleProblem(leaseSeconds, settleSeconds);
  if (settleTooLong) throw new InvalidConfigError('streamSettleSeconds', settleTooLong, context.streamSettleSeconds);
  const noDefault = context.defaultMaxStreams === undefined || context.defaultMaxStreams === null || context.defaultMaxStreams === '';
  return {
    sessionIdClaim: readString(context, 'sessionIdClaim', TOKEN_NAME, 'a claim name', AUTHORIZER_DEFAULTS.sessionIdClaim),
    leaseSeconds,
    settleSeconds,
    defaultMaxStreams: noDefault ? null : readInteger(context, 'defaultMaxStreams', R.defaultMaxStreams.min, R.defaultMaxStreams.max, 0),
  };
}

/** No combination of timings may promise a step more time than the request has (request-deadline.ts). */
function checkDeadlines(config: KeygateConfig): void {
  const settings = {
    requestDeadlineMs: config.requestDeadlineMs,
    storeDeadlineMs: config.storeDeadlineMs,
    attemptTimeoutMs: attemptTimeoutFor(config.storeDeadlineMs),
    jwksFetchTimeoutMs: config.jwt.jwksFetch.timeoutMs,
  };
  const problem = deadlineProblem(settings);
  if (problem === undefined) return;
  // The attempt timeout is derived from storeDeadlineMs: that is the key to change.
  const key = problem.setting === 'attemptTimeoutMs' ? 'storeDeadlineMs' : problem.setting;
  throw new InvalidConfigError(key, problem.expected, settings[key]);
}

/**
 * Validates cdk.json context (and -c overrides) into a KeygateConfig. Every error names the key,
 * says what is expected and how to set it. Paths are resolved against `baseDir` (the project).
 */
export function parseKeygateConfig(context: Context, options: { baseDir?: string } = {}): KeygateConfig {
  const baseDir = options.baseDir ?? process.cwd();
  if (context.endpoint !== undefined) {
    throw new InvalidConfigError(
      'endpoint',
      'absent: a DynamoDB endpoint override is for `keygate dev` and tests, never a deployment',
      context.endpoint,
    );
  }
  const region = readString(context, 'region', REGION, 'an AWS region such as "eu-west-1"');
  const replicaRegions = readList(context, 'replicaRegions', REGION, 'AWS regions');
  // Replicas are ranked by distance from each edge region: a region Keygate cannot place would be guessed.
  for (const [key, value] of [['region', region], ...replicaRegions.map((r) => ['replicaRegions', r])] as [string, string][]) {
    if (!isKnownRegion(value)) {
      throw new InvalidConfigError(
        key,
        'regions whose location Keygate knows (add its coordinates to lib/config/region-locations.ts)',
        value,
      );
    }
  }
  if (replicaRegions.includes(region)) {
    throw new InvalidConfigError(
      'replicaRegions',
      `other regions than the stack region "${region}" (the primary table lives there already)`,
      replicaRegions,
    );
  }
  if (new Set(replicaRegions).size !== replicaRegions.length)
    throw new InvalidConfigError('replicaRegions', 'distinct regions', replicaRegions);
  const domainName = readOptionalString(context, 'domainName', DOMAIN, 'a domain name such as "video.example.com"');
  const certificateArn = readOptionalString(
    context,
    'certificateArn',
    CERTIFICATE_ARN,
    'an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from there)',
  );
  if ((domainName === undefined) !== (certificateArn === undefined)) {
    throw new InvalidConfigError(
      domainName ? 'certificateArn' : 'domainName',
      'set together with the other: a custom domain needs its ACM certificate (us-east-1)',
      domainName ?? certificateArn,
    );
  }
  const priceClass = context.priceClass ?? 'PriceClass_100';
  if (!PRICE_CLASSES.includes(priceClass as (typeof PRICE_CLASSES)[number])) {
    throw new InvalidConfigError('priceClass', `one of ${PRICE_CLASSES.join(', ')}`, priceClass);
  }
  const logRetentionDays = readRetentionDays(context, 'logRetentionDays', 90);
  const tableName = readString(context, 'tableName', P.tableName, TABLE_NAME, 'keygate-entitlements');
  const leaseTableName = readString(context, 'leaseTableName', P.tableName, TABLE_NAME, defaultLeaseTableName(tableName));
  if (leaseTableName === tableName) {
    throw new InvalidConfigError(
      'leaseTableName',
      `another table than tableName (the edge function may write leases, never grants)`,
      leaseTableName,
    );
  }

  const config: KeygateConfig = {
    stackName: readString(context, 'stackName', STACK_NAME, 'a CloudFormation stack name', 'Keygate'),
    region,
    replicaRegions,
    tableName,
    leaseTableName,
    jwt: { issuers: readTrustedIssuers(context, baseDir), jwksFetch: readJwksFetch(context) },
    cookieName: readString(context, 'cookieName', P.cookieName, 'a cookie name', AUTHORIZER_DEFAULTS.cookieName),
    allowUidCookie: readBoolean(context, 'allowUidCookie', false),
    pathToken: {
      prefix: readPathTokenPrefix(context),
      maxLifetimeSeconds: readDurationSeconds(
        context,
        'pathTokenMaxLifetime',
        R.pathTokenMaxLifetimeSeconds.min,
        R.pathTokenMaxLifetimeSeconds.max,
        '4h',
      ),
    },
    allowedOrigins: readList(
      context,
      'allowedOrigins',
      P.origin,
      'player origins like "https://www.example.com" (scheme, host, optional port; no path)',
    ),
    cache: {
      allowTtlSeconds: readInteger(
        context,
        'allowTtlSeconds',
        R.allowTtlSeconds.min,
        R.allowTtlSeconds.max,
        AUTHORIZER_DEFAULTS.allowTtlSeconds,
      ),
      denyTtlSeconds: readInteger(
        context,
        'denyTtlSeconds',
        R.denyTtlSeconds.min,
        R.denyTtlSeconds.max,
        AUTHORIZER_DEFAULTS.denyTtlSeconds,
      ),
      maxEntries: readInteger(context, 'cacheMaxEntries', R.cacheMaxEntries.min, R.cacheMaxEntries.max, AUTHORIZER_DEFAULTS.maxEntries),
    },
    storeDeadlineMs: readInteger(context, 'storeDeadlineMs', R.storeDeadlineMs.min, R.storeDeadlineMs.max, AUTHORIZER_DEFAULTS.deadlineMs),
    requestDeadlineMs: readInteger(
      context,
      'requestDeadlineMs',
      R.requestDeadlineMs.min,
      R.requestDeadlineMs.max,
      REQUEST_DEADLINE_DEFAULT_MS,
      "ms (Lambda@Edge ends a viewer request at 5 s with CloudFront's own 503, which no Keygate metric counts)",
    ),
    // A grace of more than a few minutes would make an outage a window in which revocations do nothing.
    staleIfErrorSeconds: readInteger(
      context,
      'staleIfErrorSeconds',
      R.staleIfErrorSeconds.min,
      R.staleIfErrorSeconds.max,
      AUTHORIZER_DEFAULTS.staleIfErrorSeconds,
      'seconds (0, the default, fails closed): a viewer revoked during a store outage may keep getting keys this long',
    ),
    keyRotation: {
      segmentSeconds: readInteger(context, 'segmentSeconds', 1, 30, 4),
      rotateEverySegments: readInteger(context, 'rotateEverySegments', 1, 10_000, 10),
    },
    streams: { sessionIdClaim: '', leaseSeconds: 0, settleSeconds: 0, defaultMaxStreams: null },
    priceClass: priceClass as KeygateConfig['priceClass'],
    logRetentionDays,
    edgeLogRetentionDays: readRetentionDays(context, 'edgeLogRetentionDays', 30),
    alarmTopicArns: readAlarmTopicArns(context, region),
    liveChannels: readLiveChannels(context),
  };
  config.streams = readStreams(context, config.keyRotation);
  checkDeadlines(config);
  if (domainName && certificateArn) config.customDomain = { domainName, certificateArn };
  const webAclArn = readOptionalString(
    context,
    'webAclArn',
    WEB_ACL_ARN,
    'a WAFv2 web ACL ARN with CLOUDFRONT scope (us-east-1, …:global/webacl/…)',
  );
  if (webAclArn) config.webAclArn = webAclArn;
  const salt = readOptionalString(context, 'decisionLogSalt', P.logSalt, 'a secret string of 16–128 characters');
  if (salt) config.decisionLogSalt = salt;
  return config;
}
