import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadSigningKey } from '../../lib/admin/signing-keys';
import { createCloudFrontEmulator, type EdgeHandler } from '../../lib/dev/cloudfront-emulator';
import { demoRoutes } from '../../lib/dev/demo-routes';
import { loadEdgeHandler } from '../../lib/dev/dev-stack';
import { ensureKeygateTables, localDynamoDbClient, startLocalDynamoDb } from '../../lib/dev/local-dynamodb';
import { publishedBuckets } from '../../lib/dev/s3-bucket-model';
import { gateEverything } from '../baselines/gate-everything';
import { createSeedHandler, createSeedTable } from '../baselines/seed-handler';
import {
  BENCH_AUDIENCE,
  BENCH_COOKIE,
  BENCH_ISSUER,
  BENCH_LEASE_TABLE,
  BENCH_REGION,
  BENCH_TABLE,
  buildBenchAuthorizer,
} from './bench-authorizer';
import { serveChild } from './child';
import { DESIGNS, DYNAMO_COUNTER_PATH, type Design, type WorldInput, type WorldReady } from './world-types';

/**
 * The benchmark's world, in its own process so that load generators and the browser do not share
 * its CPU: one dynalite that counts every request, and one CloudFront emulator per design, each
 * running its edge functions from their own freshly loaded bundle (so each has its own cache).
 */
serveChild<WorldInput, WorldReady>(async (input) => {
  const counts: Record<string, number> = {};
  const dynamo = await startLocalDynamoDb({ onRequest: (operation) => (counts[operation] = (counts[operation] ?? 0) + 1) });
  const closers: (() => Promise<void>)[] = [() => dynamo.close()];
  const client = localDynamoDbClient(dynamo.endpoint, BENCH_REGION);
  await ensureKeygateTables(client, { tableName: BENCH_TABLE, leaseTableName: BENCH_LEASE_TABLE });
  client.destroy();
  await createSeedTable({ endpoint: dynamo.endpoint, region: BENCH_REGION });

  const key = loadSigningKey(input.signingKeyPem);
  const bundle = (name: string, options = {}) =>
    loadEdgeHandler(buildBenchAuthorizer(join(input.workDir, `edge-${name}`), dynamo.endpoint, key, options), BENCH_REGION);
  const handlers: Record<Design, { keys: EdgeHandler; media?: EdgeHandler }> = {
    keygate: { keys: bundle('keygate') },
    'keygate-nocache': { keys: bundle('keygate-nocache', { cacheMaxEntries: 0 }) },
    'gate-everything': (() => {
      const handler = bundle('gate-everything');
      return { keys: handler, media: gateEverything(handler) };
    })(),
    seed: { keys: createSeedHandler({ endpoint: dynamo.endpoint, region: BENCH_REGION }) },
  };

  const page = demoRoutes({ signingKey: key, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, cookieName: BENCH_COOKIE, videos: () => [] });
  const buckets = publishedBuckets(input.originDir);
  const urls = {} as Record<Design, string>;
  for (const design of DESIGNS) {
    const emulator = createCloudFrontEmulator({
      mediaBucket: buckets.media,
      keyBucket: buckets.keys,
      handler: handlers[design].keys,
      mediaHandler: handlers[design].media,
      allowedOrigins: [],
      extraRoutes: (req, res, url) => {
        if (url.pathname !== DYNAMO_COUNTER_PATH) return page(req, res, url);
        if (req.method === 'POST') for (const name of Object.keys(counts)) delete counts[name];
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
        return true;
      },
    });
    const server: Server = emulator.server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    urls[design] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closers.unshift(
      () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    );
  }
  return {
    value: { dynamodbEndpoint: dynamo.endpoint, urls },
    close: async () => {
      for (const close of closers) await close();
    },
  };
});
