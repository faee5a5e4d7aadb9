import { Injectable } from '@nestjs/common';
import { queryRows } from '@up/database';
import type { MemberTx } from '../members/member-transactions';

/** What deleting an account removes besides the member's own row: mailed tokens and unsent mail. */
@Injectable()
export class DeletionRepository {
  async dropTokensAndMail(tx: MemberTx, args: { memberId: string; email: string | null }) {
    await queryRows(tx.manager, `DELETE FROM users.member_tokens WHERE member_id = $1`, [
      args.memberId,
    ]);
    if (args.email !== null) {
      await queryRows(tx.manager, `DELETE FROM users.mail_outbox WHERE to_address = $1`, [
        args.email,
      ]);
    }
  }
}
