import { Injectable } from '@nestjs/common';
import { queryOne, queryRows } from '@up/database';
import type { MemberTx } from '../members/member-transactions';
import { MemberTokenPurpose } from './member-token.entity';

/** What a consumed token proved. */
export interface ConsumedToken {
  memberId: string;
  email: string | null;
}

/** `users.member_tokens`: mailed one-time tokens, by their SHA-256. */
@Injectable()
export class MemberTokensRepository {
  async add(
    tx: MemberTx,
    row: {
      memberId: string;
      purpose: MemberTokenPurpose;
      tokenHash: string;
      email: string | null;
      ttlSeconds: number;
    },
  ): Promise<void> {
    await queryRows(
      tx.manager,
      `INSERT INTO users.member_tokens (member_id, purpose, token_hash, email, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [row.memberId, row.purpose, row.tokenHash, row.email, row.ttlSeconds],
    );
  }

  /**
   * Uses the token up, in one statement: of two requests with the same token only one gets a row
   * back (the second waits for the first's row lock, then sees `used_at` set).
   */
  async consume(
    tx: MemberTx,
    args: { purpose: MemberTokenPurpose; tokenHash: string },
  ): Promise<ConsumedToken | undefined> {
    const row = await queryOne<{ member_id: string; email: string | null }>(
      tx.manager,
      `UPDATE users.member_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING member_id, email`,
      [args.tokenHash, args.purpose],
    );
    return row && { memberId: row.member_id, email: row.email };
  }

  /** Ends every unused token of this purpose of the member (a reset link after the password changed). */
  async useUpAll(
    tx: MemberTx,
    args: { memberId: string; purpose: MemberTokenPurpose },
  ): Promise<void> {
    await queryRows(
      tx.manager,
      `UPDATE users.member_tokens SET used_at = now()
        WHERE member_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [args.memberId, args.purpose],
    );
  }
}
