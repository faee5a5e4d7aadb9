import { Injectable } from '@nestjs/common';
import type { ListSessionsDto, RevokedSession, RevokeSessionDto, SessionList } from '@up/contracts';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { sessionNotFound } from './sessions.errors';
import { SessionsRepository } from './sessions.repository';

/**
 * A member's sessions: their live refresh-token families, listed and ended one by one. Ending all
 * of them is `RefreshTokensService.revokeMember` (logout everywhere).
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly tokens: RefreshTokensRepository,
  ) {}

  async list(request: ListSessionsDto): Promise<SessionList> {
    const rows = await this.sessions.findLiveOf(request.member_id);
    return {
      sessions: rows.map((row) => ({
        id: row.id,
        created_at: row.createdAt.toISOString(),
        last_used_at: row.lastUsedAt.toISOString(),
        user_agent: row.userAgent,
        ip: row.ipNetwork,
      })),
    };
  }

  /** Ends one live session of the member; SESSION_NOT_FOUND for any other id. */
  async revoke(request: RevokeSessionDto): Promise<RevokedSession> {
    const wasLive = await this.tokens.revokeFamilyOfMember(request.session_id, request.member_id);
    if (!wasLive) throw sessionNotFound();
    return { revoked: true };
  }
}
