import { findCredential, parseCookies, stripCredentials } from '../../../lambda/key-authorizer/identity/credentials';
import { makeAuthorizerConfig } from '../../fixtures/authorizer-fixtures';

const config = makeAuthorizerConfig();
const legacy = makeAuthorizerConfig({ allowUidCookie: true });

describe('findCredential', () => {
  it('prefers the Authorization bearer over the cookie and the query parameter', () => {
    const found = findCredential(
      { headers: { authorization: ['Bearer aaa'], cookie: ['keygate_token=bbb'] }, querystring: 'token=ccc' },
      config,
    );
    expect(found).toEqual({ kind: 'jwt', token: 'aaa', source: 'bearer' });
  });

  it('prefers the token cookie over the query parameter', () => {
    const found = findCredential({ headers: { cookie: ['a=1; keygate_token=bbb'] }, querystring: 'token=ccc' }, config);
    expect(found).toEqual({ kind: 'jwt', token: 'bbb', source: 'cookie' });
  });

  it('reads the token query parameter when no header or cookie carries one', () => {
    expect(findCredential({ headers: {}, querystring: 'x=1&token=ccc' }, config)).toEqual({ kind: 'jwt', token: 'ccc', source: 'query' });
  });

  it('judges an empty Bearer header rather than passing over to the cookie', () => {
    const found = findCredential({ headers: { authorization: ['Bearer '], cookie: ['keygate_token=bbb'] }, querystring: '' }, config);
    expect(found).toEqual({ kind: 'jwt', token: '', source: 'bearer' });
  });

  it('passes over an Authorization header that is not a bearer token', () => {
    expect(findCredential({ headers: { authorization: ['Basic Zm9vOmJhcg=='] }, querystring: '' }, config).kind).toBe('none');
  });

  it('passes over a scheme that merely begins with Bearer', () => {
    expect(findCredential({ headers: { authorization: ['Bearerx aaa'] }, querystring: '' }, config).kind).toBe('none');
  });

  it('reads the Bearer scheme case-insensitively', () => {
    expect(findCredential({ headers: { authorization: ['bEARER aaa'] }, querystring: '' }, config)).toMatchObject({ token: 'aaa' });
  });

  it('takes a tab or several spaces after Bearer, and trims the token', () => {
    expect(findCredential({ headers: { authorization: ['Bearer \t  aaa  '] }, querystring: '' }, config)).toMatchObject({ token: 'aaa' });
  });

  it('judges a bare Bearer header, without even a space, as an empty token', () => {
    expect(findCredential({ headers: { authorization: ['Bearer'] }, querystring: '' }, config)).toEqual({
      kind: 'jwt',
      token: '',
      source: 'bearer',
    });
  });

  it('returns a bearer token holding a line separator to be judged, rather than passing over it', () => {
    const found = findCredential(
      { headers: { authorization: ['Bearer a\u2028b'], cookie: ['keygate_token=bbb'] }, querystring: '' },
      config,
    );
    expect(found).toEqual({ kind: 'jwt', token: 'a\u2028b', source: 'bearer' });
  });

  it('uses the configured cookie name', () => {
    const custom = makeAuthorizerConfig({ cookieName: 'session' });
    expect(findCredential({ headers: { cookie: ['session=zzz; keygate_token=yyy'] }, querystring: '' }, custom)).toMatchObject({
      token: 'zzz',
    });
  });

  it('ignores the legacy uid cookie unless allowUidCookie is set', () => {
    expect(findCredential({ headers: { cookie: ['uid=alice'] }, querystring: '' }, config).kind).toBe('none');
    expect(findCredential({ headers: { cookie: ['uid=alice'] }, querystring: '' }, legacy)).toEqual({ kind: 'uid-cookie', uid: 'alice' });
  });

  it('lets a token win over the legacy uid cookie even when both are allowed', () => {
    expect(findCredential({ headers: { cookie: ['uid=alice; keygate_token=t'] }, querystring: '' }, legacy).kind).toBe('jwt');
  });

  it('finds nothing in an empty request', () => {
    expect(findCredential({ headers: {}, querystring: '' }, config)).toEqual({ kind: 'none' });
  });
});

describe('stripCredentials', () => {
  it('removes the Authorization header, the credential cookies and the token parameter, and keeps the rest', () => {
    const stripped = stripCredentials(
      {
        headers: { authorization: ['Bearer x'], cookie: ['keygate_token=t; theme=dark', 'uid=alice'], 'user-agent': ['ua'] },
        querystring: 'token=t&v=2',
      },
      config,
    );
    expect(stripped).toEqual({ headers: { cookie: ['theme=dark'], 'user-agent': ['ua'] }, querystring: 'v=2' });
  });

  it('drops the cookie header entirely when only credentials were in it', () => {
    expect(stripCredentials({ headers: { cookie: ['keygate_token=t'] }, querystring: 'token=t' }, config)).toEqual({
      headers: {},
      querystring: '',
    });
  });
});

describe('parseCookies', () => {
  it('keeps the first occurrence of a repeated cookie name', () => {
    expect(parseCookies(['a=1; a=2', 'a=3']).get('a')).toBe('1');
  });
});
