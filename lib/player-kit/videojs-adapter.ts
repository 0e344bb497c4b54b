import { KeyFetcher } from './key-fetcher';
import { pageUrl } from './key-origins';
import { bufferAheadCap, segmentKeysOf, type KeyWindowSetting } from './key-window';
import { KeyXhr } from './key-xhr';
import { parseKitOptions, type KeygateKitOptions } from './kit-options';

/** VHS's request options, as its onRequest hooks see them. */
interface VhsRequestOptions {
  uri: string;
  /** VHS's own type of the request: `segment-key` for a key, `segment`, `hls-playlist`… */
  requestType?: string;
  [option: string]: unknown;
}

/** What VHS hands its onResponse hooks: the request, with its type and (for a playlist) its text. */
interface VhsResponseRequest {
  requestType?: string;
  responseText?: string;
}

/** The parts of VHS (video.js 8's http-streaming) the adapter uses. */
interface VhsLike {
  xhr: {
    onRequest(hook: (options: VhsRequestOptions) => VhsRequestOptions): void;
    onResponse(hook: (request: VhsResponseRequest) => void): void;
  };
  /** VHS's own controller; its goalBufferLength() is how far ahead VHS buffers (30 s growing to 60 s by default). */
  playlistController_?: { goalBufferLength(): number };
}

/** The parts of a video.js 8 player the adapter uses. */
export interface VideojsPlayerLike {
  on(event: 'xhr-hooks-ready', listener: () => void): void;
  tech(safety: { IWillNotUseThisInPlugins: true }): { vhs?: VhsLike } | undefined;
  currentSrc(): string;
  pause(): void;
  reset(): void;
  error(error: { code: number; message: string }): void;
}

/** HTML's MediaError MEDIA_ERR_ENCRYPTED: "encrypted, and we do not have the keys". */
const MEDIA_ERR_ENCRYPTED = 5;

/**
 * Caps VHS's forward buffer at the key window of each media playlist it loads. VHS's buffer settings
 * (Vhs.GOAL_BUFFER_LENGTH) are global to the page; this player's own controller is capped instead.
 */
function capBufferAtKeyWindow(vhs: VhsLike, setting: KeyWindowSetting): void {
  let cap: number | undefined;
  let capped = false;
  vhs.xhr.onResponse((request) => {
    const controller = vhs.playlistController_;
    if (request.requestType !== 'hls-playlist' || typeof request.responseText !== 'string' || controller === undefined) return;
    const segments = segmentKeysOf(request.responseText);
    if (segments.length === 0) return;
    cap = bufferAheadCap(setting, segments, Number.POSITIVE_INFINITY);
    if (capped) return;
    capped = true;
    const own = controller.goalBufferLength.bind(controller);
    controller.goalBufferLength = () => (cap === undefined ? own() : Math.min(cap, own()));
  });
}

/**
 * Plugs the kit into a video.js 8 player (VHS): every key request VHS makes (its `segment-key`
 * requests, on a key origin) is answered by the KeyFetcher through an XMLHttpRequest stand-in, so its
 * per-segment key requests (12 for 6 keys measured) and its retry loop on a refused key (58 in 60 s)
 * never reach the network; its forward buffer is capped at the key window. Call it before
 * `player.src()`: VHS announces its request hooks for every new source.
 */
export function keygateVideojs(player: VideojsPlayerLike, kitOptions: KeygateKitOptions): void {
  const settings = parseKitOptions(kitOptions);
  const fetcher = new KeyFetcher({
    ...settings,
    onDenied: (denial) => {
      // VHS would switch rendition and ask again, forever: take the source away, say why. A playing
      // player's reset() waits for play() to resolve, which it never will without the key: pause first.
      player.pause();
      player.reset();
      player.error({ code: MEDIA_ERR_ENCRYPTED, message: `Key refused: ${denial.reason ?? 'no reason'} (HTTP ${denial.status})` });
      settings.onDenied(denial);
    },
  });
  const absolute = (url: string) => new URL(url, pageUrl()).href;
  player.on('xhr-hooks-ready', () => {
    fetcher.reset();
    fetcher.keyOrigins.useSource(player.currentSrc());
    const vhs = player.tech({ IWillNotUseThisInPlugins: true })?.vhs;
    if (vhs === undefined) return;
    vhs.xhr.onRequest((options) =>
      options.requestType === 'segment-key' && fetcher.keyOrigins.includes(options.uri)
        ? { ...options, xhr: new KeyXhr(fetcher, absolute) }
        : options,
    );
    capBufferAtKeyWindow(vhs, settings.keyWindow);
  });
}
