import { networkInterfaces } from 'node:os';
import { ExposedHostError, checkDevHost, devHostNames, hostNameOf, isLoopbackHost } from '../../../lib/dev/dev-binding';

describe('where keygate dev may listen', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', 'localhost', 'LOCALHOST'])('counts %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '192.0.2.2', '10.0.0.1', 'myhost.local', '128.0.0.1', '::ffff:127.0.0.1', '127.0.0.1.example.com'])(
    'does not count %s as loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );

  it('refuses a non-loopback host without expose, naming what anyone could do there', () => {
    expect(() => checkDevHost('0.0.0.0', false)).toThrow(ExposedHostError);
    expect(() => checkDevHost('0.0.0.0', false)).toThrow(/not a loopback address: anyone who can reach it could sign in as any viewer/);
  });

  it('allows a non-loopback host with expose, and a loopback host without it', () => {
    expect(() => checkDevHost('0.0.0.0', true)).not.toThrow();
    expect(() => checkDevHost('127.0.0.1', false)).not.toThrow();
  });
});

describe('which Host names keygate dev answers (DNS rebinding)', () => {
  it.each([
    ['127.0.0.1:8080', '127.0.0.1'],
    ['LocalHost:1', 'localhost'],
    ['[::1]:8080', '::1'],
    ['[::1]', '::1'],
    ['example.com', 'example.com'],
  ])('reads the name of Host %s', (header, name) => {
    expect(hostNameOf(header)).toBe(name);
  });

  it.each([undefined, '', 'a b', '[::1', 'host:port', 'a:1:2', 'user@host'])('refuses a malformed Host %p', (header) => {
    expect(hostNameOf(header)).toBeUndefined();
  });

  it('answers the loopback names and the --host given, and not a stranger', () => {
    const names = devHostNames('127.0.0.1');
    expect(names).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost', '::1']));
    expect(names).not.toContain('rebind.attacker.example');
    expect(devHostNames('Dev.Example')).toContain('dev.example');
  });

  it("on a wildcard bind also answers this machine's own addresses", () => {
    const own = Object.values(networkInterfaces())
      .flat()
      .map((address) => address!.address);
    expect(devHostNames('0.0.0.0')).toEqual(expect.arrayContaining(own));
    expect(devHostNames('127.0.0.1')).toHaveLength(3);
  });
});
