import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { readSigningKeyFile, writeSigningKeyFiles, JWKS_FILE, PRIVATE_KEY_FILE } from '../admin/key-files';
import { buildAuthorizerBundle } from '../build/authorizer-bundle';
import { authorizerConfigFor } from '../config/authorizer-config-for';
import { defaultLeaseTableName, parseKeygateConfig } from '../config/keygate-config';
import { createCloudFrontEmulator, type EdgeHandler, type EmulatorStats } from './cloudfront-emulator';
import { demoAdminRoutes } from './demo-admin-routes';
import { demoRoutes } from './demo-routes';
import { lockDataDir } from './data-dir-lock';
import { DEMO_LIMITED_VIEWER, DEMO_SHAPES, demoVideoWork, ensureDemoVideo, type DemoShapeName } from './demo-video';
import { checkDevHost, devHostNames } from './dev-binding';
import { ensureKeygateTables, localDynamoDbClient, startLocalDynamoDb } from './local-dynamodb';
import { DEV_LIVE_PACKAGING, startDevLiveChannel } from './dev-live-channel';
import { startLocalOidcProvider } from './local-oidc-provider';
import { publishedBuckets } from './s3-bucket-model';
import { startStoreFaultProxy, storeFaultRoute } from './store-fault-proxy';
import { KeygateError } from '../keygate-error';

export { DEMO_VIDEO } from './demo-video';
/** The emulated edge location's region: the authorizer picks its nearest replica from it. */
const DEV_REGION = 'us-east-1';
const DEV_TABLE = 'keygate-dev';
const DEV_ISSUER = 'https://keygate.dev.local';
const DEV_AUDIENCE = 'keygate-dev';
/** The authorizer's allow-cache TTL in dev: short, so a revocation shows within a couple of seconds. */
export const DEV_ALLOW_TTL_SECONDS = 2;
/** The demo page's client at the local OpenID provider (`--oidc`): public, authorization code + PKCE. */
export const DEV_OIDC_CLIENT = 'keygate-demo-page';

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
  /** Also run a local OpenID provider (oidc-provider over https) that the authorizer trusts, for "Sign in with the provider". */
  oidc?: boolean;
  /** The degraded mode's grace (the config's staleIfErrorSeconds); 0 or absent fails closed. */
  staleIfErrorSeconds?: number;
  /** Puts a fault proxy between the authorizer and the table, switched by POST /__keygate/store-fault. */
  storeFaults?: boolean;
  /** Also runs the live test channel (`keygate dev --live`), granted like a title. */
  live?: boolean;
  /** The demo video's shape: `feature` (2 minutes, the default) or `short` (24 s, for tests). */
  demo?: DemoShapeName;
  /** The local DynamoDB's port on 127.0.0.1 (0 or absent: any free port). */
  dynamodbPort?: number;
  /** Allows a non-loopback `host`: the dev endpoints then mint tokens for anyone who can reach it. */
  expose?: boolean;
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
  /** The origin folder the site serves: `keygate package … --out <originDir>` adds a video (listed on the page at once). */
  originDir: string;
  /** The demo viewer on a one-screen all-access plan (stream limits). */
  limitedViewer: string;
  /**
   * With `oidc`: the local provider's issuer (its login page takes any user name), the demo page's client
   * id, and the provider's loopback controls (tests rotate its keys there).
   */
  oidc?: { issuer: string; clientId: string; controlUrl: string };
  videos: string[];
  /** With `live`: the live test channel's id (a video id) and its key window. */
  live?: {
    channel: string;
    segmentSeconds: number;
    rotateEvery: number;
    /** The key provider the packager asks over SPEKE (loopback), and what it did so far. */
    keyProvider: { url: string; counts(): { requests: number; keysCreated: number } };
  };
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

/** The log line of a packaging: what is made, and why now. */
function describeDemo(shape: DemoShapeName, work: 'package' | 'repackage'): string {
  const { seconds, ladder, segmentSeconds, rotateEvery } = DEMO_SHAPES[shape];
  const why = work === 'package' ? 'first start only' : 'the data dir holds the demo in another shape';
  return `${why}: ffmpeg, ${seconds} s, ${ladder.join(' + ')}, a key every ${segmentSeconds * rotateEvery} s`;
}

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/**
 * The whole system on one machine: dynalite persisted under the data dir, a local signing key,
 * the authorizer bundle built by the same code as the CDK asset (with a loopback endpoint), a
 * packaged demo video granted to alice, and the CloudFront emulator serving the demo page.
 */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const log = options.log ?? (() => {});
  checkDevHost(options.host, options.expose === true);
  const dataDir = resolve(options.dataDir);
  const originDir = join(dataDir, 'origin');
  const keyDir = join(dataDir, 'keys');
  const demoShape = options.demo ?? 'feature';
  mkdirSync(originDir, { recursive: true });

  const cleanups: (() => Promise<void> | void)[] = [lockDataDir(dataDir)];
  try {
    // The table, like the OpenID provider, stays on loopback whatever --host says: only the site is exposed.
    const dynamo = await startLocalDynamoDb({ path: join(dataDir, 'dynamodb'), port: options.dynamodbPort });
    cleanups.unshift(() => dynamo.close());
    const client = localDynamoDbClient(dynamo.endpoint, DEV_REGION);
    try {
      await ensureKeygateTables(client, { tableName: DEV_TABLE, leaseTableName: defaultLeaseTableName(DEV_TABLE) });
    } finally {
      client.destroy();
    }

    if (!existsSync(join(keyDir, PRIVATE_KEY_FILE))) {
      log('creating a local signing key');
      writeSigningKeyFiles(keyDir, 'ES256');
    }
    const videos = () =>
      existsSync(join(originDir, 'videos')) ? readdirSync(join(originDir, 'videos')).filter((v) => !v.startsWith('.')) : [];
    const devContext = {
      region: DEV_REGION,
      tableName: DEV_TABLE,
      jwtIssuer: DEV_ISSUER,
      jwtAudience: [DEV_AUDIENCE],
      jwks: join(keyDir, JWKS_FILE),
      // Short TTLs so a revocation shows within a couple of seconds in the demo.
      allowTtlSeconds: DEV_ALLOW_TTL_SECONDS,
      denyTtlSeconds: 1,
      // The demo video's key window: stream leases default to two of them.
      segmentSeconds: DEMO_SHAPES[demoShape].segmentSeconds,
      rotateEverySegments: DEMO_SHAPES[demoShape].rotateEvery,
      allowedOrigins: options.allowedOrigins ?? [],
      staleIfErrorSeconds: options.staleIfErrorSeconds ?? 0,
    };
    // Parsed again below once the local provider (if any) is known; the page's settings do not depend on it.
    const { cookieName, pathToken, allowedOrigins, streams } = parseKeygateConfig(devContext, { baseDir: dataDir });
    // The handler is built once the port is known: the local provider must name the page as its redirect URI.
    const edge: { handler?: EdgeHandler } = {};
    let oidc: DevStack['oidc'];
    // Only the authorizer goes through the fault proxy: the CLI and the packaging keep the table.
    const faults = options.storeFaults ? await startStoreFaultProxy(dynamo.endpoint) : undefined;
    if (faults) cleanups.unshift(() => faults.close());
    const storeEndpoint = faults?.endpoint ?? dynamo.endpoint;
    const demo = demoRoutes({
      signingKey: readSigningKeyFile(join(keyDir, PRIVATE_KEY_FILE)),
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      cookieName,
      sessionIdClaim: streams.sessionIdClaim,
      allowedOrigins,
      pathToken,
      videos,
      // The page is told where to sign in, never where the provider's controls are.
      oidc: () => oidc && { issuer: oidc.issuer, clientId: oidc.clientId },
    });
    const devTable = { table: DEV_TABLE, region: DEV_REGION, endpoint: dynamo.endpoint };
    const routes = [
      ...(faults ? [storeFaultRoute(faults)] : []),
      demoAdminRoutes({ table: devTable, leaseTable: { ...devTable, table: defaultLeaseTableName(DEV_TABLE) }, allowedOrigins }),
      demo,
    ];
    const emulator = createCloudFrontEmulator({
      // The two buckets keygate publish would fill from the origin folder: media, and keys apart.
      mediaBucket: publishedBuckets(originDir).media,
      keyBucket: publishedBuckets(originDir).keys,
      handler: async (event) =>
        edge.handler?.(event) ?? { status: '503', headers: { 'retry-after': [{ key: 'Retry-After', value: '1' }] } },
      allowedOrigins,
      hostNames: devHostNames(options.host),
      extraRoutes: async (req, res, url) => {
        for (const route of routes) if (await route(req, res, url)) return true;
        return false;
      },
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
    const url = `http://${urlHost(options.host)}:${port}/`;

    let provider: Awaited<ReturnType<typeof startLocalOidcProvider>> | undefined;
    if (options.oidc) {
      provider = await startLocalOidcProvider({ clients: [{ client_id: DEV_OIDC_CLIENT, redirect_uris: [url] }] });
      cleanups.unshift(() => provider?.stop());
      oidc = { issuer: provider.issuer, clientId: DEV_OIDC_CLIENT, controlUrl: provider.controlUrl };
      log(`local OpenID provider at ${provider.issuer} (self-signed certificate; any user name signs in)`);
    }
    // ID tokens of the local provider: aud is the page's client id; keys come from its JWKS URL.
    const trustedIssuers = provider ? [{ issuer: provider.issuer, audience: [DEV_OIDC_CLIENT], jwksUri: provider.jwksUri }] : [];
    const config = parseKeygateConfig({ ...devContext, trustedIssuers }, { baseDir: dataDir });
    // Rebuilt on every start (well under a second): the dynalite port, hence the config, changes.
    const local = { endpoint: storeEndpoint, ...(provider ? { jwksCa: provider.caPem } : {}) };
    const { bundleFile } = buildAuthorizerBundle(authorizerConfigFor(config, local), join(dataDir, 'edge'));
    edge.handler = loadEdgeHandler(bundleFile);

    options.signal?.throwIfAborted();
    const work = demoVideoWork(originDir, dataDir, demoShape);
    if (work !== 'ready') log(`packaging the demo video (${describeDemo(demoShape, work)})`);
    await ensureDemoVideo({
      originDir,
      workDir: dataDir,
      shape: demoShape,
      table: devTable,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    const live = options.live ? await startDevLiveChannel({ originDir, table: devTable, log }) : undefined;
    // Stopped first: its playlists end with EXT-X-ENDLIST while the server still runs.
    if (live) cleanups.unshift(() => live.stop());

    return {
      url,
      dynamodbEndpoint: dynamo.endpoint,
      table: DEV_TABLE,
      region: DEV_REGION,
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      signingKey: join(keyDir, PRIVATE_KEY_FILE),
      jwks: join(keyDir, JWKS_FILE),
      originDir,
      limitedViewer: DEMO_LIMITED_VIEWER,
      ...(oidc ? { oidc } : {}),
      videos: videos(),
      ...(live
        ? {
            live: {
              channel: live.channel,
              segmentSeconds: DEV_LIVE_PACKAGING.segmentSeconds,
              rotateEvery: DEV_LIVE_PACKAGING.rotateEvery,
              keyProvider: { url: live.keyProviderUrl, counts: live.keyProviderCounts },
            },
          }
        : {}),
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
