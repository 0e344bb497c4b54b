import { VIDEO_ID_PATTERN } from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';
import { signJwt, type SigningKey } from './signing-keys';

export interface MintTokenOptions {
  key: SigningKey;
  issuer: string;
  audience: string;
  uid: string;
  ttlSeconds: number;
  /** Limit the token to these videos (the `vids` claim). */
  videos?: string[];
  /** A playback session id (stream limits), in the claim the authorizer reads it from. */
  session?: { id: string; claim: string };
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
      ...(options.session ? { [options.session.claim]: options.session.id } : {}),
    },
    options.key,
  );
}

/** The video id of a master playlist URL (`https://cdn/videos/<id>/master.m3u8` or `/videos/<id>/…`). */
export function videoIdOfMediaUrl(mediaUrl: string): string {
  const path = new URL(mediaUrl, 'https://relative.invalid').pathname;
  const match = /^\/videos\/([^/]+)\/[^/]/.exec(path);
  if (!match || !VIDEO_ID_PATTERN.test(match[1])) throw new KeygateError(`${mediaUrl} is not a URL under /videos/<videoId>/`, 'pathUrl');
  return match[1];
}

/**
 * The URL a native player (Safari, iOS, AirPlay, Chrome's own HLS) can be given as it is:
 * `/<prefix>/<token>/videos/<id>/master.m3u8`. Every relative URI in the playlists keeps the prefix,
 * so each key request carries the token; the distribution strips it from media before caching.
 */
export function pathTokenUrl(mediaUrl: string, token: string, prefix: string): string {
  videoIdOfMediaUrl(mediaUrl);
  const absolute = /^https?:\/\//.test(mediaUrl);
  const url = new URL(mediaUrl, 'https://relative.invalid');
  url.pathname = `/${prefix}/${token}${url.pathname}`;
  return absolute ? url.href : `${url.pathname}${url.search}`;
}
