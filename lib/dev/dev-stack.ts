import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { readSigningKeyFile, writeSigningKeyFiles, JWKS_FILE, PRIVATE_KEY_FILE } from '../admin/key-files';
import { EntitlementWriter } from '../admin/entitlement-client';
import { grantItem } from '../admin/entitlement-items';
import { mintToken } from '../admin/tokens';
import { buildAuthorizerBundle } from '../build/authorizer-bundle';
import { authorizerConfigFor } from '../config/authorizer-config-for';
import { parseKeygateConfig } from '../config/keygate-config';
import { packageVideo } from '../media/package-video';
import { generateTestClip } from '../media/test-clip';
import { createCloudFrontEmulator, type EdgeHandler, type EmulatorStats } from './cloudfront-emulator';
import { ensureEntitlementTable, localDynamoDbClient, startLocalDynamoDb } from './local-dynamodb';
import { playerPage } from './player-page';

export const DEV_REGION = 'us-east-1';
export const DEV_TABLE = 'keygate-dev';
export const DEV_ISSUER = 'https://keygate.dev.local';
export const DEV_AUDIENCE = 'keygate-dev';
export const DEMO_VIDEO = 'demo';

export class DevStackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevStackError';
  }
}

export interface DevStackOptions {
  port: number;
  host: string;
  dataDir: string;
  log?: (line: string) => void;
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
          ? new DevStackError(`port ${port} on ${host} is in use: stop what uses it or pass --port <another>`)
          : error,
      ),
    );
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });
}

/** Loads the built bundle as Lambda would: a fresh require of index.js, which reads its config beside itself. */
function loadEdgeHandler(bundleFile: string): EdgeHandler {
  const previous = process.env.AWS_REGION;
  process.env.AWS_REGION = DEV_REGION;
  try {
    delete require.cache[require.resolve(bundleFile)];
    return (require(bundleFile) as { handler: EdgeHandler }).handler;
  } finally {
    if (previous === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = previous;
  }
}

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
    await ensureEntitlementTable(client, DEV_TABLE);
    client.destroy();

    if (!existsSync(join(keyDir, PRIVATE_KEY_FILE))) {
      log('creating a local signing key');
      writeSigningKeyFiles(keyDir, 'ES256');
    }
    const signingKey = readSigningKeyFile(join(keyDir, PRIVATE_KEY_FILE));
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
      },
      { baseDir: dataDir },
    );
    const { bundleFile } = buildAuthorizerBundle(authorizerConfigFor(config, { endpoint: dynamo.endpoint }), join(dataDir, 'edge'));
    const handler = loadEdgeHandler(bundleFile);

    if (!existsSync(join(originDir, 'videos', DEMO_VIDEO))) {
      log('packaging the demo video (ffmpeg testsrc2, 2 renditions, a key every 2 segments)');
      const clip = join(dataDir, 'demo.mp4');
      await generateTestClip(clip, { seconds: 24, width: 320, height: 180 });
      await packageVideo({
        input: clip,
        videoId: DEMO_VIDEO,
        outDir: originDir,
        ladder: ['180p', '144p'],
        segmentSeconds: 2,
        rotateEvery: 2,
      });
      rmSync(clip, { force: true });
      const writer = new EntitlementWriter({ table: DEV_TABLE, region: DEV_REGION, endpoint: dynamo.endpoint });
      await writer.put(grantItem({ uid: 'alice', videoId: DEMO_VIDEO }, Date.now() / 1000));
      writer.destroy();
    }

    const videos = () =>
      existsSync(join(originDir, 'videos')) ? readdirSync(join(originDir, 'videos')).filter((v) => !v.startsWith('.')) : [];
    const hlsJs = readFileSync(require.resolve('hls.js/dist/hls.min.js'));
    const emulator = createCloudFrontEmulator({
      originDir,
      handler,
      allowedOrigins: config.allowedOrigins,
      extraRoutes: (_req, res, url) => {
        const token = (uid: string) =>
          mintToken({ key: signingKey, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, uid, ttlSeconds: 3600, nowSeconds: Date.now() / 1000 });
        const as = url.searchParams.get('as') ?? '';
        switch (url.pathname) {
          case '/':
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(playerPage());
            return true;
          case '/hls.js':
            res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' }).end(hlsJs);
            return true;
          case '/__keygate/videos':
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(videos()));
            return true;
          // Dev-only: stands in for your sign-in, which would set the same cookie.
          case '/__keygate/signin':
            if (!/^[a-z0-9_-]{1,32}$/.test(as)) return false;
            res
              .writeHead(204, {
                'set-cookie': `${config.cookieName}=${token(as)}; Path=/; HttpOnly; SameSite=Lax`,
                'cache-control': 'no-store',
              })
              .end();
            return true;
          case '/__keygate/signout':
            res.writeHead(204, { 'set-cookie': `${config.cookieName}=; Path=/; Max-Age=0`, 'cache-control': 'no-store' }).end();
            return true;
          case '/__keygate/token':
            if (!/^[a-z0-9_-]{1,32}$/.test(as)) return false;
            res
              .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
              .end(JSON.stringify({ token: token(as) }));
            return true;
          default:
            return false;
        }
      },
    });
    const port = await listen(emulator.server, options.port, options.host);
    cleanups.unshift(
      () =>
        new Promise<void>((done) => {
          emulator.server.closeAllConnections();
          emulator.server.close(() => done());
        }),
    );
    return {
      url: `http://${options.host}:${port}/`,
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
