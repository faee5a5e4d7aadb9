import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { markSecretFields, Secret } from '../bus/secret';
import { REFRESH_TOKEN_MAX_LENGTH } from './auth.limits';
import { SessionClientDto } from './session.dto';

/**
 * `auth-codes.issue_refresh_token`: a new session, with the client it was started from.
 * `session_epoch` is the member's session epoch as the sign-in's `users.record_login` answered it;
 * the family keeps it, and a refresh of a family older than the member's current epoch is refused
 * (deactivation raises the epoch). Absent means 0, the epoch of a member never deactivated, so a
 * caller that forgets it gets sessions that end rather than outlive a deactivation.
 */
export class IssueRefreshTokenDto extends SessionClientDto {
  @IsUUID()
  member_id!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  session_epoch?: number;
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
  /** The member's session epoch when the family was started (see IssueRefreshTokenDto). */
  session_epoch: number;
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
