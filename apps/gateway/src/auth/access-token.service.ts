import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
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

interface AccessTokenClaims {
  sub?: unknown;
  role?: unknown;
  typ?: unknown;
}

/**
 * Issues and verifies the gateway's JWT access tokens: HS256 only, `iss` and `aud` set and checked,
 * `sub` = member id, `role`, `typ: "access"`, JWT_ACCESS_TTL seconds. Every failure (bad signature,
 * `alg: none` or another algorithm, wrong issuer or audience, expired, not an access token) is the
 * same UNAUTHENTICATED error: the caller learns nothing about which check failed.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: GatewayConfig,
  ) {}

  issue(member: AuthenticatedMember): IssuedAccessToken {
    const access_token = this.jwt.sign(
      { role: member.role, typ: ACCESS_TOKEN_TYPE },
      {
        secret: this.config.JWT_SECRET,
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
        secret: this.config.JWT_SECRET,
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
      });
    } catch {
      // jsonwebtoken's reason (expired, bad signature, ...) is deliberately not passed on.
      throw invalidAccessToken();
    }
    const { sub, role, typ } = claims;
    if (
      typ !== ACCESS_TOKEN_TYPE ||
      typeof sub !== 'string' ||
      !UUID.test(sub) ||
      !isMemberRole(role)
    ) {
      throw invalidAccessToken();
    }
    return { id: sub, role };
  }
}

export function invalidAccessToken(): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, 'Invalid or expired access token');
}
