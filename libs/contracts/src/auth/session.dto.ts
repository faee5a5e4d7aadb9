import { ApiProperty } from '@nestjs/swagger';
import { IsIP, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { USER_AGENT_MAX_LENGTH } from './auth.limits';

/**
 * Where a sign-in or a refresh came from, as the gateway saw it: sent with every
 * `auth-codes.issue_refresh_token` and `auth-codes.rotate_refresh_token` so the session list can
 * say which device and network a session is. Both optional: a caller that knows neither still
 * gets its token.
 */
export class SessionClientDto {
  /** The client's User-Agent, cut to USER_AGENT_MAX_LENGTH by the gateway. */
  @IsOptional()
  @IsString()
  @MaxLength(USER_AGENT_MAX_LENGTH)
  user_agent?: string;

  /** The client's address (the one the rate limits use); auth-codes keeps only its network. */
  @IsOptional()
  @IsIP()
  ip?: string;
}

/** `auth-codes.list_sessions`: the member's live sessions. */
export class ListSessionsDto {
  @IsUUID()
  member_id!: string;
}

/** `auth-codes.revoke_session`: ends one of the member's sessions (SESSION_NOT_FOUND otherwise). */
export class RevokeSessionDto {
  @IsUUID()
  member_id!: string;

  @IsUUID()
  session_id!: string;
}

export interface RevokedSession {
  revoked: true;
}

/**
 * One session: a live refresh-token family, i.e. one sign-in and every refresh that followed it.
 * The shape of `GET /api/auth/sessions` (the bus answer leaves `current` out; the gateway knows
 * which one is the caller's).
 */
export class SessionView {
  @ApiProperty({ format: 'uuid', description: 'The session id (its refresh-token family)' })
  id!: string;

  @ApiProperty({ format: 'date-time', description: 'When the sign-in happened' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', description: 'The last sign-in or refresh' })
  last_used_at!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: `The client's User-Agent at the last use (at most ${USER_AGENT_MAX_LENGTH} characters)`,
  })
  user_agent!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '203.0.113.0/24',
    description: "The client's network at the last use: IPv4 shortened to /24, IPv6 to /48",
  })
  ip!: string | null;
}

export interface SessionList {
  /** Newest first. */
  sessions: SessionView[];
}

/** `GET /api/auth/sessions`: one session as the caller sees it. */
export class SessionResponse extends SessionView {
  @ApiProperty({
    description: 'True for the session the access token of this request belongs to',
  })
  current!: boolean;
}

/** `GET /api/auth/sessions`. */
export class SessionsResponse {
  @ApiProperty({ type: [SessionResponse], description: 'Newest first' })
  sessions!: SessionResponse[];
}
