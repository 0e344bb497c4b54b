import { routeKeyRequest } from '../../../lambda/key-authorizer/http/key-path';

describe('routeKeyRequest', () => {
  it('accepts GET and HEAD of /keys/<videoId>/<keyName>.key', () => {
    expect(routeKeyRequest('GET', '/keys/movie_1/0.key')).toEqual({
      kind: 'key',
      videoId: 'movie_1',
      keyName: '0',
      keyPath: '/keys/movie_1/0.key',
    });
    expect(routeKeyRequest('HEAD', '/keys/a-b/key-7.key')).toEqual({
      kind: 'key',
      videoId: 'a-b',
      keyName: 'key-7',
      keyPath: '/keys/a-b/key-7.key',
    });
  });

  it('treats OPTIONS as a preflight for a well-formed key path', () => {
    expect(routeKeyRequest('OPTIONS', '/keys/movie/0.key').kind).toBe('preflight');
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'get'])('refuses the %s method with 405', (method) => {
    expect(routeKeyRequest(method, '/keys/movie/0.key').kind).toBe('method-not-allowed');
  });

  it.each([
    '/keys/../videos/x',
    '/keys/movie/../0.key',
    '/keys/%2e%2e/0.key',
    '/keys/movie%2f0.key',
    '/keys/movie%2F..%2F0.key',
    '/keys//movie/0.key',
    '/keys/movie//0.key',
    '/keys\\movie\\0.key',
    '/keys/movie\\0.key',
    '/keys/movie/0.KEY',
    '/keys/movie/0.key/',
    '/keys/movie/0.key.ts',
    '/keys/movie/0',
    '/keys/movie/.key',
    '/keys/movie/sub/0.key',
    '/keys/mo vie/0.key',
    '/keys/movie/0%2ekey',
    '/KEYS/movie/0.key',
    '/videos/movie/0.key',
    `/keys/${'a'.repeat(129)}/0.key`,
    `/keys/movie/${'k'.repeat(65)}.key`,
    '/keys/',
  ])('answers 404 for %s', (uri) => {
    expect(routeKeyRequest('GET', uri).kind).toBe('not-found');
  });

  it('accepts the longest allowed ids', () => {
    expect(routeKeyRequest('GET', `/keys/${'a'.repeat(128)}/${'k'.repeat(64)}.key`).kind).toBe('key');
  });

  it('splits a path token off /<prefix>/<token>/keys/… and routes the plain key path', () => {
    expect(routeKeyRequest('GET', '/t/aaa.bbb.ccc/keys/movie/0.key', 't')).toEqual({
      kind: 'key',
      videoId: 'movie',
      keyName: '0',
      keyPath: '/keys/movie/0.key',
      pathToken: 'aaa.bbb.ccc',
    });
  });

  it('does not know path tokens unless a prefix is configured', () => {
    expect(routeKeyRequest('GET', '/t/aaa.bbb.ccc/keys/movie/0.key').kind).toBe('not-found');
  });

  it.each([
    '/t//keys/movie/0.key',
    '/t/aaa.bbb/keys/movie/0.key',
    '/t/aaa.bbb.c%63c/keys/movie/0.key',
    '/t/aaa.bbb.ccc/keys/movie/../0.key',
    '/t/aaa.bbb.ccc/keys%2Fmovie%2F0.key',
    '/t/aaa.bbb.ccc//keys/movie/0.key',
    '/t/aaa.bbb.ccc/videos/movie/0.key',
    '/t/aaa.bbb.ccc/t/ddd.eee.fff/keys/movie/0.key',
    '/t/aaa.bbb.ccc',
    '/tt/aaa.bbb.ccc/keys/movie/0.key',
  ])('answers 404 for a malformed path-token URI: %s', (uri) => {
    expect(routeKeyRequest('GET', uri, 't').kind).toBe('not-found');
  });
});
