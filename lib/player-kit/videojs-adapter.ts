import { KeyFetcher } from './key-fetcher';
import { KeyXhr } from './key-xhr';
import { parseKitOptions, type KeygateKitOptions } from './kit-options';
import { isKeyUrl, pageUrl } from './key-url';

/** VHS's request options, as its onRequest hooks see them. */
interface VhsRequestOptions {
  uri: string;
  [option: string]: unknown;
}

/** The parts of a video.js 8 player the adapter uses. */
export interface VideojsPlayerLike {
  on(event: 'xhr-hooks-ready', listener: () => void): void;
  tech(safety: {
    IWillNotUseThisInPlugins: true;
  }): { vhs?: { xhr: { onRequest(hook: (options: VhsRequestOptions) => VhsRequestOptions): void } } } | undefined;
  pause(): void;
  reset(): void;
  error(error: { code: number; message: string }): void;
}

/** HTML's MediaError MEDIA_ERR_ENCRYPTED: "encrypted, and we do not have the keys". */
const MEDIA_ERR_ENCRYPTED = 5;

/**
 * Plugs the kit into a video.js 8 player (VHS): every key request VHS makes is answered by the
 * KeyFetcher through an XMLHttpRequest stand-in, so its per-segment key requests (12 for 6 keys
 * measured) and its retry loop on a refused key (58 in 60 s) never reach the network. Call it
 * before `player.src()`: VHS announces its request hooks for every new source.
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
    player
      .tech({ IWillNotUseThisInPlugins: true })
      ?.vhs?.xhr.onRequest((options) => (isKeyUrl(options.uri, pageUrl()) ? { ...options, xhr: new KeyXhr(fetcher, absolute) } : options));
  });
}
