import type Hls from 'hls.js';
import type { Fragment, HlsConfig, LoaderCallbacks, LoaderConfiguration, LoaderContext, LoadPolicy } from 'hls.js';
import { KeyFetcher } from './key-fetcher';
import { pageUrl } from './key-origins';
import { bufferAheadCap, type KeyWindowSetting } from './key-window';
import { parseKitOptions, type KeygateKitOptions } from './kit-options';

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

/** A request hls.js itself types as a key request (its key loader), not one whose URL merely looks like a key's. */
const isKeyContext = (context: LoaderContext): boolean => (context.type as string) === 'key';

/**
 * Caps hls.js's forward buffer at the key window of each media playlist it loads: maxBufferLength and
 * maxMaxBufferLength (which also bounds the maxBufferSize-based growth), never above the integrator's.
 */
function capBufferAtKeyWindow(hls: Hls, HlsClass: typeof Hls, setting: KeyWindowSetting): void {
  const own = { maxBufferLength: hls.config.maxBufferLength, maxMaxBufferLength: hls.config.maxMaxBufferLength };
  hls.on(HlsClass.Events.LEVEL_LOADED, (_event, { details }) => {
    const segments = details.fragments.map((frag: Fragment) => ({ duration: frag.duration, keyUri: frag.decryptdata?.uri ?? null }));
    const cap = bufferAheadCap(setting, segments, own.maxMaxBufferLength);
    hls.config.maxBufferLength = cap === undefined ? own.maxBufferLength : Math.min(cap, own.maxBufferLength);
    hls.config.maxMaxBufferLength = cap ?? own.maxMaxBufferLength;
  });
}

/**
 * An hls.js player whose key requests go through the kit: a loader that hands hls.js's key requests
 * on a key origin to the KeyFetcher and everything else to hls.js's own loader; a forward buffer
 * capped at the key window; on a denial, loading stops and the media is detached (playback stops
 * now, as with the other players, rather than at the end of what was buffered).
 */
export function createKeygateHls(HlsClass: typeof Hls, kitOptions: KeygateKitOptions, config: Partial<HlsConfig> = {}): Hls {
  const settings = parseKitOptions(kitOptions);
  const fetcher = new KeyFetcher({
    ...settings,
    onDenied: (denial) => {
      hls.stopLoad();
      hls.detachMedia();
      settings.onDenied(denial);
    },
  });

  const DefaultLoader = HlsClass.DefaultConfig.loader;
  class KeygateLoader extends DefaultLoader {
    private keyAborted = false;

    load(context: LoaderContext, loaderConfig: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      const url = new URL(context.url, pageUrl()).href;
      if (!isKeyContext(context) || !fetcher.keyOrigins.includes(url)) return super.load(context, loaderConfig, callbacks);
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
  hls.on(HlsClass.Events.MANIFEST_LOADING, (_event, { url }) => fetcher.keyOrigins.useSource(url));
  capBufferAtKeyWindow(hls, HlsClass, settings.keyWindow);
  return hls;
}
