import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { KeygateError } from '../keygate-error';
import type { SpekeHttpRequest } from './speke-key-source';

/** AWS credentials as the SDK's providers resolve them. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** SHA-256 (HMAC-SHA256 with a secret) on node:crypto, in the shape the SDK's signer asks for. */
export class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as ArrayBuffer);
    return createHmac('sha256', key);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The region of a Lambda function URL (`https://<id>.lambda-url.<region>.on.aws/`), or undefined for any other host. */
export function regionOfFunctionUrl(url: string): string | undefined {
  return /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(new URL(url).hostname)?.[1];
}

export interface Sigv4SignerOptions {
  readonly credentials: SigningCredentials | (() => Promise<SigningCredentials>);
  readonly region: string;
  /** `lambda` for a function URL with AWS_IAM auth; `execute-api` for API Gateway. */
  readonly service?: string;
  readonly now?: () => number;
}

/** The SDK's own SigV4 signer over a request as it will be sent: every header it gets is signed, and the body's hash. */
export function signerFor(options: Sigv4SignerOptions): SignatureV4 {
  return new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service ?? 'lambda',
    sha256: NodeSha256,
    // The body's hash is signed either way; X-Amz-Content-Sha256 is S3's header, not Lambda's.
    applyChecksum: false,
  });
}

/**
 * Signs SPEKE requests with SigV4, as MediaPackage signs them with its role: what a key provider
 * behind a function URL with AWS_IAM auth (or API Gateway with IAM authorization) asks of a caller.
 */
export function sigv4RequestSigner(options: Sigv4SignerOptions): (request: SpekeHttpRequest) => Promise<SpekeHttpRequest> {
  const signer = signerFor(options);
  return async (request) => {
    const url = new URL(request.url);
    if (url.search !== '') throw new KeygateError(`the key provider URL ${request.url} must not carry a query`, 'key-provider');
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: url.pathname,
        query: {},
        headers: { ...request.headers, host: url.host },
        body: request.body,
      },
      { signingDate: new Date((options.now ?? Date.now)()) },
    );
    // fetch sets Host itself from the URL (the same value): it refuses to be handed one.
    const { host: _host, ...headers } = signed.headers as Record<string, string>;
    return { ...request, headers };
  };
}
