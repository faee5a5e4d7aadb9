import { sessionClientOf } from './session-client';

describe(sessionClientOf.name, () => {
  it('passes the User-Agent, cut to 256 characters, and the client address', () => {
    expect(
      sessionClientOf({ ip: '203.0.113.7', headers: { 'user-agent': 'a'.repeat(300) } }),
    ).toEqual({ user_agent: 'a'.repeat(256), ip: '203.0.113.7' });
  });

  it('leaves out what is missing, and an address that is not one', () => {
    expect(sessionClientOf({ headers: {} })).toEqual({});
    expect(sessionClientOf({ ip: 'unknown', headers: { 'user-agent': '' } })).toEqual({});
  });
});
