import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SigningAlgorithm } from '../../lambda/key-authorizer/contract';
import { exportPrivateKeyPem, generateSigningKey, loadSigningKey, type SigningKey } from './signing-keys';
import { KeygateError } from '../keygate-error';

export const PRIVATE_KEY_FILE = 'signing-key.pem';
export const JWKS_FILE = 'jwks.json';

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
function writeAtomically(path: string, content: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode, flag: 'wx' });
  renameSync(temporary, path);
}

/**
 * Creates a signing key pair in `dir`: the private key (mode 0600) and the JWKS to pin in cdk.json.
 * Refuses to replace an existing key unless `overwrite`: losing a key invalidates every token signed with it.
 */
export function writeSigningKeyFiles(
  dir: string,
  alg: SigningAlgorithm,
  overwrite = false,
): { privateKeyPath: string; jwksPath: string; kid: string } {
  const privateKeyPath = join(dir, PRIVATE_KEY_FILE);
  const jwksPath = join(dir, JWKS_FILE);
  if (!overwrite && existsSync(privateKeyPath)) {
    throw new KeygateError(`${privateKeyPath} already exists`, 'force');
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = generateSigningKey(alg);
  writeAtomically(privateKeyPath, exportPrivateKeyPem(key), 0o600);
  writeAtomically(jwksPath, `${JSON.stringify({ keys: [key.jwk] }, null, 2)}\n`, 0o644);
  return { privateKeyPath, jwksPath, kid: key.kid };
}

export function readSigningKeyFile(path: string): SigningKey {
  if (!existsSync(path)) throw new KeygateError(`no private key at ${path}; create one with: keygate keygen --out <dir>`);
  return loadSigningKey(readFileSync(path, 'utf8'));
}
