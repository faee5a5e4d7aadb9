import { createHmac } from 'node:crypto';
import { BusKeyring, developmentBusKey } from './bus-keyring';

const GATEWAY_KEY = 'g'.repeat(40);

describe(BusKeyring.name, () => {
  const gateway = new BusKeyring({ own: { gateway: GATEWAY_KEY }, trusted: {} });
  const users = new BusKeyring({ own: {}, trusted: { gateway: GATEWAY_KEY } });

  it("verifies a message under its sender's key only", () => {
    const signature = gateway.sign('gateway', '{"p":"users.admin_update"}');

    expect(users.verify('gateway', '{"p":"users.admin_update"}', signature)).toBe(true);
    expect(users.verify('gateway', '{"p":"users.admin_update","x":1}', signature)).toBe(false);
    expect(users.verify('bot', '{"p":"users.admin_update"}', signature)).toBe(false);
    expect(users.verify('gateway', '{"p":"users.admin_update"}', 'AAAA')).toBe(false);
  });

  it('signs with the wire format: base64url HMAC-SHA256 of the name, a newline and the message', () => {
    // Replicas of other versions verify each other's messages during a rollout.
    const expected = createHmac('sha256', GATEWAY_KEY)
      .update('gateway\n{"p":"users.get_profile"}')
      .digest('base64url');

    expect(gateway.sign('gateway', '{"p":"users.get_profile"}')).toBe(expected);
  });

  it('refuses, without throwing, a signature of any other length or alphabet', () => {
    const signature = gateway.sign('gateway', 'x');

    for (const forged of ['', `${signature}=`, signature.slice(1), `é${signature.slice(2)}`]) {
      expect(users.verify('gateway', 'x', forged)).toBe(false);
    }
  });

  it('signs as no party it holds no key of, and trusts no unknown party, outside development', () => {
    expect(() => users.sign('gateway', 'x')).toThrow('No bus signing key for "gateway"');
    const fromDevelopment = new BusKeyring({ own: {}, trusted: {}, developmentKeys: true });

    expect(users.verify('bot', 'x', fromDevelopment.sign('bot', 'x'))).toBe(false);
    expect(users.trusts('bot')).toBe(false);
  });

  it('trusts its own key: a message it signed verifies (another replica, its healthcheck)', () => {
    const signature = gateway.sign('gateway', 'x');

    expect(gateway.verify('gateway', 'x', signature)).toBe(true);
    expect(gateway.trusts('gateway')).toBe(true);
    expect(users.trusts('users')).toBe(false);
  });

  it('knows every party by its development key in development and test', () => {
    const sut = new BusKeyring({ own: {}, trusted: {}, developmentKeys: true });
    const bot = new BusKeyring({ own: { bot: developmentBusKey('bot') }, trusted: {} });

    expect(sut.verify('bot', 'x', bot.sign('bot', 'x'))).toBe(true);
    expect(sut.trusts('anyone')).toBe(true);
  });
});
