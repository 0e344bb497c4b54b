import { DEMO_LIMITED_VIEWER } from './demo-video';
import { ACCOUNT_SCRIPT } from './player-page-account';
import { PLAYERS_SCRIPT } from './player-page-players';
import { COOKIE_SESSION_REQUIRED, REFUSAL_BY_STATUS, REFUSAL_MESSAGES } from './refusal-messages';

/**
 * The demo page: hls.js, video.js or Shaka Player, each through the Keygate player kit
 * (lib/player-kit, served as /__keygate/keygate-player.js), sign-in buttons for the dev-only token
 * endpoints, the video list, a refusal in the viewer's words, the keys fetched against the
 * playhead, and buttons that revoke the viewer or end the playback with the CLI's admin code.
 *
 * Its script is also the e2e tests' and the benchmark's handle: `playVideo(id, options)` and the
 * state in `window.keygate` (`fatal`, `denials`, `tokenRefreshes`, `video`, `hls`, `buffered`, `keysFetched`).
 */

export interface PlayerPageOptions {
  /** The dev server's URL when the page is served from another origin (the cross-origin embedding test). */
  serverUrl?: string;
}

export function playerPage(options: PlayerPageOptions = {}): string {
  // An origin (scheme, host, port) has nothing to escape in an attribute or a string literal.
  const server = options.serverUrl ? new URL(options.serverUrl).origin : '';
  const refusals = { byReason: REFUSAL_MESSAGES, byStatus: REFUSAL_BY_STATUS, cookieSessionRequired: COOKIE_SESSION_REQUIRED };
  // JSON inside a script element: `<` escaped so that no message could ever close it.
  const script = (ACCOUNT_SCRIPT + PLAYERS_SCRIPT)
    .replace('SERVER_URL', () => JSON.stringify(server))
    .replace('REFUSALS', () => JSON.stringify(refusals).replaceAll('<', '\\u003c'));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Keygate demo</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 52rem; }
  video { width: 100%; background: #000; }
  button { margin-right: .5rem; }
  label { margin-right: 1rem; }
  #ttl { width: 5rem; }
  #status { margin: 1rem 0; padding: .5rem; background: #eef; }
  #status.denied { background: #fdd; }
  #status small { color: #555; font-size: .8em; margin-left: .5rem; }
  #keys { font-family: ui-monospace, monospace; font-size: .9em; min-height: 1.2em; }
  .refused video, .refused .video-js { display: none; }
</style>
<link rel="stylesheet" href="${server}/__keygate/video-js.css">
<script src="${server}/__keygate/hls.js"></script>
<script src="${server}/__keygate/video.js"></script>
<script src="${server}/__keygate/shaka-player.js"></script>
<script src="${server}/__keygate/keygate-player.js"></script>
</head>
<body>
<h1>Keygate demo</h1>
<p>Playlists and segments are public and cached; only the keys are gated per viewer.
alice owns the demo video, bob owns nothing, ${DEMO_LIMITED_VIEWER} has every video on a one-screen plan
(bearer mode: each playback is a session). "Revoke me" and "End this session" do what
<code>keygate revoke</code> and <code>keygate end-session</code> do: watch playback stop at the next key window.</p>
<p>
  <label>Player <select id="player">
    <option value="hls.js">hls.js</option>
    <option value="video.js">video.js</option>
    <option value="shaka">Shaka Player</option>
  </select></label>
  <label>Credentials <select id="auth">
    <option value="cookie">cookie</option>
    <option value="bearer">bearer token</option>
  </select></label>
  <label>Token lifetime (s) <input id="ttl" type="number" min="1" max="86400" value="3600"></label>
</p>
<p>
  <button id="as-alice">Sign in as alice</button>
  <button id="as-bob">Sign in as bob</button>
  <button id="as-limited" data-viewer="${DEMO_LIMITED_VIEWER}">Sign in as ${DEMO_LIMITED_VIEWER} (one screen)</button>
  <button id="sign-out">Sign out</button>
  <button id="provider-sign-in" hidden>Sign in with the provider</button>
  <span id="who"></span>
</p>
<p>Videos: <span id="videos"></span> <a id="native-url" hidden>Native URL (Safari, TVs)</a></p>
<div id="player-area">
<video id="video" controls muted playsinline></video>
<div id="videojs-slot"></div>
</div>
<div id="status">Pick a video.</div>
<p id="keys"></p>
<p>
  <button id="revoke-me">Revoke me</button>
  <button id="grant-me">Grant me again</button>
  <button id="end-session">End this session</button>
  <span id="admin-result"></span>
</p>
<script>${script}</script>
</body>
</html>
`;
}
