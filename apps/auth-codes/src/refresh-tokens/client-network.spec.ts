import { clientNetwork } from './client-network';

describe(clientNetwork.name, () => {
  it.each([
    ['203.0.113.7', '203.0.113.0/24'],
    ['10.1.0.255', '10.1.0.0/24'],
    ['::ffff:203.0.113.7', '203.0.113.0/24'],
    ['::ffff:cb00:7107', '203.0.113.0/24'],
    ['2001:db8:abcd:12:1:2:3:4', '2001:db8:abcd::/48'],
    ['2001:0DB8:00AB::1', '2001:db8:ab::/48'],
    ['2001:db8::', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
    ['fe80::1%eth0', 'fe80:0:0::/48'],
    ['64:ff9b::198.51.100.1', '64:ff9b:0::/48'],
  ])('keeps only the network of %s: %s', (ip, network) => {
    expect(clientNetwork(ip)).toBe(network);
  });

  it.each([[undefined], [''], ['localhost'], ['203.0.113.256'], ['1:2:3:4:5:6:7:8:9']])(
    'answers null for %p',
    (ip) => {
      expect(clientNetwork(ip)).toBeNull();
    },
  );
});
