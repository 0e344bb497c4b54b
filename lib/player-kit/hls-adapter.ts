import type Hls from 'hls.js';
import type { HlsConfig, LoaderCallbacks, LoaderConfiguration, LoaderContext, LoadPolicy } from 'hls.js';
import { KeyFetcher } from './key-fetcher';
import { parseKitOptions, type KeygateKitOptions } from './kit-options';
import { isKeyUrl, pageUrl } from './key-url';

/** Retries are the kit's business: hls.js must not ask again for a key the authorizer refused. */
const KEY_LOAD_POLICY: LoadPolicy = {
  default: {
    maxTimeToFirstByteMs: 8000,
    maxLoadTimeMs: 20000,
    timeoutRetry: { maxNumRetry: 2, retryDelayMs: 0, maxRetryDelayMs: 0 },
    errorRetry: {
      maxNumRetry: 2,
      retryDelayMs: 1000,
      maxRetryDelayMs: 8000,
      shouldRetry: (_config, _count, _isTimeout, response, retry) =>
        response !== undefined && [401, 403, 503].includes(response.code ?? 0) ? false : retry,
    },
  },
};

/**
 * An hls.js player whose key requests go through the kit: a loader that hands key URLs to the
 * KeyFetcher and everything else to hls.js's own loader; stopLoad() when a key is denied.
 */
export function createKeygateHls(HlsClass: typeof Hls, kitOptions: KeygateKitOptions, config: Partial<HlsConfig> = {}): Hls {
  const settings = parseKitOptions(kitOptions);
  const fetcher = new KeyFetcher({
    ...settings,
    onDenied: (denial) => {
      hls.stopLoad();
      settings.onDenied(denial);
    },
  });

  const DefaultLoader = HlsClass.DefaultConfig.loader;
  class KeygateLoader extends DefaultLoader {
    private keyAborted = false;

    load(context: LoaderContext, loaderConfig: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      const url = new URL(context.url, pageUrl()).href;
      if (!isKeyUrl(url, pageUrl())) return super.load(context, loaderConfig, callbacks);
      this.context = context;
      const { stats } = this;
      stats.loading.start = performance.now();
      void fetcher.fetchKey(url).then((result) => {
        if (this.keyAborted) return;
        stats.loading.first = stats.loading.end = performance.now();
        if (result.kind === 'key') {
          stats.loaded = stats.total = result.bytes.byteLength;
          callbacks.onSuccess({ url, data: result.bytes, code: result.status }, stats, context, null);
          return;
        }
        const { status, reason } = result.kind === 'denied' ? result.denial : result;
        callbacks.onError({ code: status, text: reason ?? 'key request failed' }, context, null, stats);
      });
    }

    abort(): void {
      this.keyAborted = true;
      super.abort();
    }
  }

  const hls = new HlsClass({ keyLoadPolicy: KEY_LOAD_POLICY, ...config, loader: KeygateLoader });
  return hls;
}
