import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@up/contracts';
import { ReferralRewards } from '../referrals/referral-rewards';
import { generateReferralCode } from '../referrals/referral-code.generator';
import { MemberTx } from '../profile-versions/member-transactions';
import { MemberEntity } from './member.entity';
import { MemberRolesPolicy } from './member-roles.policy';
import { MembersRepository } from './members.repository';
import { queryRows } from '../shared/query-rows';

export interface NewMember {
  fullName: string;
  email?: string | null;
  passwordHash?: string | null;
  telegramId?: number | null;
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  photoUrl?: string | null;
  languageCode?: string | null;
  /** Set when creation is itself a sign-in (email registration). */
  signedInNow?: boolean;
  /** The referral code the new member arrived with, if any. */
  referralCode?: string;
  /** `fail`: an unknown code is REFERRAL_CODE_NOT_FOUND; `ignore`: the member is created unattributed. */
  unknownReferralCode: 'fail' | 'ignore';
}

export interface CreatedMember {
  member: MemberEntity;
  referralApplied: boolean;
}

/** A fresh code colliding with an existing one is ~n/2.2e9 likely; a few draws always suffice. */
const REFERRAL_CODE_ATTEMPTS = 8;

/**
 * Creates members, whatever the way in: a unique referral code, the initial role, and the
 * referral attribution with the referrer's reward, all in the caller's transaction. Email and
 * telegram_id uniqueness are left to the unique indexes (the callers map their violations).
 */
@Injectable()
export class MemberRegistrar {
  constructor(
    private readonly members: MembersRepository,
    private readonly roles: MemberRolesPolicy,
    private readonly referrals: ReferralRewards,
  ) {}

  async create(tx: MemberTx, input: NewMember): Promise<CreatedMember> {
    const referrer = await this.referrals.findReferrer(tx.manager, input.referralCode);
    if (input.referralCode && !referrer && input.unknownReferralCode === 'fail') {
      throw new DomainError(ErrorCode.REFERRAL_CODE_NOT_FOUND, 'No member has this referral code');
    }
    if (input.username) await this.members.releaseUsername(tx, { username: input.username });

    const id = await this.insert(tx, input, referrer?.id ?? null);
    if (referrer)
      await this.referrals.rewardReferrer(tx, { referrerId: referrer.id, refereeId: id });

    const member = await this.members.getById(tx.manager, id);
    tx.memberChanged(member.id, member.version);
    return { member, referralApplied: referrer !== null };
  }

  private async insert(tx: MemberTx, input: NewMember, referredBy: string | null): Promise<string> {
    const role = this.roles.initialRole({ telegramId: input.telegramId, email: input.email });
    for (let attempt = 0; attempt < REFERRAL_CODE_ATTEMPTS; attempt++) {
      // ON CONFLICT names only the referral code: a duplicate email or telegram_id still raises.
      const rows = await queryRows<{ id: string }>(
        tx.manager,
        `INSERT INTO users.members
                (email, password_hash, telegram_id, username, full_name, first_name, last_name,
                 photo_url, language_code, role, referral_code, referred_by, last_login)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 CASE WHEN $13::boolean THEN now() END)
         ON CONFLICT (referral_code) DO NOTHING
         RETURNING id`,
        [
          input.email?.trim().toLowerCase() ?? null,
          input.passwordHash ?? null,
          input.telegramId ?? null,
          input.username ?? null,
          input.fullName,
          input.firstName ?? null,
          input.lastName ?? null,
          input.photoUrl ?? null,
          input.languageCode ?? null,
          role,
          generateReferralCode(),
          referredBy,
          input.signedInNow ?? false,
        ],
      );
      if (rows.length > 0) return rows[0].id;
    }
    throw new Error(`No free referral code after ${REFERRAL_CODE_ATTEMPTS} attempts`);
  }
}
