import { httpsJwksFetcher } from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';
import { readTrustedIssuers } from './trusted-issuers';

/** What an operator adds to one `trustedIssuers` entry beyond what discovery says. */
export interface IssuerChoices {
  audience?: string[];
  clientIds?: string[];
  tokenUse?: 'id' | 'access';
  uidClaim?: string;
}

/** The `trustedIssuers` entry as written to cdk.json (defaults left out). */
export type TrustedIssuerEntry = { issuer: string; jwksUri: string } & IssuerChoices;

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/**
 * The cdk.json entry for an OpenID provider, from its discovery document. Per OpenID Connect
 * Discovery, the document's `issuer` must be exactly the URL it was read from, or its tokens would
 * carry another `iss`; the entry is then checked as `cdk synth` would check it.
 */
export function trustedIssuerFromDiscovery(issuerUrl: string, discovery: unknown, choices: IssuerChoices): TrustedIssuerEntry {
  const document = (typeof discovery === 'object' && discovery !== null ? discovery : {}) as Record<string, unknown>;
  if (document.issuer !== issuerUrl) {
    throw new KeygateError(
      `the discovery document names the issuer ${JSON.stringify(document.issuer)}, not ${issuerUrl}: pass exactly that URL (trailing slash included)`,
      'issuerUrl',
    );
  }
  if (typeof document.jwks_uri !== 'string') throw new KeygateError('the discovery document has no jwks_uri', 'issuerUrl');
  const entry: TrustedIssuerEntry = { issuer: issuerUrl, jwksUri: document.jwks_uri };
  for (const [key, value] of Object.entries(choices)) {
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) Object.assign(entry, { [key]: value });
  }
  readTrustedIssuers({ trustedIssuers: [entry] }, process.cwd());
  return entry;
}

/** Reads the discovery document at deploy time (never at the edge): https only, bounded in time and size. */
export async function readDiscovery(issuerUrl: string): Promise<unknown> {
  if (!issuerUrl.startsWith('https://')) throw new KeygateError('the issuer URL must be https', 'issuerUrl');
  try {
    return await httpsJwksFetcher({ timeoutMs: 10_000, maxBytes: 256 * 1024 })(discoveryUrl(issuerUrl));
  } catch (error) {
    throw new KeygateError(`cannot read ${discoveryUrl(issuerUrl)}: ${(error as Error).message}`, 'issuerUrl');
  }
}
