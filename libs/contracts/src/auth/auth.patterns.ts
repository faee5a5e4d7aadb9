import { requestPattern } from '../bus/message';
import type {
  IssuedLoginCode,
  IssueLoginCodeDto,
  RedeemedLoginCode,
  RedeemLoginCodeDto,
} from './login-code.dto';
import type {
  IssuedRefreshToken,
  IssueRefreshTokenDto,
  RevokedMemberTokens,
  RevokedRefreshToken,
  RevokeMemberTokensDto,
  RevokeRefreshTokenDto,
  RotatedRefreshToken,
  RotateRefreshTokenDto,
} from './refresh-token.dto';
import type { ListSessionsDto, RevokedSession, RevokeSessionDto, SessionList } from './session.dto';

/**
 * Requests handled by the `auth-codes` service: one-time login codes and refresh-token families.
 *
 * WIRE NAMES: these strings travel over Redis. Renaming one while old replicas still run strands
 * their messages; rename only with a migration plan (handle both names, then drop the old one).
 */
export const AUTH = {
  /** A one-time login code for a member (10 minutes, single use). */
  ISSUE_LOGIN_CODE: requestPattern<IssueLoginCodeDto, IssuedLoginCode>(
    'auth-codes.issue_login_code',
    { callers: ['gateway', 'bot'] },
  ),
  /** Consumes a login code atomically; INVALID_AUTH_CODE when unknown, expired, used or mismatched. */
  REDEEM_LOGIN_CODE: requestPattern<RedeemLoginCodeDto, RedeemedLoginCode>(
    'auth-codes.redeem_login_code',
    { callers: ['gateway'] },
  ),
  /** Starts a new refresh-token family for a member (a fresh sign-in). */
  ISSUE_REFRESH_TOKEN: requestPattern<IssueRefreshTokenDto, IssuedRefreshToken>(
    'auth-codes.issue_refresh_token',
    { callers: ['gateway'] },
  ),
  /** Exchanges a refresh token for the next one of its family; reuse of a rotated token revokes the family. */
  ROTATE_REFRESH_TOKEN: requestPattern<RotateRefreshTokenDto, RotatedRefreshToken>(
    'auth-codes.rotate_refresh_token',
    { callers: ['gateway'] },
  ),
  /** Revokes the family of one refresh token (logout). */
  REVOKE_REFRESH_TOKEN: requestPattern<RevokeRefreshTokenDto, RevokedRefreshToken>(
    'auth-codes.revoke_refresh_token',
    { callers: ['gateway'] },
  ),
  /** Revokes every family of a member (logout everywhere; users: the merged-away member's). */
  REVOKE_MEMBER_TOKENS: requestPattern<RevokeMemberTokensDto, RevokedMemberTokens>(
    'auth-codes.revoke_member_tokens',
    { callers: ['gateway', 'users'] },
  ),
  /** The member's live sessions (refresh-token families), newest first. */
  LIST_SESSIONS: requestPattern<ListSessionsDto, SessionList>('auth-codes.list_sessions', {
    callers: ['gateway'],
  }),
  /** Ends one of the member's sessions; SESSION_NOT_FOUND when it is not a live one of theirs. */
  REVOKE_SESSION: requestPattern<RevokeSessionDto, RevokedSession>('auth-codes.revoke_session', {
    callers: ['gateway'],
  }),
} as const;
