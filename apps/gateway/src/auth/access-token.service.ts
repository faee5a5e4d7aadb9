import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtModuleOptions, JwtService } from '@nestjs/jwt';
import { DomainError, ErrorCode, isMemberRole } from '@up/contracts';
import { GatewayConfig } from '../config/gateway.config';
import { AuthenticatedMember } from './authenticated-member';

/** The only algorithm the gateway signs with and accepts: pinned on both sides. */
export const ACCESS_TOKEN_ALGORITHM = 'HS256';
/** `typ` claim of access tokens, so no other token signed with the same key passes as one. */
export const ACCESS_TOKEN_TYPE = 'access';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface IssuedAccessToken {
  access_token: string;
  /** Seconds until it expires. */
  expires_in: number;
}

/**
 * The JwtService options: the HMAC key as a KeyObject, made once. Given the secret as a string,
 * jsonwebtoken first tries to parse it as a PEM public key on every verification (and fails): that
 * attempt was the gateway's most expensive step per authenticated request.
 */
export function accessTokenJwtOptions(config: Pick<GatewayConfig, 'JWT_SECRET'>): JwtModuleOptions {
  return { secret: createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8')) };
}

interface AccessTokenClaims {
  sub?: unknown;
  role?: unknown;
  typ?: unknown;
  sid?: unknown;
}

/**
 * Issues and verifies the gateway's JWT access tokens: HS256 only, `iss` and `aud` set and checked,
 * `sub` = member id, `role`, `typ: "access"`, `sid` = the session (refresh-token family) when the
 * token comes from a sign-in or a refresh, JWT_ACCESS_TTL seconds. Every failure (bad signature,
 * `alg: none` or another algorithm, wrong issuer or audience, expired, not an access token) is the
 * same UNAUTHENTICATED error: the caller learns nothing about which check failed. The key is the
 * JwtService's (AccessTokenModule); algorithm, issuer and audience are given on every call.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: GatewayConfig,
  ) {}

  issue(member: AuthenticatedMember): IssuedAccessToken {
    const access_token = this.jwt.sign(
      {
        role: member.role,
        typ: ACCESS_TOKEN_TYPE,
        ...(member.sessionId === undefined ? {} : { sid: member.sessionId }),
      },
      {
        algorithm: ACCESS_TOKEN_ALGORITHM,
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        subject: member.id,
        expiresIn: this.config.JWT_ACCESS_TTL,
      },
    );
    return { access_token, expires_in: this.config.JWT_ACCESS_TTL };
  }

  verify(token: string): AuthenticatedMember {
    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims & object>(token, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
      });
    } catch {
      // jsonwebtoken's reason (expired, bad signature, ...) is deliberately not passed on.
      throw invalidAccessToken();
    }
    const { sub, role, typ, sid } = claims;
    if (
      typ !== ACCESS_TOKEN_TYPE ||
      typeof sub !== 'string' ||
      !UUID.test(sub) ||
      !isMemberRole(role) ||
      (sid !== undefined && (typeof sid !== 'string' || !UUID.test(sid)))
    ) {
      throw invalidAccessToken();
    }
    return sid === undefined ? { id: sub, role } : { id: sub, role, sessionId: sid };
  }
}

export function invalidAccessToken(): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, 'Invalid or expired access token');
}
