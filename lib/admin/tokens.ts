import { signJwt, type SigningKey } from './signing-keys';

export interface MintTokenOptions {
  key: SigningKey;
  issuer: string;
  audience: string;
  uid: string;
  ttlSeconds: number;
  /** Limit the token to these videos (the `vids` claim). */
  videos?: string[];
  nowSeconds: number;
}

/** A token the key authorizer accepts: iss, aud, sub, iat, exp and optionally vids. */
export function mintToken(options: MintTokenOptions): string {
  const iat = Math.floor(options.nowSeconds);
  return signJwt(
    {
      iss: options.issuer,
      aud: options.audience,
      sub: options.uid,
      iat,
      exp: iat + options.ttlSeconds,
      ...(options.videos ? { vids: options.videos } : {}),
    },
    options.key,
  );
}
