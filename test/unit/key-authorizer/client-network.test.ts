import { networkOf } from '../../../lambda/key-authorizer/http/client-network';

const SALT = 'salt';

describe('networkOf', () => {
  it('gives addresses of one IPv4 /24 the same network, and another /24 another', () => {
    expect(networkOf('198.51.100.7', SALT)).toBe(networkOf('198.51.100.250', SALT));
    expect(networkOf('198.51.101.7', SALT)).not.toBe(networkOf('198.51.100.7', SALT));
  });

  it('reads an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(networkOf('::ffff:198.51.100.7', SALT)).toBe(networkOf('198.51.100.9', SALT));
  });

  it('gives addresses of one IPv6 /48 the same network, however they are written', () => {
    const a = networkOf('2001:db8:abcd:1::1', SALT);
    expect(networkOf('2001:0db8:ABCD:ffff:1234:5678:9abc:def0', SALT)).toBe(a);
    expect(networkOf('2001:db8:abce::1', SALT)).not.toBe(a);
    expect(networkOf('2001:db8::1', SALT)).toBe(networkOf('2001:db8:0:1::2', SALT));
  });

  it('depends on the salt: the stored value is not the prefix', () => {
    expect(networkOf('198.51.100.7', 'a')).not.toBe(networkOf('198.51.100.7', 'b'));
    expect(networkOf('198.51.100.7', SALT)).not.toContain('198');
  });

  it.each(['', 'localhost', '256.1.1.1', '1.2.3', '1:2:3:4:5:6:7:8:9', '1::2::3', 'gggg::1', '12345::1'])(
    'binds nothing for %j, which is no address',
    (ip) => {
      expect(networkOf(ip, SALT)).toBeUndefined();
    },
  );

  it('binds nothing without an address', () => {
    expect(networkOf(undefined, SALT)).toBeUndefined();
  });
});
