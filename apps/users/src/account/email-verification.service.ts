import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  ChangeEmailDto,
  MailRequestAccepted,
  MemberProfileResult,
  ResendVerificationDto,
  VerifyEmailDto,
} from '@up/contracts';
import { isUniqueViolation } from '@up/database';
import { emailTaken } from '../credentials/credentials.errors';
import { MemberEntity } from '../members/member.entity';
import { MemberRolesPolicy } from '../members/member-roles.policy';
import { MemberTransactions, MemberTx } from '../members/member-transactions';
import { memberInactive } from '../members/members.errors';
import { MembersRepository } from '../members/members.repository';
import { MemberMerges } from '../merges/member-merges';
import { INLINE_STEP_TIMEOUT_MS } from '../merges/telegram-link.service';
import { profileResult } from '../members/members.service';
import { ReferralRewards } from '../referrals/referral-rewards';
import { AccountMails } from './account-mails';
import { AccountTokens } from './account-tokens';
import { invalidToken } from './account.errors';
import { MemberTokenPurpose } from './member-token.entity';

const EMAIL_KEY = 'members_email_key';
const ACCEPTED: MailRequestAccepted = { accepted: true };

/** A Telegram member without an email may verify another member's address: the two merge. */
function mayMergeByEmail(member: Pick<MemberEntity, 'telegramId' | 'email'>): boolean {
  return member.telegramId !== null && member.email === null;
}

/**
 * Proving an email: the links mailed at registration, on request and for a change of address, and
 * what a verified email unlocks (ADMIN_EMAILS, the referrer's reward).
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly tokens: AccountTokens,
    private readonly mails: AccountMails,
    private readonly roles: MemberRolesPolicy,
    private readonly referrals: ReferralRewards,
    private readonly merges: MemberMerges,
  ) {}

  /**
   * The token's address becomes the member's verified email (a change of email takes effect
   * here). When another member holds that address, the person has proved holding both (the link
   * was asked for from the token's member's session, and followed from the address's mailbox), so
   * the holder merges into the token's member, which survives (MemberMerges). INVALID_TOKEN for
   * an unknown, used or expired token; EMAIL_TAKEN when the holder is deactivated, or another
   * member took the address at the same moment (the token stays unused then: the transaction
   * rolls back).
   */
  async verify(dto: VerifyEmailDto): Promise<MemberProfileResult> {
    let verified: { result: MemberProfileResult; mergeId: string | null };
    try {
      verified = await this.transactions.run(async (tx) => {
        const proved = await this.tokens.consume(tx, {
          purpose: MemberTokenPurpose.EMAIL_VERIFICATION,
          token: dto.token,
        });
        if (!proved?.email) throw invalidToken();
        const holder = await this.members.findByEmail(tx.manager, proved.email);
        const other = holder && holder.id !== proved.memberId ? holder : undefined;
        if (other && !mayMergeByEmail(await this.members.getById(tx.manager, proved.memberId))) {
          throw emailTaken();
        }
        // Both rows in id order, as every path that locks two members does.
        const locked = new Map<string, MemberEntity>();
        for (const id of [proved.memberId, ...(other ? [other.id] : [])].sort()) {
          locked.set(id, await this.members.getByIdForUpdate(tx, id));
        }
        let member = locked.get(proved.memberId) as MemberEntity;
        if (!member.isActive) throw memberInactive();
        let mergeId: string | null = null;
        if (other) {
          const absorbed = locked.get(other.id) as MemberEntity;
          if (!absorbed.isActive || absorbed.email !== proved.email) throw emailTaken();
          const merged = await this.merges.absorb(tx, {
            survivor: member,
            absorbed,
            cause: 'email_verification',
          });
          member = merged.survivor;
          mergeId = merged.merge.id;
        }
        return {
          result: profileResult(await this.confirmEmail(tx, member, proved.email)),
          mergeId,
        };
      });
    } catch (error) {
      if (isUniqueViolation(error, EMAIL_KEY)) throw emailTaken();
      throw error;
    }
    if (verified.mergeId === null) return verified.result;
    await this.merges.drive(verified.mergeId, { start: true, timeoutMs: INLINE_STEP_TIMEOUT_MS });
    const member = await this.members.getById(
      this.transactions.manager,
      verified.result.profile.id,
    );
    return profileResult(member);
  }

  /** A new link to the member's unverified address; nothing when it is verified or there is none. */
  async resend(dto: ResendVerificationDto): Promise<MailRequestAccepted> {
    const member = await this.members.getById(this.transactions.manager, dto.member_id);
    if (!member.isActive) throw memberInactive();
    const email = member.email;
    if (email === null || member.emailVerifiedAt !== null) return ACCEPTED;
    await this.transactions.run((tx) => this.mails.sendVerification(tx, member, email));
    return ACCEPTED;
  }

  /**
   * A link to the new address; the member's email changes when it is followed. The answer is the
   * same whoever holds the address, so this never tells who is registered. An address another
   * member holds gets no mail, except when the caller is a Telegram member without an email: the
   * person may be adding the email of their other member, and following the link merges that
   * member into this one (`verify`).
   */
  async requestChange(dto: ChangeEmailDto): Promise<MailRequestAccepted> {
    const manager = this.transactions.manager;
    const member = await this.members.getById(manager, dto.member_id);
    if (!member.isActive) throw memberInactive();
    const email = dto.email.trim().toLowerCase();
    if (email === member.email && member.emailVerifiedAt !== null) return ACCEPTED;
    const holder = await this.members.findByEmail(manager, email);
    const merges = holder !== null && holder.id !== member.id;
    if (merges && !mayMergeByEmail(member)) return ACCEPTED;
    await this.transactions.run((tx) => this.mails.sendVerification(tx, member, email, { merges }));
    return ACCEPTED;
  }

  /**
   * Records that the member (locked by `tx`) receives mail at `email`, and what follows from it:
   * the admin role when ADMIN_EMAILS names the address, and the referrer's reward, if it waited
   * for this. Also used when a password reset proves the address.
   */
  async confirmEmail(tx: MemberTx, member: MemberEntity, email: string): Promise<MemberEntity> {
    const changes: QueryDeepPartialEntity<MemberEntity> = {};
    if (member.email !== email) changes.email = email;
    if (member.email !== email || member.emailVerifiedAt === null) {
      changes.emailVerifiedAt = () => 'now()';
    }
    const role = this.roles.roleAtSignIn({ ...member, email, emailVerifiedAt: new Date() });
    if (role) changes.role = role;
    const updated =
      Object.keys(changes).length > 0
        ? await this.members.applyChanges(tx, member.id, changes)
        : member;
    await this.referrals.payPending(tx, member.id);
    return updated;
  }
}
