/**
 * The demo page's account side: the dev sign-in (a cookie, or a bearer token for the player), the
 * local OpenID provider's sign-in (`--oidc`), the native-player URL, and the buttons that run the
 * CLI's admin code on the dev table. Runs in the browser; SERVER_URL is replaced by player-page.ts.
 */
export const ACCOUNT_SCRIPT = `
// Empty on the dev server itself; the dev server's URL when the page is embedded on another origin.
const server = SERVER_URL;
const crossOrigin = server !== '';
const state = {
  player: null,
  fatal: null, denials: [], tokenRefreshes: 0, buffered: [], who: null, oidc: null, providerToken: null,
  // The current playback: its video, viewer and session id (stream limits), and the key requests it made.
  videoId: null, viewer: null, sessionId: null, keysFetched: [],
};
// The players and the element stay readable (keygate.hls…) but are not enumerable: a test that reads the
// whole state (page.evaluate(() => keygate)) gets plain data, not hls.js's object graph, whose
// serialisation sometimes fails mid-playback.
for (const name of ['video', 'hls', 'vjs', 'shaka']) Object.defineProperty(state, name, { value: null, writable: true, enumerable: false });
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
$('as-limited').onclick = () => signIn($('as-limited').dataset.viewer);
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

/**
 * "revoke me", "grant me again", "end this session": the dev-only endpoints run the same lib/admin
 * code as keygate revoke, grant and end-session, on the dev table.
 */
async function admin(action, params) {
  const response = await fetch(server + '/__keygate/' + action + '?' + new URLSearchParams(params), { method: 'POST', credentials });
  const { message } = await response.json();
  $('admin-result').textContent = message;
  return message;
}
const needsPlayback = () => {
  if (state.viewer && state.videoId) return false;
  $('admin-result').textContent = 'play a video as a signed-in viewer first';
  return true;
};
window.revokeMe = () => needsPlayback() || admin('revoke', { as: state.viewer, video: state.videoId });
window.grantMeAgain = () => needsPlayback() || admin('grant', { as: state.viewer, video: state.videoId });
window.endThisSession = () => needsPlayback() || admin('end-session', { as: state.viewer, session: state.sessionId });
$('revoke-me').onclick = window.revokeMe;
$('grant-me').onclick = window.grantMeAgain;
$('end-session').onclick = window.endThisSession;

`;
