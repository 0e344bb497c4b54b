import type { CloudFrontRequestEvent } from '../../lambda/key-authorizer/contract';
import type { EdgeHandler } from '../../lib/dev/cloudfront-emulator';

const MEDIA_URI = /^\/videos\/([^/]+)\//;

/**
 * The per-segment design: the same Keygate authorizer (the built bundle, its cache included)
 * attached to the default behavior as well, so every playlist and segment request runs it.
 * A request for /videos/<id>/… is judged exactly as a key of video <id> would be; what passes
 * is served unchanged.
 */
export function gateEverything(keygate: EdgeHandler): EdgeHandler {
  return async (event) => {
    const request = event.Records[0].cf.request;
    const videoId = MEDIA_URI.exec(request.uri)?.[1];
    if (!videoId) return { status: '404', statusDescription: 'Not Found', headers: {}, body: '' };
    const asKey: CloudFrontRequestEvent = {
      Records: [{ cf: { ...event.Records[0].cf, request: { ...request, uri: `/keys/${videoId}/0.key` } } }],
    };
    const result = await keygate(asKey);
    return 'status' in result ? result : request;
  };
}
