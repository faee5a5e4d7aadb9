import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Queryable, queryOne, queryRows } from '@up/database';
import { AUTH_SCHEMA } from '../shared/schema';
import type { NewRefreshToken } from './refresh-tokens.repository';

const TABLE = `"${AUTH_SCHEMA}"."sessions"`;
const TOKENS = `"${AUTH_SCHEMA}"."refresh_tokens"`;

/** What a session records of the client at its last use. */
export interface SessionClient {
  userAgent: string | null;
  /** CIDR (see client-network.ts), never a full address. */
  ipNetwork: string | null;
}

export interface NewSession extends SessionClient {
  id: string;
  memberId: string;
  /** The member's session epoch at the sign-in (SessionEntity.memberEpoch). */
  memberEpoch: number;
}

export interface SessionRow extends SessionClient {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
}

/**
 * The `auth.sessions` table (one row per refresh-token family). Methods that take part in a
 * caller's transaction take its manager as `db`; without one they run on the pool.
 */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Starts a session with its first refresh token: one statement (both rows or neither), so a
   * sign-in costs one round trip here instead of a transaction of four.
   */
  async startWithToken(session: NewSession, token: NewRefreshToken): Promise<void> {
    await queryRows(
      this.dataSource,
      `WITH session AS (
         INSERT INTO ${TABLE} (id, member_id, member_epoch, user_agent, ip_network)
         VALUES ($1, $2, $3, $4, $5)
       )
       INSERT INTO ${TOKENS} (token_hash, family_id, member_id, expires_at)
       VALUES ($6, $1, $2, $7)`,
      [
        session.id,
        session.memberId,
        session.memberEpoch,
        session.userAgent,
        session.ipNetwork,
        token.tokenHash,
        token.expiresAt,
      ],
    );
  }

  /**
   * A use of the session (a refresh): its time and client become the latest. Answers the member
   * epoch the session was started under.
   */
  async touch(id: string, client: SessionClient, db: Queryable = this.dataSource): Promise<number> {
    const row = await queryOne<{ memberEpoch: number }>(
      db,
      `UPDATE ${TABLE} SET last_used_at = now(), user_agent = $2, ip_network = $3 WHERE id = $1
       RETURNING member_epoch AS "memberEpoch"`,
      [id, client.userAgent, client.ipNetwork],
    );
    return row?.memberEpoch ?? 0;
  }

  /** The member's live sessions (holding a live token), newest first. */
  findLiveOf(memberId: string): Promise<SessionRow[]> {
    return queryRows<SessionRow>(
      this.dataSource,
      `SELECT s.id, s.created_at AS "createdAt", s.last_used_at AS "lastUsedAt",
              s.user_agent AS "userAgent", s.ip_network::text AS "ipNetwork"
       FROM ${TABLE} s
       WHERE s.member_id = $1 AND EXISTS (
         SELECT 1 FROM ${TOKENS} t
         WHERE t.family_id = s.id
           AND t.rotated_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()
       )
       ORDER BY s.created_at DESC, s.id DESC`,
      [memberId],
    );
  }

  /** Deletes the sessions whose every token has been purged; answers how many. */
  async purgeEmpty(): Promise<number> {
    const row = await queryOne<{ count: number }>(
      this.dataSource,
      `WITH purged AS (
         DELETE FROM ${TABLE} s
         WHERE NOT EXISTS (SELECT 1 FROM ${TOKENS} t WHERE t.family_id = s.id)
         RETURNING 1
       )
       SELECT count(*)::int AS count FROM purged`,
    );
    return row?.count ?? 0;
  }
}
