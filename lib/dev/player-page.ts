/**
 * The demo page: an hls.js player configured as the README recommends, sign-in buttons for the
 * dev-only token endpoints, the video list, and the denial reason the authorizer gives.
 */
const PLAYER_CONFIG_SNIPPET = `{
  // Never retry a key the authorizer refused: a 401/403 will not change on its own.
  keyLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: 8000,
      maxLoadTimeMs: 20000,
      timeoutRetry: { maxNumRetry: 2, retryDelayMs: 0, maxRetryDelayMs: 0 },
      errorRetry: {
        maxNumRetry: 2, retryDelayMs: 1000, maxRetryDelayMs: 8000,
        shouldRetry: (config, count, isTimeout, response, retry) =>
          response && (response.code === 401 || response.code === 403) ? false : retry,
      },
    },
  },
}`;

export function playerPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Keygate demo</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 52rem; }
  video { width: 100%; background: #000; }
  button { margin-right: .5rem; }
  #status { margin: 1rem 0; padding: .5rem; background: #eef; }
  #status.denied { background: #fdd; }
</style>
<script src="/__keygate/hls.js"></script>
</head>
<body>
<h1>Keygate demo</h1>
<p>Playlists and segments are public and cached; only the keys are gated per viewer.
alice owns the demo video, bob owns nothing.</p>
<p>
  <button id="as-alice">Sign in as alice</button>
  <button id="as-bob">Sign in as bob</button>
  <button id="sign-out">Sign out</button>
  <span id="who"></span>
</p>
<p>Videos: <span id="videos"></span></p>
<video id="video" controls muted playsinline></video>
<div id="status">Pick a video.</div>
<script>
const state = { bearer: null, lastKeyReason: null, lastKeyStatus: null, hls: null, fatal: null, buffered: [] };
window.keygate = state;
const status = (text, denied) => {
  const el = document.getElementById('status');
  el.textContent = text;
  el.className = denied ? 'denied' : '';
};
const isKey = (url) => new URL(url, location.href).pathname.startsWith('/keys/');

async function signIn(who) {
  await fetch('/__keygate/signin?as=' + encodeURIComponent(who), { method: 'POST' });
  document.getElementById('who').textContent = 'signed in as ' + who;
}
async function signOut() {
  await fetch('/__keygate/signout', { method: 'POST' });
  document.getElementById('who').textContent = 'signed out';
}
document.getElementById('as-alice').onclick = () => signIn('alice');
document.getElementById('as-bob').onclick = () => signIn('bob');
document.getElementById('sign-out').onclick = signOut;

function play(videoId, options = {}) {
  const video = document.getElementById('video');
  state.bearer = options.bearer || null;
  state.lastKeyReason = null;
  state.lastKeyStatus = null;
  state.fatal = null;
  state.buffered = [];
  if (state.hls) state.hls.destroy();
  const src = '/videos/' + videoId + '/master.m3u8';
  if (!window.Hls || !Hls.isSupported()) {
    // Safari's native player: the token travels in the cookie set at sign-in.
    video.src = src;
    return video.play();
  }
  const hls = new Hls({
    ...${PLAYER_CONFIG_SNIPPET.replace(/\n/g, '\n    ')},
    ...(options.hlsConfig || {}),
    xhrSetup: (xhr, url) => {
      if (state.bearer && isKey(url)) {
        // Only key requests carry the token: playlists and segments stay anonymous and cacheable.
        xhr.open('GET', url, true);
        xhr.setRequestHeader('Authorization', 'Bearer ' + state.bearer);
      }
    },
  });
  state.hls = hls;
  hls.on(Hls.Events.FRAG_BUFFERED, (_event, data) => {
    state.buffered.push({ sn: data.frag.sn, level: data.frag.level, key: data.frag.decryptdata && data.frag.decryptdata.uri });
  });
  hls.on(Hls.Events.ERROR, (_event, data) => {
    // The key's HTTP status and the authorizer's reason come with the error itself (data.networkDetails is the XHR).
    if (data.details === Hls.ErrorDetails.KEY_LOAD_ERROR && data.response) {
      state.lastKeyStatus = data.response.code;
      state.lastKeyReason = data.networkDetails && data.networkDetails.getResponseHeader ? data.networkDetails.getResponseHeader('x-keygate-reason') : null;
    }
    // A refused key is final: switching renditions would only ask for the same key again.
    const refused = data.details === Hls.ErrorDetails.KEY_LOAD_ERROR && (state.lastKeyStatus === 401 || state.lastKeyStatus === 403);
    if ((!data.fatal && !refused) || state.fatal) return;
    if (refused) hls.stopLoad();
    state.fatal = { details: data.details, status: state.lastKeyStatus, reason: state.lastKeyReason };
    const reason = state.lastKeyReason || data.details;
    status('Playback refused: ' + reason + (state.lastKeyStatus ? ' (HTTP ' + state.lastKeyStatus + ')' : ''), true);
  });
  hls.loadSource(src);
  hls.attachMedia(video);
  status('Playing ' + videoId);
  if (options.autoplay === false) return;
  return video.play().catch(() => {});
}
window.playVideo = play;

fetch('/__keygate/videos').then((r) => r.json()).then((videos) => {
  const list = document.getElementById('videos');
  for (const id of videos) {
    const button = document.createElement('button');
    button.textContent = id;
    button.onclick = () => play(id);
    list.appendChild(button);
  }
});
</script>
</body>
</html>
`;
}
