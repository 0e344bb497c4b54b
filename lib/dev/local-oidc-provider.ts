import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { KeygateError } from '../keygate-error';

export const OIDC_PROVIDER_SCRIPT = resolve(__dirname, 'oidc-provider.mjs');

export interface OidcClient {
  client_id: string;
  /** A confidential service client (client_credentials grant). */
  client_secret?: string;
  /** A public browser client (authorization code + PKCE). */
  redirect_uris?: string[];
}

export interface LocalOidcProvider {
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  /** The resource indicator whose access tokens are JWTs (their `aud`). */
  resource: string;
  /** The provider's self-signed certificate: the CA a local authorizer trusts for its JWKS URL. */
  caPem: string;
  /** Loopback http controls: `/rotate` (`?publish=later`, then `/publish`), `/drop-old-keys`, `/mode?to=up|down|stall|error`, `/stats`. */
  controlUrl: string;
  control(path: string): Promise<{ jwksRequests: number; kids: string[]; mode: string }>;
  /** A client_credentials access token (JWT) for a service client, from the provider's token endpoint. */
  clientCredentialsToken(clientId: string, secret: string): Promise<string>;
  stop(): Promise<void>;
}

/** POSTs a form to the provider over https, trusting only its own certificate. */
function postForm(url: string, form: Record<string, string>, caPem: string, basicAuth: string): Promise<Record<string, unknown>> {
  return new Promise((done, fail) => {
    const body = new URLSearchParams(form).toString();
    const req = request(
      url,
      {
        method: 'POST',
        ca: caPem,
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(basicAuth).toString('base64')}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          if (res.statusCode !== 200) fail(new KeygateError(`the provider refused the token request: ${JSON.stringify(parsed)}`));
          else done(parsed);
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * Starts panva's oidc-provider (ESM-only) as a child process on 127.0.0.1 over https, for
 * `keygate dev --oidc` and tests. It exits when stopped, or when this process goes away (stdin closes).
 */
export async function startLocalOidcProvider(options: { clients?: OidcClient[]; resource?: string } = {}): Promise<LocalOidcProvider> {
  const child: ChildProcess = spawn(process.execPath, [OIDC_PROVIDER_SCRIPT, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((done, fail) => {
    lines.once('line', done);
    child.once('exit', (code) => fail(new KeygateError(`the local OpenID provider exited (${code}): ${stderr}`)));
  });
  const started = JSON.parse(first) as Omit<LocalOidcProvider, 'control' | 'stop' | 'clientCredentialsToken'>;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    issuer: started.issuer,
    jwksUri: started.jwksUri,
    tokenEndpoint: started.tokenEndpoint,
    resource: started.resource,
    caPem: started.caPem,
    controlUrl: started.controlUrl,
    async control(path) {
      const response = await fetch(`${started.controlUrl}${path}`, { method: 'POST' });
      return (await response.json()) as { jwksRequests: number; kids: string[]; mode: string };
    },
    async clientCredentialsToken(clientId, secret) {
      const form = { grant_type: 'client_credentials', resource: started.resource, scope: 'keys' };
      const body = await postForm(started.tokenEndpoint, form, started.caPem, `${clientId}:${secret}`);
      return body.access_token as string;
    },
    async stop() {
      lines.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
