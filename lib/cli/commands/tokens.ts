import type { Command } from 'commander';
import {
  AUTHORIZER_DEFAULTS,
  isSessionId,
  PATH_TOKEN_PREFIX,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  VIDEO_ID_PATTERN,
} from '../../../lambda/key-authorizer/contract';

interface TokenOptions {
  key: string;
  issuer: string;
  audience: string;
  ttl: string;
  videos?: string;
  pathUrl?: string;
  pathPrefix: string;
  pathMaxLifetime: string;
  sessionId?: string;
  sessionClaim: string;
  json?: boolean;
}
import { checkUid } from '../../admin/entitlement-items';
import { readSigningKeyFile, writeSigningKeyFiles } from '../../admin/key-files';
import { mintToken, pathTokenUrl, videoIdOfMediaUrl } from '../../admin/tokens';
import { parseDuration } from '../../duration';
import { KeygateError } from '../../keygate-error';
import { printResult, withJsonOption } from '../output';

/** keygate keygen | token: a signing key of your own, and tokens the key authorizer accepts. */
export function register(program: Command): void {
  withJsonOption(program.command('keygen'))
    .description('create a signing key (private key, mode 0600) and the JWKS to pin in cdk.json')
    .requiredOption('--out <dir>', 'directory for signing-key.pem and jwks.json')
    .option('--alg <alg>', `one of ${SIGNING_ALGORITHMS.join(', ')}`, 'ES256')
    .option('--force', 'replace an existing key (tokens signed with it stop working)')
    .action((options: { out: string; alg: string; force?: boolean; json?: boolean }) => {
      if (!SIGNING_ALGORITHMS.includes(options.alg as SigningAlgorithm))
        throw new KeygateError(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
      const files = writeSigningKeyFiles(options.out, options.alg as SigningAlgorithm, options.force === true);
      printResult(
        options,
        { ...files, alg: options.alg },
        `private key: ${files.privateKeyPath} (keep it secret)\nJWKS:        ${files.jwksPath} (set "jwks" in cdk.json to this file)\nkid:         ${files.kid}`,
      );
    });

  withJsonOption(program.command('token <uid>'))
    .description('print a signed JWT for a viewer')
    .requiredOption('--key <pem>', 'private key from keygate keygen')
    .requiredOption('--issuer <iss>', 'the jwtIssuer the authorizer expects')
    .requiredOption('--audience <aud>', 'one of the jwtAudience values')
    .option('--ttl <duration>', 'lifetime, such as 10m or 2h', '10m')
    .option('--videos <ids>', 'comma-separated video ids the token is limited to')
    .option(
      '--path-url <master>',
      'print a URL for native players instead: the master playlist URL with the token in its path (limited to that video; keep --ttl within the deployment’s pathTokenMaxLifetime, 4h by default)',
    )
    .option('--path-prefix <segment>', 'the deployment’s pathTokenPrefix', AUTHORIZER_DEFAULTS.pathTokenPrefix)
    .option(
      '--path-max-lifetime <duration>',
      'the deployment’s pathTokenMaxLifetime: a longer --ttl with --path-url is refused, as the authorizer would refuse the token',
      `${AUTHORIZER_DEFAULTS.pathTokenMaxLifetimeSeconds / 3600}h`,
    )
    .option('--session-id <id>', 'a playback session id, for plans with stream limits (one per playback)')
    .option('--session-claim <name>', 'the deployment’s sessionIdClaim', AUTHORIZER_DEFAULTS.sessionIdClaim)
    .action((uid: string, options: TokenOptions) => {
      if (options.sessionId !== undefined && !isSessionId(options.sessionId))
        throw new KeygateError('--session-id must be 8–64 of A-Z a-z 0-9 _ -, one per playback');
      const ttlSeconds = parseDuration(options.ttl);
      if (!ttlSeconds) throw new KeygateError(`--ttl ${JSON.stringify(options.ttl)} must be a duration like 10m or 2h`);
      let videos = options.videos?.split(',').map((v) => v.trim());
      if (videos?.some((v) => !VIDEO_ID_PATTERN.test(v)))
        throw new KeygateError('--videos must list video ids (A-Z a-z 0-9 _ -) separated by commas');
      if (options.pathUrl !== undefined) {
        // The authorizer accepts a token in the path only when it names its videos.
        const videoId = videoIdOfMediaUrl(options.pathUrl);
        if (videos !== undefined && !videos.includes(videoId))
          throw new KeygateError(`--videos must include ${videoId}, the video of --path-url`);
        videos ??= [videoId];
        if (!PATH_TOKEN_PREFIX.test(options.pathPrefix)) throw new KeygateError('--path-prefix must be a path segment of a-z 0-9 - (1–16)');
        const maxLifetime = parseDuration(options.pathMaxLifetime);
        if (!maxLifetime)
          throw new KeygateError(`--path-max-lifetime ${JSON.stringify(options.pathMaxLifetime)} must be a duration like 4h`);
        if (ttlSeconds > maxLifetime)
          throw new KeygateError(
            `--ttl ${options.ttl} is longer than a path token may live (${options.pathMaxLifetime}, pathTokenMaxLifetime): the authorizer would refuse this URL; pass --ttl ${options.pathMaxLifetime} or less`,
          );
      }
      const token = mintToken({
        key: readSigningKeyFile(options.key),
        issuer: options.issuer,
        audience: options.audience,
        uid: checkUid(uid),
        ttlSeconds,
        videos,
        session: options.sessionId === undefined ? undefined : { id: options.sessionId, claim: options.sessionClaim },
        nowSeconds: Date.now() / 1000,
      });
      if (options.pathUrl === undefined) printResult(options, { token }, token);
      else {
        const url = pathTokenUrl(options.pathUrl, token, options.pathPrefix);
        printResult(options, { url }, url);
      }
    });
}
