import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { markSecretFields, Secret } from '../bus/secret';
import { REFRESH_TOKEN_MAX_LENGTH } from './auth.limits';
import { SessionClientDto } from './session.dto';

/** `auth-codes.issue_refresh_token`: a new session, with the client it was started from. */
export class IssueRefreshTokenDto extends SessionClientDto {
  @IsUUID()
  member_id!: string;
}

// The answers of issue_refresh_token and rotate_refresh_token carry a fresh token.
markSecretFields('refresh_token');

export interface IssuedRefreshToken {
  refresh_token: string;
  /** The token's family: the session id, carried as `sid` in the access tokens of the session. */
  session_id: string;
  /** ISO 8601 UTC. */
  expires_at: string;
}

/** `auth-codes.rotate_refresh_token`, with the client that refreshes (the session's last use). */
export class RotateRefreshTokenDto extends SessionClientDto {
  @Secret()
  @IsString()
  @IsNotEmpty()
  @MaxLength(REFRESH_TOKEN_MAX_LENGTH)
  refresh_token!: string;
}

export interface RotatedRefreshToken extends IssuedRefreshToken {
  member_id: string;
}

/** `auth-codes.revoke_refresh_token`. */
export class RevokeRefreshTokenDto {
  @Secret()
  @IsString()
  @IsNotEmpty()
  @MaxLength(REFRESH_TOKEN_MAX_LENGTH)
  refresh_token!: string;
}

export interface RevokedRefreshToken {
  /** False when the token was unknown (logout answers the same either way). */
  revoked: boolean;
}

/** `auth-codes.revoke_member_tokens`. */
export class RevokeMemberTokensDto {
  @IsUUID()
  member_id!: string;
}

export interface RevokedMemberTokens {
  /** How many token families were still live and are now revoked. */
  revoked: number;
}
