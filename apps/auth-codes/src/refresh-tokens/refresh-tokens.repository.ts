import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Queryable, queryOne, queryRows } from '@up/database';
import { AUTH_SCHEMA } from '../shared/schema';

const TABLE = `"${AUTH_SCHEMA}"."refresh_tokens"`;

export interface NewRefreshToken {
  tokenHash: Buffer;
  familyId: string;
  memberId: string;
  expiresAt: Date;
}

export interface TokenFamily {
  familyId: string;
  memberId: string;
}

/** A family's token as revoking it found it. */
export interface RevokedToken {
  familyId: string;
  rotatedAt: Date | null;
  expiresAt: Date;
}

/**
 * The `auth.refresh_tokens` table. Methods that take part in a caller's transaction take its
 * manager as `db`; without one they run on the pool.
 */
@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(token: NewRefreshToken, db: Queryable = this.dataSource): Promise<void> {
    await queryRows(
      db,
      `INSERT INTO ${TABLE} (token_hash, family_id, member_id, expires_at) VALUES ($1, $2, $3, $4)`,
      [token.tokenHash, token.familyId, token.memberId, token.expiresAt],
    );
  }

  /**
   * Marks the token rotated if it is still live (not rotated, revoked or expired) and answers its
   * family; undefined when it was not live. One conditional UPDATE, so of two concurrent rotations
   * of one token exactly one wins.
   */
  rotateLive(tokenHash: Buffer, db: Queryable = this.dataSource): Promise<TokenFamily | undefined> {
    return queryOne<TokenFamily>(
      db,
      `UPDATE ${TABLE} SET rotated_at = now()
       WHERE token_hash = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now()
       RETURNING family_id AS "familyId", member_id AS "memberId"`,
      [tokenHash],
    );
  }

  /** The family of a token, live or not, and whether the token itself was already rotated. */
  findFamilyOf(tokenHash: Buffer): Promise<(TokenFamily & { rotated: boolean }) | undefined> {
    return queryOne<TokenFamily & { rotated: boolean }>(
      this.dataSource,
      `SELECT family_id AS "familyId", member_id AS "memberId", rotated_at IS NOT NULL AS rotated
       FROM ${TABLE} WHERE token_hash = $1`,
      [tokenHash],
    );
  }

  /** Revokes the family's tokens not yet revoked; answers how many. */
  async revokeFamily(familyId: string): Promise<number> {
    const row = await queryOne<{ count: number }>(
      this.dataSource,
      `WITH revoked AS (
         UPDATE ${TABLE} SET revoked_at = now()
         WHERE family_id = $1 AND revoked_at IS NULL
         RETURNING 1
       )
       SELECT count(*)::int AS count FROM revoked`,
      [familyId],
    );
    return row?.count ?? 0;
  }

  /**
   * Revokes the family's tokens not yet revoked, if the family is the member's; answers whether it
   * held a live token (was a live session). Another member's family is left untouched.
   */
  async revokeFamilyOfMember(familyId: string, memberId: string): Promise<boolean> {
    const row = await queryOne<{ live: boolean }>(
      this.dataSource,
      `WITH revoked AS (
         UPDATE ${TABLE} SET revoked_at = now()
         WHERE family_id = $1 AND member_id = $2 AND revoked_at IS NULL
         RETURNING rotated_at IS NULL AND expires_at > now() AS live
       )
       SELECT coalesce(bool_or(live), false) AS live FROM revoked`,
      [familyId, memberId],
    );
    return row?.live ?? false;
  }

  /** Revokes every token of the member not yet revoked; answers the tokens it revoked. */
  revokeMember(memberId: string): Promise<RevokedToken[]> {
    return queryRows<RevokedToken>(
      this.dataSource,
      `UPDATE ${TABLE} SET revoked_at = now()
       WHERE member_id = $1 AND revoked_at IS NULL
       RETURNING family_id AS "familyId", rotated_at AS "rotatedAt", expires_at AS "expiresAt"`,
      [memberId],
    );
  }

  /** Deletes the tokens that expired before `before`; answers how many. */
  async purgeExpiredBefore(before: Date): Promise<number> {
    const row = await queryOne<{ count: number }>(
      this.dataSource,
      `WITH purged AS (DELETE FROM ${TABLE} WHERE expires_at < $1 RETURNING 1)
       SELECT count(*)::int AS count FROM purged`,
      [before],
    );
    return row?.count ?? 0;
  }
}
