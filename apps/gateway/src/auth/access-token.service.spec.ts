import { randomBytes, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import * as jsonwebtoken from 'jsonwebtoken';
import { DomainError, ErrorCode, MemberRole } from '@up/contracts';
import { GatewayConfig } from '../config/gateway.config';
import { accessTokenJwtOptions, AccessTokenService } from './access-token.service';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';

function newTestService(overrides: Partial<GatewayConfig> = {}) {
  const config = Object.assign(new GatewayConfig(), {
    JWT_SECRET: SECRET,
    JWT_ISSUER: 'up-club',
    JWT_AUDIENCE: 'up-club-api',
    JWT_ACCESS_TTL: 900,
    ...overrides,
  });
  return {
    sut: new AccessTokenService(new JwtService(accessTokenJwtOptions(config)), config),
    config,
  };
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token signed by hand with jsonwebtoken, valid in every respect unless an option says otherwise. */
function craft(
  claims: Record<string, unknown> = {},
  options: jsonwebtoken.SignOptions & { secret?: string } = {},
): string {
  const { secret = SECRET, ...signOptions } = options;
  return jsonwebtoken.sign({ role: 'member', typ: 'access', ...claims }, secret, {
    algorithm: 'HS256',
    issuer: 'up-club',
    audience: 'up-club-api',
    subject: randomUUID(),
    expiresIn: 900,
    ...signOptions,
  });
}

function expectUnauthenticated(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect((error as DomainError).status).toBe(401);
    return;
  }
  throw new Error('expected UNAUTHENTICATED, the token was accepted');
}

describe(AccessTokenService.name, () => {
  const member = { id: randomUUID(), role: MemberRole.ORGANIZER };

  it('issues a token that it verifies back to the same member', () => {
    const { sut } = newTestService();
    const { access_token, expires_in } = sut.issue(member);
    expect(expires_in).toBe(900);
    expect(sut.verify(access_token)).toEqual(member);
  });

  it('signs HS256 with iss, aud, sub, role, typ and a JWT_ACCESS_TTL lifetime', () => {
    const { sut } = newTestService({ JWT_ACCESS_TTL: 600 });
    const token = sut.issue(member).access_token;
    const decoded = jsonwebtoken.decode(token, { complete: true }) as jsonwebtoken.Jwt;
    const payload = decoded.payload as jsonwebtoken.JwtPayload;
    expect(decoded.header.alg).toBe('HS256');
    expect(payload).toMatchObject({
      iss: 'up-club',
      aud: 'up-club-api',
      sub: member.id,
      role: 'organizer',
      typ: 'access',
    });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(600);
  });

  it('carries the session id as `sid` and verifies it back', () => {
    const { sut } = newTestService();
    const inSession = { ...member, sessionId: randomUUID() };
    const token = sut.issue(inSession).access_token;
    expect((jsonwebtoken.decode(token) as jsonwebtoken.JwtPayload).sid).toBe(inSession.sessionId);
    expect(sut.verify(token)).toEqual(inSession);
    // Without a session (tokens issued before sessions existed), no `sid` and none read back.
    expect(jsonwebtoken.decode(sut.issue(member).access_token)).not.toHaveProperty('sid');
  });

  it('accepts a correctly crafted token (the matrix below starts from a valid baseline)', () => {
    const { sut } = newTestService();
    expect(sut.verify(craft({}, { subject: member.id }))).toEqual({
      id: member.id,
      role: 'member',
    });
  });

  describe('rejects with 401', () => {
    const { sut } = newTestService();

    it('an unsigned token (alg: none)', () => {
      const header = base64url({ alg: 'none', typ: 'JWT' });
      const now = Math.floor(Date.now() / 1000);
      const payload = base64url({
        sub: member.id,
        role: 'admin',
        typ: 'access',
        iss: 'up-club',
        aud: 'up-club-api',
        iat: now,
        exp: now + 900,
      });
      expectUnauthenticated(() => sut.verify(`${header}.${payload}.`));
      expectUnauthenticated(() => sut.verify(`${header}.${payload}`));
    });

    it('a token signed with another algorithm, even with the right key', () => {
      expectUnauthenticated(() => sut.verify(craft({}, { algorithm: 'HS512' })));
      expectUnauthenticated(() => sut.verify(craft({}, { algorithm: 'HS384' })));
    });

    it('a token signed with another key', () => {
      expectUnauthenticated(() => sut.verify(craft({}, { secret: `${SECRET}-other` })));
    });

    it('a wrong audience or issuer, or none', () => {
      expectUnauthenticated(() => sut.verify(craft({}, { audience: 'another-api' })));
      expectUnauthenticated(() => sut.verify(craft({}, { issuer: 'someone-else' })));
      const now = Math.floor(Date.now() / 1000);
      const bare = jsonwebtoken.sign(
        { sub: member.id, role: 'member', typ: 'access', iat: now, exp: now + 60 },
        SECRET,
        { algorithm: 'HS256' },
      );
      expectUnauthenticated(() => sut.verify(bare));
    });

    it('an expired token', () => {
      const expired = craft({}, { expiresIn: -10 });
      expect(() => jsonwebtoken.verify(expired, SECRET)).toThrow(jsonwebtoken.TokenExpiredError);
      expectUnauthenticated(() => sut.verify(expired));
    });

    it('a tampered payload (role raised to admin, signature kept)', () => {
      const [header, , signature] = craft({}, { subject: member.id }).split('.');
      const forged = base64url({
        sub: member.id,
        role: 'admin',
        typ: 'access',
        iss: 'up-club',
        aud: 'up-club-api',
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 900,
      });
      expectUnauthenticated(() => sut.verify(`${header}.${forged}.${signature}`));
    });

    it('a refresh token presented as an access token', () => {
      // Refresh tokens are opaque random strings...
      expectUnauthenticated(() => sut.verify(randomBytes(32).toString('base64url')));
      // ...and a JWT of any other type, even signed with our key, is not an access token.
      expectUnauthenticated(() => sut.verify(craft({ typ: 'refresh' })));
      expectUnauthenticated(() => sut.verify(craft({ typ: undefined })));
    });

    it('claims that do not describe a member', () => {
      expectUnauthenticated(() => sut.verify(craft({}, { subject: 'not-a-uuid' })));
      expectUnauthenticated(() => sut.verify(craft({ role: 'superuser' })));
      expectUnauthenticated(() => sut.verify(craft({ sid: 'not-a-uuid' })));
      expectUnauthenticated(() => sut.verify(craft({ sid: 42 })));
    });

    it('garbage', () => {
      expectUnauthenticated(() => sut.verify(''));
      expectUnauthenticated(() => sut.verify('a.b.c'));
    });
  });
});
