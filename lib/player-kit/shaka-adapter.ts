import type shakaNamespace from 'shaka-player';
import { KeyFetcher, REASON_HEADER } from './key-fetcher';
import { pageUrl } from './key-origins';
import { bufferAheadCap, segmentKeysOf, type KeyWindowSetting } from './key-window';
import { parseKitOptions, type KeygateKitOptions } from './kit-options';

type Shaka = typeof shakaNamespace;
type ShakaRequest = shakaNamespace.extern.Request;

/** The player whose filter marked a request as a key request: how the one global plugin finds its fetcher. */
const keyRequests = new WeakMap<ShakaRequest, KeyFetcher>();
const pluginInstalled = new WeakSet<Shaka>();

/**
 * Shaka's scheme plugins are global: one http(s) plugin answers the requests a Keygate player's
 * filter marked (its key requests) and hands every other request to Shaka's own fetch plugin.
 */
function installKeyPlugin(shaka: Shaka): void {
  if (pluginInstalled.has(shaka)) return;
  pluginInstalled.add(shaka);
  const { HttpFetchPlugin, HttpXHRPlugin, NetworkingEngine } = shaka.net;
  const { Error: ShakaError, AbortableOperation } = shaka.util;
  const fallback = HttpFetchPlugin.isSupported() ? HttpFetchPlugin.parse : HttpXHRPlugin.parse;

  const plugin: shakaNamespace.extern.SchemePlugin = (uri, request, requestType, progressUpdated, headersReceived, config) => {
    const fetcher = keyRequests.get(request);
    const url = new URL(uri, pageUrl()).href;
    // A request may list fallback URIs: each one is judged on its own origin.
    if (fetcher === undefined || !fetcher.keyOrigins.includes(url))
      return fallback(uri, request, requestType, progressUpdated, headersReceived, config);
    let aborted = false;
    const promise = fetcher.fetchKey(url).then((result): shakaNamespace.extern.Response => {
      if (aborted) {
        throw new ShakaError(
          ShakaError.Severity.RECOVERABLE,
          ShakaError.Category.NETWORK,
          ShakaError.Code.OPERATION_ABORTED,
          uri,
          requestType,
        );
      }
      if (result.kind === 'key')
        return { uri: url, originalUri: uri, data: result.bytes, status: result.status, headers: {}, originalRequest: request };
      if (result.kind === 'failed' && result.status === 0) {
        throw new ShakaError(
          ShakaError.Severity.RECOVERABLE,
          ShakaError.Category.NETWORK,
          ShakaError.Code.HTTP_ERROR,
          uri,
          null,
          requestType,
        );
      }
      const { status, reason } = result.kind === 'denied' ? result.denial : result;
      // A denial is CRITICAL: Shaka's own retry would only ask again for the same refusal.
      const severity = result.kind === 'denied' ? ShakaError.Severity.CRITICAL : ShakaError.Severity.RECOVERABLE;
      const headers = reason === null ? {} : { [REASON_HEADER]: reason };
      throw new ShakaError(
        severity,
        ShakaError.Category.NETWORK,
        ShakaError.Code.BAD_HTTP_STATUS,
        uri,
        status,
        null,
        headers,
        requestType,
        url,
      );
    });
    return new AbortableOperation(promise, () => {
      aborted = true;
      return Promise.resolve();
    });
  };
  for (const scheme of ['http', 'https'])
    NetworkingEngine.registerScheme(scheme, plugin, NetworkingEngine.PluginPriority.APPLICATION, true);
}

/**
 * Caps Shaka's buffering goal (and its rebuffering goal, which may not exceed it) at the key window
 * of each media playlist it loads, never above what the player was configured with at the first cap.
 */
function capBufferAtKeyWindow(shaka: Shaka, player: shakaNamespace.Player, setting: KeyWindowSetting): void {
  let own: { bufferingGoal: number; rebufferingGoal: number } | undefined;
  player.getNetworkingEngine()?.registerResponseFilter((type, response) => {
    if (type !== shaka.net.NetworkingEngine.RequestType.MANIFEST) return;
    const segments = segmentKeysOf(new TextDecoder().decode(response.data));
    if (segments.length === 0) return;
    const { bufferingGoal, rebufferingGoal } = player.getConfiguration().streaming;
    own ??= { bufferingGoal, rebufferingGoal };
    const cap = bufferAheadCap(setting, segments, own.bufferingGoal) ?? own.bufferingGoal;
    player.configure({ streaming: { bufferingGoal: cap, rebufferingGoal: Math.min(own.rebufferingGoal, cap) } });
  });
}

/**
 * Plugs the kit into a Shaka Player 5: its key requests (RequestType.KEY, on a key origin) are
 * answered by the KeyFetcher; its buffering goal is capped at the key window; a denial unloads the
 * player. Call it before `player.load()`.
 */
export function keygateShaka(shaka: Shaka, player: shakaNamespace.Player, kitOptions: KeygateKitOptions): void {
  const settings = parseKitOptions(kitOptions);
  const fetcher = new KeyFetcher({
    ...settings,
    onDenied: (denial) => {
      void player.unload();
      settings.onDenied(denial);
    },
  });
  installKeyPlugin(shaka);
  const engine = player.getNetworkingEngine();
  if (engine === null) throw new Error('Keygate player kit: the Shaka player has no networking engine (was it destroyed?)');
  engine.registerRequestFilter((type, request) => {
    if (type === shaka.net.NetworkingEngine.RequestType.KEY) keyRequests.set(request, fetcher);
  });
  player.addEventListener('loading', () => {
    fetcher.reset();
    fetcher.keyOrigins.useSource(player.getAssetUri());
  });
  capBufferAtKeyWindow(shaka, player, settings.keyWindow);
}
