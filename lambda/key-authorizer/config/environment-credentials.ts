import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The edge bundle's stand-in for `@aws-sdk/credential-provider-node`, the SDK's default credential
 * chain (an esbuild alias in lib/build/authorizer-bundle.ts). Lambda, Lambda@Edge included, hands a
 * function its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN,
 * the first place that chain looks; the rest of it (SSO, INI files, process, web identity, IMDS and
 * their nested STS/SSO clients) never runs there and was about a third of the bundle. Without those
 * variables every lookup fails and the authorizer answers 503: it fails closed.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> => fromEnv(init);
