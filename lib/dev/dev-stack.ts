import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { readSigningKeyFile, writeSigningKeyFiles, JWKS_FILE, PRIVATE_KEY_FILE } from '../admin/key-files';
import { buildAuthorizerBundle } from '../build/authorizer-bundle';
import { authorizerConfigFor } from '../config/authorizer-config-for';
import { parseKeygateConfig } from '../config/keygate-config';
import { createCloudFrontEmulator, type EdgeHandler, type EmulatorStats } from './cloudfront-emulator';
import { demoRoutes } from './demo-routes';
import { DEMO_PACKAGING, ensureDemoVideo, hasDemoVideo } from './demo-video';
import { ensureEntitlementTable, localDynamoDbClient, startLocalDynamoDb } from './local-dynamodb';
import { publishedBuckets } from './s3-bucket-model';
import { KeygateError } from '../keygate-error';

export { DEMO_VIDEO } from './demo-video';
/** The emulated edge location's region: the authorizer picks its nearest replica from it. */
const DEV_REGION = 'us-east-1';
const DEV_TABLE = 'keygate-dev';
const DEV_ISSUER = 'https://keygate.dev.local';
const DEV_AUDIENCE = 'keygate-dev';

export interface DevStackOptions {
  port: number;
  host: string;
  dataDir: string;
  log?: (line: string) => void;
  /** Progress of the first start's demo packaging (seconds transcoded, then segments encrypted). */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Aborting stops a start under way (ffmpeg included) and releases everything. */
  signal?: AbortSignal;
  /** Player pages on other origins allowed to fetch keys and media with credentials (the config's allowedOrigins). */
  allowedOrigins?: string[];
}

export interface DevStack {
  url: string;
  dynamodbEndpoint: string;
  table: string;
  region: string;
  issuer: string;
  audience: string;
  signingKey: string;
  jwks: string;
  videos: string[];
  stats(): EmulatorStats;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new KeygateError(`port ${port} on ${host} is in use`, 'port')
          : error.code === 'EADDRNOTAVAIL'
            ? new KeygateError(`${host} is not an address of this machine`, 'host')
            : error,
      ),
    );
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });
}

/** Loads the built bundle as Lambda would: a fresh require of index.js, which reads its config beside itself. */
export function loadEdgeHandler(bundleFile: string, executingRegion = DEV_REGION): EdgeHandler {
  // The bundle reads the executing region once, at load, as it would on a Lambda@Edge replica.
  const previous = process.env.AWS_REGION;
  process.env.AWS_REGION = executingRegion;
  try {
    delete require.cache[require.resolve(bundleFile)];
    return (require(bundleFile) as { handler: EdgeHandler }).handler;
  } finally {
    if (previous === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = previous;
  }
}

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/**
 * The whole system on one machine: dynalite persisted under the data dir, a local signing key,
 * the authorizer bundle built by the same code as the CDK asset (with a loopback endpoint), a
 * packaged demo video granted to alice, and the CloudFront emulator serving the demo page.
 */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  const originDir = join(dataDir, 'origin');
  const keyDir = join(dataDir, 'keys');
  mkdirSync(originDir, { recursive: true });

  const dynamo = await startLocalDynamoDb({ path: join(dataDir, 'dynamodb') });
  const cleanups: (() => Promise<void> | void)[] = [() => dynamo.close()];
  try {
    const client = localDynamoDbClient(dynamo.endpoint, DEV_REGION);
    try {
      await ensureEntitlementTable(client, DEV_TABLE);
    } finally {
      client.destroy();
    }

    if (!existsSync(join(keyDir, PRIVATE_KEY_FILE))) {
      log('creating a local signing key');
      writeSigningKeyFiles(keyDir, 'ES256');
    }
    const config = parseKeygateConfig(
      {
        region: DEV_REGION,
        tableName: DEV_TABLE,
        jwtIssuer: DEV_ISSUER,
        jwtAudience: [DEV_AUDIENCE],
        jwks: join(keyDir, JWKS_FILE),
        // Short TTLs so a revocation shows within a couple of seconds in the demo.
        allowTtlSeconds: 2,
        denyTtlSeconds: 1,
        // The demo video's key window (4 s): stream leases default to two of them.
        segmentSeconds: DEMO_PACKAGING.segmentSeconds,
        rotateEverySegments: DEMO_PACKAGING.rotateEvery,
        allowedOrigins: options.allowedOrigins ?? [],
      },
      { baseDir: dataDir },
    );
    // Rebuilt on every start (well under a second): the dynalite port, hence the config, changes.
    const { bundleFile } = buildAuthorizerBundle(authorizerConfigFor(config, { endpoint: dynamo.endpoint }), join(dataDir, 'edge'));

    const videos = () =>
      existsSync(join(originDir, 'videos')) ? readdirSync(join(originDir, 'videos')).filter((v) => !v.startsWith('.')) : [];
    const emulator = createCloudFrontEmulator({
      // The two buckets keygate publish would fill from the origin folder: media, and keys apart.
      mediaBucket: publishedBuckets(originDir).media,
      keyBucket: publishedBuckets(originDir).keys,
      handler: loadEdgeHandler(bundleFile),
      allowedOrigins: config.allowedOrigins,
      extraRoutes: demoRoutes({
        signingKey: readSigningKeyFile(join(keyDir, PRIVATE_KEY_FILE)),
        issuer: DEV_ISSUER,
        audience: DEV_AUDIENCE,
        cookieName: config.cookieName,
        sessionIdClaim: config.streams.sessionIdClaim,
        allowedOrigins: config.allowedOrigins,
        pathToken: config.pathToken,
        videos,
      }),
    });
    // Take the port before the slow part, so a port in use fails in a second, not after packaging.
    const port = await listen(emulator.server, options.port, options.host);
    cleanups.unshift(
      () =>
        new Promise<void>((done) => {
          emulator.server.closeAllConnections();
          emulator.server.close(() => done());
        }),
    );

    options.signal?.throwIfAborted();
    if (!hasDemoVideo(originDir)) log('packaging the demo video (first start only: ffmpeg, 2 renditions, a key every 2 segments)');
    await ensureDemoVideo({
      originDir,
      workDir: dataDir,
      table: { table: DEV_TABLE, region: DEV_REGION, endpoint: dynamo.endpoint },
      onProgress: options.onProgress,
      signal: options.signal,
    });

    return {
      url: `http://${urlHost(options.host)}:${port}/`,
      dynamodbEndpoint: dynamo.endpoint,
      table: DEV_TABLE,
      region: DEV_REGION,
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      signingKey: join(keyDir, PRIVATE_KEY_FILE),
      jwks: join(keyDir, JWKS_FILE),
      videos: videos(),
      stats: emulator.stats,
      close: async () => {
        for (const cleanup of cleanups) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup();
    throw error;
  }
}
