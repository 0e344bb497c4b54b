import { routeKeyRequest } from '../../../lambda/key-authorizer/http/key-path';
import { highestVersion, isEntryPlaylist, rewritePlaylistForVersion, versionedObjectKey } from '../../../lib/media/title-version';

const rendition = [
  '#EXTM3U',
  '#EXT-X-VERSION:3',
  '#EXT-X-TARGETDURATION:4',
  '#EXT-X-KEY:METHOD=AES-128,URI="../../../keys/demo/0.key",IV=0x00000000000000000000000000000000',
  '#EXTINF:4.000,',
  'seg0.ts',
  '#EXT-X-KEY:METHOD=AES-128,URI="../../../keys/demo/1.key",IV=0x00000000000000000000000000000001',
  '#EXTINF:4.000,',
  'seg1.ts',
  '#EXT-X-ENDLIST',
  '',
].join('\n');

describe('versionedObjectKey: where version n of a title is published', () => {
  it.each([
    ['videos/demo/720p/seg0.ts', 'videos/demo/v2/720p/seg0.ts'],
    ['videos/demo/720p/index.m3u8', 'videos/demo/v2/720p/index.m3u8'],
    ['videos/demo/seg0.ts', 'videos/demo/v2/seg0.ts'],
    ['keys/demo/0.key', 'keys/demo/v2-0.key'],
    ['videos/demo/master.m3u8', 'videos/demo/master.m3u8'],
  ])('%s → %s', (key, versioned) => {
    expect(versionedObjectKey(key, 2)).toBe(versioned);
  });

  it('keeps only the entry playlists (directly in videos/<id>/) at their names', () => {
    expect(isEntryPlaylist('videos/demo/master.m3u8')).toBe(true);
    expect(isEntryPlaylist('videos/demo/720p/index.m3u8')).toBe(false);
    expect(isEntryPlaylist('keys/demo/0.m3u8')).toBe(false);
  });

  it('names keys the authorizer serves as they are (its key-name pattern is not loosened)', () => {
    expect(routeKeyRequest('GET', `/${versionedObjectKey('keys/demo/0.key', 12)}`)).toMatchObject({
      kind: 'key',
      videoId: 'demo',
      keyName: 'v12-0',
    });
  });

  it('refuses a key in a subfolder: the authorizer serves none there', () => {
    expect(() => versionedObjectKey('keys/demo/old/0.key', 2)).toThrow(/a key must sit directly in keys\/<videoId>\//);
  });
});

describe('highestVersion: the next version is one more than the highest folder v<n> of the title', () => {
  it('counts the first, unprefixed publish as version 1', () => {
    expect(highestVersion([])).toBe(1);
    expect(highestVersion(['720p', '360p'])).toBe(1);
  });

  it('reads v<n> folders by number, ignoring other names', () => {
    expect(highestVersion(['720p', 'v2', 'v10', 'v9', 'vx', 'v01', 'v'])).toBe(10);
  });
});

describe('rewritePlaylistForVersion', () => {
  it('points a rendition playlist’s key URIs at the new key names, one folder deeper; segment URIs stay beside it', () => {
    expect(rewritePlaylistForVersion(rendition, 'videos/demo/720p/index.m3u8', 3)).toBe(
      rendition
        .replace('URI="../../../keys/demo/0.key"', 'URI="../../../../keys/demo/v3-0.key"')
        .replace('URI="../../../keys/demo/1.key"', 'URI="../../../../keys/demo/v3-1.key"'),
    );
  });

  it('points the master at the new version’s renditions, alternate media included', () => {
    const master = [
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",URI="audio/en/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO="aud"',
      '720p/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=400000,AUDIO="aud"',
      '360p/index.m3u8',
      '',
    ].join('\n');
    expect(rewritePlaylistForVersion(master, 'videos/demo/master.m3u8', 2)).toBe(
      master.replace('URI="audio/en/index.m3u8"', 'URI="v2/audio/en/index.m3u8"').replace(/^(\d+p)\//gm, 'v2/$1/'),
    );
  });

  it('rewrites root-relative URIs and keeps query strings; leaves absolute URLs and other titles as written', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-KEY:METHOD=AES-128,URI="/keys/demo/0.key?v=1"',
      '#EXTINF:4.000,',
      'https://cdn.example/videos/demo/720p/seg0.ts',
      '#EXT-X-KEY:METHOD=AES-128,URI="../../../keys/other/0.key"',
      '#EXTINF:4.000,',
      '/videos/demo/720p/seg1.ts',
      '',
    ].join('\n');
    expect(rewritePlaylistForVersion(playlist, 'videos/demo/720p/index.m3u8', 2).split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-KEY:METHOD=AES-128,URI="/keys/demo/v2-0.key?v=1"',
      '#EXTINF:4.000,',
      'https://cdn.example/videos/demo/720p/seg0.ts',
      '#EXT-X-KEY:METHOD=AES-128,URI="../../../keys/other/0.key"',
      '#EXTINF:4.000,',
      '/videos/demo/v2/720p/seg1.ts',
      '',
    ]);
  });

  it('resolves, from the versioned playlist’s URL, to the same objects a player would fetch (path tokens included)', () => {
    const rewritten = rewritePlaylistForVersion(rendition, 'videos/demo/720p/index.m3u8', 2);
    const keyUri = /URI="([^"]+)"/.exec(rewritten)?.[1] as string;
    expect(new URL(keyUri, 'https://cdn.example/t/a.b.c/videos/demo/v2/720p/index.m3u8').pathname).toBe('/t/a.b.c/keys/demo/v2-0.key');
  });
});
