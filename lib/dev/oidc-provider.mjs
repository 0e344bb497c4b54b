// A real OpenID provider (panva's oidc-provider, certified) on 127.0.0.1 over https, for `keygate dev --oidc`
// and the identity tests. It is ESM-only, so it runs as its own process: started with one JSON argument
// (see `options` below), it prints one JSON line {issuer, jwksUri, controlUrl, caPem} on stdout and exits
// on SIGTERM or when stdin closes. A loopback http control port lets tests rotate and drop signing keys
// (or sign with a new key before publishing it),
// take the provider down or make it stall, and count the JWKS requests it served.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { URL } from 'node:url';
import Provider from 'oidc-provider';

/**
 * clients: [{ client_id, client_secret? (service client: client_credentials), redirect_uris? (public: code + PKCE) }]
 * resource: the resource indicator whose access tokens are JWTs (their aud).
 */
const options = JSON.parse(process.argv[2] ?? '{}');
const resource = options.resource ?? 'https://keygate.local/keys';
const clients = options.clients ?? [{ client_id: 'keygate-service', client_secret: 'keygate-service-secret' }];

/** A self-signed certificate for 127.0.0.1: the authorizer only fetches JWKS over https. */
function selfSignedCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-oidc-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function clientMetadata(client) {
  if (client.redirect_uris) {
    return {
      client_id: client.client_id,
      token_endpoint_auth_method: 'none',
      redirect_uris: client.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    };
  }
  return { ...client, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] };
}

/** A provider over `keys` (the first one signs). Rotating swaps in a new instance: tokens here are stateless JWTs. */
function createProvider(issuer, keys) {
  const provider = new Provider(issuer, {
    clients: clients.map(clientMetadata),
    jwks: { keys },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new Provider.errors.InvalidTarget();
          return { scope: 'keys', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 600 };
        },
      },
    },
    ttl: { IdToken: 3600, Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60 },
  });
  provider.on('server_error', (_ctx, error) => process.stderr.write(`oidc-provider: ${error.stack}\n`));
  return provider;
}

const tls = selfSignedCertificate();
let keys = [newSigningKey()];
let mode = 'up';
let jwksRequests = 0;
let provider;
/** A key that already signs but is not in the JWKS yet (`/rotate?publish=later`, then `/publish`). */
let unpublishedKid;

/** The JWKS without the unpublished key: its public halves, as the provider itself would serve them. */
function servePublishedKeys(res) {
  const published = keys.filter((k) => k.kid !== unpublishedKid).map(({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use }));
  res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: published }));
}
const sockets = new Set();

const server = createHttpsServer(tls, (req, res) => {
  if (mode === 'stall') return; // accept, read, never answer
  if (req.url?.startsWith('/jwks')) jwksRequests += 1;
  if (mode === 'error') {
    res.writeHead(503).end();
    return;
  }
  if (unpublishedKid && req.url?.startsWith('/jwks')) return servePublishedKeys(res);
  provider.callback()(req, res);
});
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const issuer = `https://127.0.0.1:${port}`;
provider = createProvider(issuer, keys);

function setMode(next) {
  if (next === 'down' && mode !== 'down') {
    server.close();
    for (const socket of sockets) socket.destroy();
  }
  if (next !== 'down' && mode === 'down') server.listen(port, '127.0.0.1');
  if (next === 'up' && mode === 'stall') for (const socket of sockets) socket.destroy(); // end stalled requests
  mode = next;
}

const control = createHttpServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  const reply = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  switch (url.pathname) {
    case '/rotate':
      keys = [newSigningKey(), ...keys];
      provider = createProvider(issuer, keys);
      if (url.searchParams.get('publish') === 'later') unpublishedKid = keys[0].kid;
      return reply({ kids: keys.map((k) => k.kid) });
    case '/publish':
      unpublishedKid = undefined;
      return reply({ kids: keys.map((k) => k.kid) });
    case '/drop-old-keys':
      keys = keys.slice(0, 1);
      provider = createProvider(issuer, keys);
      return reply({ kids: keys.map((k) => k.kid) });
    case '/mode':
      setMode(url.searchParams.get('to') ?? 'up');
      return reply({ mode });
    case '/stats':
      return reply({ jwksRequests, kids: keys.map((k) => k.kid), mode });
    default:
      res.writeHead(404).end();
  }
});
await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));

function shutdown() {
  control.close();
  server.close();
  for (const socket of sockets) socket.destroy();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();

process.stdout.write(
  `${JSON.stringify({
    issuer,
    jwksUri: `${issuer}/jwks`,
    tokenEndpoint: `${issuer}/token`,
    controlUrl: `http://127.0.0.1:${control.address().port}`,
    resource,
    caPem: tls.cert,
  })}\n`,
);
