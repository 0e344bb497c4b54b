/**
 * The demo page's player side: one playback at a time through the Keygate player kit, each player
 * torn down completely before the next starts, a refusal told in the viewer's words, and a live
 * line of the keys fetched against the playhead. Runs in the browser after ACCOUNT_SCRIPT;
 * REFUSALS is replaced by player-page.ts with the messages of refusal-messages.ts.
 */
export const PLAYERS_SCRIPT = `
const refusals = REFUSALS;

/**
 * Ends the current playback for good: Shaka's destroy() is asynchronous, and a player attached to
 * the element before it finished hung (Shaka after Shaka) or played nothing (hls.js after Shaka).
 * The element then drops its MediaSource, so the next player starts from a clean element.
 */
async function teardown() {
  const { hls, vjs, shaka: shakaPlayer } = state;
  state.hls = state.vjs = state.shaka = null;
  if (hls) hls.destroy();
  if (vjs) vjs.dispose();
  if (shakaPlayer) await shakaPlayer.destroy();
  const video = $('video');
  if (hls || shakaPlayer) {
    video.pause();
    video.removeAttribute('src');
    video.load();
  }
  video.hidden = false;
  $('player-area').classList.remove('refused');
}

function fatal(details) {
  if (state.fatal) return;
  state.fatal = { details };
  status('Playback failed: ' + details, true);
}

/** "You don't own this video", and the reason code in small print; the player is hidden, so no spinner is left turning. */
function showRefusal(denial, auth) {
  const text =
    denial.reason === 'session-required' && auth === 'cookie'
      ? refusals.cookieSessionRequired
      : refusals.byReason[denial.reason] || refusals.byStatus[denial.status] || 'Playback refused';
  const headline = document.createElement('strong');
  headline.textContent = text;
  const code = document.createElement('small');
  code.textContent = (denial.reason || 'no reason') + ' (HTTP ' + denial.status + ')';
  $('status').replaceChildren(headline, ' ', code);
  $('status').className = 'denied';
  $('player-area').classList.add('refused');
  // The keys line keeps the moment of the refusal: a player that unloads would otherwise show 0:00.
  clearInterval(keyLineTimer);
}

// Every key request the page makes, whichever player asked: the kit answers repeats from memory,
// so these are the requests the authorizer saw.
let playbackStartedAt = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const path = new URL(entry.name).pathname;
    if (path.includes('/keys/') && entry.startTime >= playbackStartedAt) state.keysFetched.push(path);
  }
}).observe({ type: 'resource' });

/** The key windows of a playlist, in order: each key's path and the media time it covers. */
async function keyWindows(src) {
  const masterUrl = new URL(src, location.href);
  const master = await (await fetch(masterUrl)).text();
  const variant = new URL(master.split('\\n').find((line) => line.trim().endsWith('.m3u8')).trim(), masterUrl);
  const lines = (await (await fetch(variant)).text()).split('\\n');
  const windows = [];
  let time = 0;
  let key = null;
  for (const line of lines) {
    const uri = /^#EXT-X-KEY:.*URI="([^"]+)"/.exec(line);
    if (uri) key = new URL(uri[1], variant).pathname;
    const duration = /^#EXTINF:([\\d.]+)/.exec(line);
    if (!duration) continue;
    const last = windows[windows.length - 1];
    if (last && last.key === key) last.end = time + Number(duration[1]);
    else windows.push({ key, start: time, end: time + Number(duration[1]) });
    time += Number(duration[1]);
  }
  return windows;
}

const clock = (seconds) => Math.floor(seconds / 60) + ':' + String(Math.floor(seconds % 60)).padStart(2, '0');

/** "keys fetched 6 of 15 · playhead 0:21, in key window 3 · 2 keys fetched ahead of it". */
function describeKeys(windows) {
  const time = state.video ? state.video.currentTime : 0;
  const fetched = new Set(state.keysFetched);
  const index = windows.findIndex((w) => time < w.end);
  const current = index < 0 ? windows.length - 1 : index;
  const ahead = windows.filter((w, i) => i > current && fetched.has(w.key)).length;
  return 'keys fetched ' + fetched.size + ' of ' + windows.length + ' · playhead ' + clock(time) +
    ', in key window ' + (current + 1) + ' · ' + ahead + ' key' + (ahead === 1 ? '' : 's') + ' fetched ahead of it';
}

let keyLineTimer = null;
async function followKeys(src) {
  clearInterval(keyLineTimer);
  const windows = await keyWindows(src).catch(() => null);
  if (!windows || windows.length === 0) return;
  const update = () => ($('keys').textContent = describeKeys(windows));
  update();
  keyLineTimer = setInterval(update, 250);
}

const randomSessionId = () => b64url(crypto.getRandomValues(new Uint8Array(12)));

async function startPlayback(videoId, options) {
  await teardown();
  const player = options.player || $('player').value;
  const auth = options.auth || (options.bearer ? 'bearer' : $('auth').value);
  const viewer = options.as || state.who;
  Object.assign(state, {
    player, fatal: null, denials: [], tokenRefreshes: 0, buffered: [],
    videoId, viewer, sessionId: randomSessionId(), keysFetched: [],
  });
  playbackStartedAt = performance.now();
  const kit = {
    auth,
    // A provider sign-in's ID token, when there is one: it is not refreshed here (sign in again).
    token: options.bearer || (auth === 'bearer' && !options.as && state.providerToken) || undefined,
    withCredentials: crossOrigin,
    sessionId: state.sessionId,
    getToken: tokenRefresher(auth, viewer, options.ttl || ttl()),
    onDenied: (denial) => {
      state.denials.push(denial);
      state.fatal = { status: denial.status, reason: denial.reason, details: 'key-denied' };
      showRefusal(denial, auth);
    },
  };
  // Further kit options (keyOrigins, keyWindowSeconds, withCredentials…), as a test or an integrator tries them.
  Object.assign(kit, options.kit || {});
  if (auth === 'bearer' && !kit.token && !kit.getToken) {
    fatal('sign in first: in bearer mode the page mints a token for the signed-in viewer');
    return;
  }
  const src = server + '/videos/' + videoId + '/master.m3u8';
  void showNativeUrl(videoId, viewer, options.ttl || ttl());
  void followKeys(src);
  status('Playing ' + videoId + ' with ' + player + ' (' + auth + ')');

  let video = $('video');
  let loaded = Promise.resolve();
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
    loaded = shakaPlayer.load(src).catch((error) => fatal('shaka ' + error.code));
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
  return { video, loaded };
}

// One player set up at a time: a play asked for during a teardown waits for it. Loading and
// playing stay outside the queue: a refused video never starts, and must not hold up the next play.
let setups = Promise.resolve();
async function play(videoId, options = {}) {
  const setup = setups.then(() => startPlayback(videoId, options));
  setups = setup.catch(() => {});
  const started = await setup;
  if (!started || options.autoplay === false) return;
  await started.loaded;
  return started.video.play().catch(() => {});
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
