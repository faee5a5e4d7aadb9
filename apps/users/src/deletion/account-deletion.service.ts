import { Injectable } from '@nestjs/common';
import { DeleteMemberDto, MEMBER_EVENTS, MemberDeletedResult } from '@up/contracts';
import { PasswordHasher } from '../credentials/password-hasher';
import { MemberTransactions } from '../members/member-transactions';
import { memberNotFound } from '../members/members.errors';
import { MembersRepository } from '../members/members.repository';
import { DeletionRepository } from './deletion.repository';
import { passwordRequired, passwordWrong, recentSignInRequired } from './deletion.errors';

/** A member without a password proves it is them by a sign-in this recent. */
export const RECENT_SIGN_IN_MINUTES = 5;

/**
 * Deleting an account (`DELETE /api/users/me`). The row stays, erased, so what others keep stays
 * consistent: ledger rows reference the member id only, members it referred stay counted, its
 * referral code answers 404 like any inactive member's. Personal data goes (names, username,
 * email, photo, Telegram id, password, language), with the member's mailed tokens and unsent
 * mail; `member.deleted` goes out with the transaction, and the events service gives back its
 * upcoming seats and waitlist places, with refunds. The caller ends the sessions.
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly hasher: PasswordHasher,
    private readonly deletion: DeletionRepository,
  ) {}

  /**
   * MEMBER_NOT_FOUND for a deleted (or merged) member; VALIDATION_FAILED on `password` when it is
   * missing or wrong; RECENT_SIGN_IN_REQUIRED for a member without a password whose last sign-in
   * is older than RECENT_SIGN_IN_MINUTES.
   */
  async delete(dto: DeleteMemberDto): Promise<MemberDeletedResult> {
    const member = await this.members.getById(this.transactions.manager, dto.member_id);
    if (member.deletedAt !== null || member.mergedInto !== null) throw memberNotFound();
    if (member.passwordHash !== null) {
      if (dto.password === undefined) throw passwordRequired();
      if (!(await this.hasher.verify(member.passwordHash, dto.password))) throw passwordWrong();
    } else if (
      member.lastLogin === null ||
      member.lastLogin.getTime() < Date.now() - RECENT_SIGN_IN_MINUTES * 60_000
    ) {
      throw recentSignInRequired(RECENT_SIGN_IN_MINUTES);
    }
    return this.transactions.run(async (tx) => {
      const locked = await this.members.getByIdForUpdate(tx, member.id);
      if (locked.deletedAt !== null || locked.mergedInto !== null) throw memberNotFound();
      // Changed meanwhile (a reset, a change): what was proven no longer holds.
      if (locked.passwordHash !== member.passwordHash) throw passwordWrong();
      await this.deletion.dropTokensAndMail(tx, { memberId: member.id, email: locked.email });
      await this.members.applyChanges(tx, member.id, {
        email: null,
        emailVerifiedAt: null,
        passwordHash: null,
        telegramId: null,
        username: null,
        fullName: '',
        firstName: null,
        lastName: null,
        photoUrl: null,
        languageCode: null,
        language: null,
        notifyAnnouncements: false,
        notifyReminders: false,
        telegramReachable: false,
        isActive: false,
        deletedAt: () => 'now()',
      });
      tx.publish(MEMBER_EVENTS.DELETED, { member_id: member.id });
      return { member_id: member.id };
    });
  }
}
