import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type {
  IssuedRefreshToken,
  IssueRefreshTokenDto,
  RevokedMemberTokens,
  RevokedRefreshToken,
  RevokeMemberTokensDto,
  RevokeRefreshTokenDto,
  RotatedRefreshToken,
  RotateRefreshTokenDto,
} from '@up/contracts';
import { AuthCodesConfig } from '../config/auth-codes.config';
import { newSecret, sha256 } from '../shared/digest';
import { AUTH_SCHEMA } from '../shared/schema';
import { RefreshTokenEntity } from './refresh-token.entity';
import { invalidRefreshToken } from './refresh-tokens.errors';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Expired rows are kept this long (reuse of a just-expired token still revokes its family), then purged. */
const PURGE_GRACE_MS = DAY_MS;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

const TABLE = `"${AUTH_SCHEMA}"."refresh_tokens"`;

interface FamilyRow {
  family_id: string;
  member_id: string;
}

/**
 * Refresh-token families (OAuth 2.0 Security BCP, refresh token rotation). Tokens are opaque
 * 256-bit secrets, stored as their SHA-256. Every use rotates: one conditional UPDATE marks the
 * presented token rotated only if it is still live, so of two concurrent uses exactly one wins.
 * Presenting a token that was already rotated means a copy is in someone else's hands: the whole
 * family is revoked and both holders must sign in again. (Two legitimate concurrent refreshes of
 * one token look the same and end the same way; clients refresh one at a time.)
 */
@Injectable()
export class RefreshTokensService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RefreshTokensService.name);
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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

  /** A new family for a fresh sign-in. */
  issue(request: IssueRefreshTokenDto): Promise<IssuedRefreshToken> {
    return this.insertToken(this.dataSource.manager, {
      familyId: randomUUID(),
      memberId: request.member_id,
    });
  }

  async rotate(request: RotateRefreshTokenDto): Promise<RotatedRefreshToken> {
    const tokenHash = sha256(request.refresh_token);
    const rotated = await this.dataSource.transaction(async (manager) => {
      const [row] = await updateReturning<FamilyRow>(
        manager,
        `UPDATE ${TABLE} SET rotated_at = now()
         WHERE token_hash = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now()
         RETURNING family_id, member_id`,
        [tokenHash],
      );
      if (!row) return undefined;
      const next = await this.insertToken(manager, {
        familyId: row.family_id,
        memberId: row.member_id,
      });
      return { member_id: row.member_id, ...next };
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
    const rows = await updateReturning<{
      family_id: string;
      rotated_at: Date | null;
      expires_at: Date;
    }>(
      this.dataSource.manager,
      `UPDATE ${TABLE} SET revoked_at = now()
       WHERE member_id = $1 AND revoked_at IS NULL
       RETURNING family_id, rotated_at, expires_at`,
      [request.member_id],
    );
    const now = Date.now();
    const live = new Set(
      rows
        .filter((row) => row.rotated_at === null && new Date(row.expires_at).getTime() > now)
        .map((row) => row.family_id),
    );
    return { revoked: live.size };
  }

  /** Deletes tokens that expired more than a day ago. */
  async purgeExpired(): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(RefreshTokenEntity)
      .where('expires_at < :before', { before: new Date(Date.now() - PURGE_GRACE_MS) })
      .execute();
    return result.affected ?? 0;
  }

  private async insertToken(
    manager: EntityManager,
    family: { familyId: string; memberId: string },
  ): Promise<IssuedRefreshToken> {
    const refreshToken = newSecret();
    const expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * DAY_MS);
    await manager.insert(RefreshTokenEntity, {
      tokenHash: sha256(refreshToken),
      familyId: family.familyId,
      memberId: family.memberId,
      expiresAt,
    });
    return { refresh_token: refreshToken, expires_at: expiresAt.toISOString() };
  }

  private async revokeFamilyOf(
    tokenHash: Buffer,
    options: { onlyIfRotated: boolean },
  ): Promise<{ familyId?: string; memberId?: string; count: number }> {
    const found = await this.dataSource.getRepository(RefreshTokenEntity).findOne({
      select: { familyId: true, memberId: true, rotatedAt: true },
      where: { tokenHash },
    });
    if (!found || (options.onlyIfRotated && found.rotatedAt === null)) return { count: 0 };
    const result = await this.dataSource
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where('family_id = :familyId', { familyId: found.familyId })
      .andWhere('revoked_at IS NULL')
      .execute();
    return { familyId: found.familyId, memberId: found.memberId, count: result.affected ?? 0 };
  }
}

/**
 * Runs an `UPDATE ... RETURNING` and answers its rows. (TypeORM's query builder drops RETURNING
 * for some column lists, and its raw query answers `[rows, count]` for an UPDATE on PostgreSQL.)
 */
async function updateReturning<T>(
  manager: EntityManager,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const result: unknown = await manager.query(sql, parameters);
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result;
  return rows as T[];
}
