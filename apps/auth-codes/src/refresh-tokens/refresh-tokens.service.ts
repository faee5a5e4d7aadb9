import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type {
  IssuedRefreshToken,
  IssueRefreshTokenDto,
  RevokedMemberTokens,
  RevokedRefreshToken,
  RevokeMemberTokensDto,
  RevokeRefreshTokenDto,
  RotatedRefreshToken,
  RotateRefreshTokenDto,
  SessionClientDto,
} from '@up/contracts';
import { Queryable, TransactionRunner } from '@up/database';
import { AuthCodesConfig } from '../config/auth-codes.config';
import { newSecret, sha256 } from '../shared/digest';
import { clientNetwork } from './client-network';
import { invalidRefreshToken } from './refresh-tokens.errors';
import {
  NewRefreshToken,
  RefreshTokensRepository,
  RevokedToken,
} from './refresh-tokens.repository';
import { SessionClient, SessionsRepository } from './sessions.repository';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Expired rows are kept this long (reuse of a just-expired token still revokes its family), then purged. */
const PURGE_GRACE_MS = DAY_MS;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const REVOKE_MEMBER_PASSES = 3;

/**
 * Refresh-token families (OAuth 2.0 Security BCP, refresh token rotation). Tokens are opaque
 * 256-bit secrets, stored as their SHA-256. Every use rotates: one conditional UPDATE marks the
 * presented token rotated only if it is still live, so of two concurrent uses exactly one wins.
 * Presenting a token that was already rotated means a copy is in someone else's hands: the whole
 * family is revoked and both holders must sign in again. (Two legitimate concurrent refreshes of
 * one token look the same and end the same way; clients refresh one at a time.)
 *
 * A family is a session (`auth.sessions`): the sign-in starts its row, each rotation records its
 * time and client in the same transaction as the new token.
 */
@Injectable()
export class RefreshTokensService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RefreshTokensService.name);
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly transactions: TransactionRunner,
    private readonly config: AuthCodesConfig,
  ) {}

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => {
      this.purgeExpired().catch((error: unknown) =>
        this.logger.error({ err: error }, 'purging expired refresh tokens failed'),
      );
    }, PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /** A new family (session) for a fresh sign-in: the session and its first token at once. */
  async issue(request: IssueRefreshTokenDto): Promise<IssuedRefreshToken> {
    const familyId = randomUUID();
    const { token, issued } = this.newToken({ familyId, memberId: request.member_id });
    await this.sessions.startWithToken(
      {
        id: familyId,
        memberId: request.member_id,
        memberEpoch: request.session_epoch ?? 0,
        ...sessionClient(request),
      },
      token,
    );
    return issued;
  }

  async rotate(request: RotateRefreshTokenDto): Promise<RotatedRefreshToken> {
    const tokenHash = sha256(request.refresh_token);
    const rotated = await this.transactions.run(async (tx) => {
      const family = await this.tokens.rotateLive(tokenHash, tx.manager);
      if (!family) return undefined;
      const epoch = await this.sessions.touch(family.familyId, sessionClient(request), tx.manager);
      const next = await this.insertToken(family, tx.manager);
      return { member_id: family.memberId, session_epoch: epoch, ...next };
    });
    if (rotated) return rotated;

    // Not live: unknown, expired, revoked, or already rotated. Only the last one is reuse.
    const revoked = await this.revokeFamilyOf(tokenHash, { onlyIfRotated: true });
    if (revoked.familyId) {
      this.logger.warn(
        { familyId: revoked.familyId, memberId: revoked.memberId, revokedTokens: revoked.count },
        'rotated refresh token presented again: family revoked',
      );
    }
    throw invalidRefreshToken();
  }

  /** Logout: revokes the family of this token. `revoked` is false for an unknown token. */
  async revoke(request: RevokeRefreshTokenDto): Promise<RevokedRefreshToken> {
    const result = await this.revokeFamilyOf(sha256(request.refresh_token), {
      onlyIfRotated: false,
    });
    return { revoked: result.familyId !== undefined };
  }

  /** Logout everywhere: revokes every family of the member; answers how many were still live. */
  async revokeMember(request: RevokeMemberTokensDto): Promise<RevokedMemberTokens> {
    // A rotation in flight holds its old token's row lock: the UPDATE waits for it, but the new
    // token it commits was not in the UPDATE's snapshot. A second pass sees (and revokes) it. The
    // member's session epoch already refuses such a token at refresh; this keeps the session
    // list honest too. Bounded: a member signing in again and again is not chased for ever.
    const revoked: RevokedToken[] = [];
    for (let pass = 0; pass < REVOKE_MEMBER_PASSES; pass++) {
      const more = await this.tokens.revokeMember(request.member_id);
      revoked.push(...more);
      if (more.length === 0 && pass > 0) break;
    }
    const now = Date.now();
    const live = new Set(
      revoked
        .filter((token) => token.rotatedAt === null && new Date(token.expiresAt).getTime() > now)
        .map((token) => token.familyId),
    );
    return { revoked: live.size };
  }

  /** Deletes tokens that expired more than a day ago (and the sessions left without a token). */
  async purgeExpired(): Promise<number> {
    const purged = await this.tokens.purgeExpiredBefore(new Date(Date.now() - PURGE_GRACE_MS));
    await this.sessions.purgeEmpty();
    return purged;
  }

  private async insertToken(
    family: { familyId: string; memberId: string },
    db?: Queryable,
  ): Promise<IssuedRefreshToken> {
    const { token, issued } = this.newToken(family);
    await this.tokens.create(token, db);
    return issued;
  }

  /** A new refresh token of the family: the row to store and the answer to give. */
  private newToken(family: { familyId: string; memberId: string }): {
    token: NewRefreshToken;
    issued: IssuedRefreshToken;
  } {
    const refreshToken = newSecret();
    const expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * DAY_MS);
    return {
      token: {
        tokenHash: sha256(refreshToken),
        familyId: family.familyId,
        memberId: family.memberId,
        expiresAt,
      },
      issued: {
        refresh_token: refreshToken,
        session_id: family.familyId,
        expires_at: expiresAt.toISOString(),
      },
    };
  }

  private async revokeFamilyOf(
    tokenHash: Buffer,
    options: { onlyIfRotated: boolean },
  ): Promise<{ familyId?: string; memberId?: string; count: number }> {
    const found = await this.tokens.findFamilyOf(tokenHash);
    if (!found || (options.onlyIfRotated && !found.rotated)) return { count: 0 };
    const count = await this.tokens.revokeFamily(found.familyId);
    return { familyId: found.familyId, memberId: found.memberId, count };
  }
}

/** What a session keeps of its client: the User-Agent, and only the network of the address. */
function sessionClient(client: SessionClientDto): SessionClient {
  return { userAgent: client.user_agent ?? null, ipNetwork: clientNetwork(client.ip) };
}
