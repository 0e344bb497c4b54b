/**
 * The demo page: hls.js, video.js or Shaka Player, each through the Keygate player kit
 * (lib/player-kit, served as /__keygate/keygate-player.js), sign-in buttons for the dev-only token
 * endpoints, the video list, and the denial reason the authorizer gives.
 *
 * Its script is also the e2e tests' and the benchmark's handle: `playVideo(id, options)` and the
 * state in `window.keygate` (`fatal`, `denials`, `tokenRefreshes`, `video`, `hls`, `buffered`).
 */
const PAGE_SCRIPT = `
// Empty on the dev server itself; the dev server's URL when the page is embedded on another origin.
const server = SERVER_URL;
const crossOrigin = server !== '';
const state = {
  player: null, video: null, hls: null, vjs: null, shaka: null,
  fatal: null, denials: [], tokenRefreshes: 0, buffered: [], who: null, oidc: null, providerToken: null,
};
window.keygate = state;
const $ = (id) => document.getElementById(id);
const status = (text, denied) => {
  $('status').textContent = text;
  $('status').className = denied ? 'denied' : '';
};
const ttl = () => $('ttl').value || '3600';

// Across origins, the sign-in cookie is the video domain's: send and receive it with credentials.
const credentials = crossOrigin ? 'include' : 'same-origin';
async function signIn(who, lifetime = ttl()) {
  await fetch(server + '/__keygate/signin?as=' + encodeURIComponent(who) + '&ttl=' + lifetime, { method: 'POST', credentials });
  state.who = who;
  $('who').textContent = 'signed in as ' + who;
}
async function signOut() {
  await fetch(server + '/__keygate/signout', { method: 'POST', credentials });
  state.who = null;
  $('who').textContent = 'signed out';
}
window.signIn = signIn;

// keygate dev --oidc: sign in at the local OpenID provider with authorization code + PKCE, done in the
// page with WebCrypto. Its ID token (aud: this page's client id) is the bearer token the players send.
const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
const randomString = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = () => location.origin + location.pathname;
async function providerSignIn() {
  const verifier = randomString();
  const pending = { verifier, state: randomString() };
  sessionStorage.setItem('keygate-pkce', JSON.stringify(pending));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    client_id: state.oidc.clientId, response_type: 'code', scope: 'openid', redirect_uri: redirectUri(),
    code_challenge: challenge, code_challenge_method: 'S256', state: pending.state,
  });
  location.assign(state.oidc.issuer + '/auth?' + query);
}
async function completeProviderSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return;
  const pending = JSON.parse(sessionStorage.getItem('keygate-pkce') || 'null');
  sessionStorage.removeItem('keygate-pkce');
  history.replaceState(null, '', redirectUri());
  if (!pending || pending.state !== params.get('state') || !params.has('code')) {
    status('Sign-in at the provider failed: ' + (params.get('error') || 'state mismatch'), true);
    return;
  }
  const response = await fetch(state.oidc.issuer + '/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(),
      client_id: state.oidc.clientId, code_verifier: pending.verifier,
    }),
  });
  const body = await response.json();
  if (!response.ok) {
    status('Sign-in at the provider failed: ' + body.error, true);
    return;
  }
  const claims = JSON.parse(atob(body.id_token.split('.')[1].replaceAll('-', '+').replaceAll('_', '/')));
  state.providerToken = body.id_token;
  state.who = null;
  $('auth').value = 'bearer';
  $('who').textContent = 'signed in at the provider as ' + claims.sub;
}
fetch(server + '/__keygate/oidc')
  .then((response) => (response.ok ? response.json() : null))
  .then((oidc) => {
    if (!oidc || crossOrigin) return;
    state.oidc = oidc;
    $('provider-sign-in').hidden = false;
    $('provider-sign-in').onclick = providerSignIn;
    return completeProviderSignIn();
  })
  .catch((error) => status('Sign-in at the provider failed: ' + error.message, true));
$('as-alice').onclick = () => signIn('alice');
$('as-bob').onclick = () => signIn('bob');
$('sign-out').onclick = signOut;

/** Your app's refresh: a new bearer token from your backend, or a new cookie from your sign-in. */
function tokenRefresher(auth, who, lifetime) {
  if (!who) return undefined;
  return async (context) => {
    state.tokenRefreshes++;
    // The kit's session id for this playback goes into the token: plans with stream limits count them.
    const query = '?as=' + encodeURIComponent(who) + '&ttl=' + lifetime + '&session=' + encodeURIComponent(context.sessionId);
    if (auth === 'cookie') {
      await fetch(server + '/__keygate/signin' + query, { method: 'POST', credentials });
      return;
    }
    const response = await fetch(server + '/__keygate/token' + query);
    return (await response.json()).token;
  };
}

/**
 * Native players (Safari's video.src, smart TVs, AirPlay) cannot add a header: they get a path-token
 * URL (/t/<token>/videos/<id>/master.m3u8) for the viewer, as \`keygate token --path-url\` prints it.
 * Null when nobody is signed in, or when the server has no path tokens.
 */
async function nativePlaybackUrl(videoId, who, lifetime) {
  if (!who) return null;
  const query = '?as=' + encodeURIComponent(who) + '&video=' + encodeURIComponent(videoId) + '&ttl=' + lifetime;
  const response = await fetch(server + '/__keygate/native-url' + query);
  return response.ok ? server + (await response.json()).url : null;
}

async function showNativeUrl(videoId, who, lifetime) {
  const url = await nativePlaybackUrl(videoId, who, lifetime).catch(() => null);
  $('native-url').hidden = url === null;
  $('native-url').href = url || '#';
}

function stopCurrent() {
  if (state.hls) state.hls.destroy();
  if (state.vjs) state.vjs.dispose();
  if (state.shaka) state.shaka.destroy();
  state.hls = state.vjs = state.shaka = null;
  $('video').hidden = false;
}

function fatal(details) {
  if (state.fatal) return;
  state.fatal = { details };
  status('Playback failed: ' + details, true);
}

async function play(videoId, options = {}) {
  stopCurrent();
  const player = options.player || $('player').value;
  const auth = options.auth || (options.bearer ? 'bearer' : $('auth').value);
  Object.assign(state, { player, fatal: null, denials: [], tokenRefreshes: 0, buffered: [] });
  const kit = {
    auth,
    // A provider sign-in's ID token, when there is one: it is not refreshed here (sign in again).
    token: options.bearer || (auth === 'bearer' && !options.as && state.providerToken) || undefined,
    withCredentials: crossOrigin,
    getToken: tokenRefresher(auth, options.as || state.who, options.ttl || ttl()),
    onDenied: (denial) => {
      state.denials.push(denial);
      state.fatal = { status: denial.status, reason: denial.reason, details: 'key-denied' };
      status('Playback refused: ' + (denial.reason || 'no reason') + ' (HTTP ' + denial.status + ')', true);
    },
  };
  // Further kit options (keyOrigins, keyWindowSeconds, withCredentials…), as a test or an integrator tries them.
  Object.assign(kit, options.kit || {});
  if (auth === 'bearer' && !kit.token && !kit.getToken) {
    fatal('sign in first: in bearer mode the page mints a token for the signed-in viewer');
    return;
  }
  const src = server + '/videos/' + videoId + '/master.m3u8';
  void showNativeUrl(videoId, options.as || state.who, options.ttl || ttl());
  status('Playing ' + videoId + ' with ' + player + ' (' + auth + ')');

  let video = $('video');
  if (player === 'video.js') {
    // video.js takes over an element of its own, and removes it again on dispose().
    $('video').hidden = true;
    video = document.createElement('video');
    video.className = 'video-js';
    video.muted = true;
    video.playsInline = true;
    $('videojs-slot').appendChild(video);
    const vjs = (state.vjs = videojs(video, { controls: true, muted: true, fluid: true, html5: { vhs: { overrideNative: true } } }));
    KeygateKit.keygateVideojs(vjs, kit);
    vjs.on('error', () => fatal(vjs.error() ? vjs.error().message : 'video.js error'));
    vjs.src({ src, type: 'application/x-mpegURL' });
  } else if (player === 'shaka') {
    const shakaPlayer = (state.shaka = new shaka.Player());
    await shakaPlayer.attach(video);
    KeygateKit.keygateShaka(shaka, shakaPlayer, kit);
    if (options.shakaConfig) shakaPlayer.configure(options.shakaConfig);
    shakaPlayer.addEventListener('error', (event) => event.detail.severity === 2 && fatal('shaka ' + event.detail.code));
    state.video = video;
    try {
      await shakaPlayer.load(src);
    } catch (error) {
      fatal('shaka ' + error.code);
    }
  } else if (!window.Hls || !Hls.isSupported()) {
    // Safari's native player: the token travels in the cookie set at sign-in.
    video.src = src;
  } else {
    const hls = (state.hls = KeygateKit.createKeygateHls(Hls, kit, options.hlsConfig || {}));
    hls.on(Hls.Events.FRAG_BUFFERED, (_event, data) => {
      state.buffered.push({ sn: data.frag.sn, level: data.frag.level, key: data.frag.decryptdata && data.frag.decryptdata.uri });
    });
    hls.on(Hls.Events.ERROR, (_event, data) => data.fatal && fatal(data.details));
    hls.loadSource(src);
    hls.attachMedia(video);
  }
  state.video = video;
  if (options.playbackRate) {
    // Faster than real time, for tests: players may reset the rate when playback starts.
    video.playbackRate = options.playbackRate;
    video.addEventListener('playing', () => (video.playbackRate = options.playbackRate));
  }
  if (options.autoplay === false) return;
  return video.play().catch(() => {});
}
window.playVideo = play;

fetch(server + '/__keygate/videos').then((r) => r.json()).then((videos) => {
  for (const id of videos) {
    const button = document.createElement('button');
    button.textContent = id;
    button.onclick = () => play(id);
    $('videos').appendChild(button);
  }
});
`;

export interface PlayerPageOptions {
  /** The dev server's URL when the page is served from another origin (the cross-origin embedding test). */
  serverUrl?: string;
}

export function playerPage(options: PlayerPageOptions = {}): string {
  // An origin (scheme, host, port) has nothing to escape in an attribute or a string literal.
  const server = options.serverUrl ? new URL(options.serverUrl).origin : '';
  const script = PAGE_SCRIPT.replace('SERVER_URL', JSON.stringify(server));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Keygate demo</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 52rem; }
  video { width: 100%; background: #000; }
  button { margin-right: .5rem; }
  label { margin-right: 1rem; }
  #ttl { width: 5rem; }
  #status { margin: 1rem 0; padding: .5rem; background: #eef; }
  #status.denied { background: #fdd; }
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
alice owns the demo video, bob owns nothing.</p>
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
  <button id="sign-out">Sign out</button>
  <button id="provider-sign-in" hidden>Sign in with the provider</button>
  <span id="who"></span>
</p>
<p>Videos: <span id="videos"></span> <a id="native-url" hidden>Native URL (Safari, TVs)</a></p>
<video id="video" controls muted playsinline></video>
<div id="videojs-slot"></div>
<div id="status">Pick a video.</div>
<script>${script}</script>
</body>
</html>
`;
}
