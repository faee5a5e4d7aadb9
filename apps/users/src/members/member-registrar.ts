import { Injectable } from '@nestjs/common';
import { ReferralRewards } from '../referrals/referral-rewards';
import { generateReferralCode } from '../referrals/referral-code.generator';
import { referralCodeNotFound } from '../referrals/referrals.errors';
import { MemberEntity } from './member.entity';
import { MemberRolesPolicy } from './member-roles.policy';
import { MemberTx } from './member-transactions';
import { MembersRepository } from './members.repository';

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
      throw referralCodeNotFound();
    }
    if (input.username) await this.members.releaseUsername(tx, { username: input.username });

    const id = await this.insertWithFreshReferralCode(tx, input, referrer?.id ?? null);
    if (referrer) {
      await this.referrals.recordReferral(tx, {
        referrerId: referrer.id,
        refereeId: id,
        // An email sign-up's reward waits for the email's verification (ReferralRewards).
        payableNow: input.telegramId != null,
      });
    }

    const member = await this.members.getById(tx.manager, id);
    tx.memberChanged(member.id, member.version);
    return { member, referralApplied: referrer !== null };
  }

  private async insertWithFreshReferralCode(
    tx: MemberTx,
    input: NewMember,
    referredBy: string | null,
  ): Promise<string> {
    const role = this.roles.initialRole({ telegramId: input.telegramId });
    for (let attempt = 0; attempt < REFERRAL_CODE_ATTEMPTS; attempt++) {
      const id = await this.members.createIfReferralCodeFree(tx, {
        email: input.email?.trim().toLowerCase() ?? null,
        passwordHash: input.passwordHash ?? null,
        telegramId: input.telegramId ?? null,
        username: input.username ?? null,
        fullName: input.fullName,
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        photoUrl: input.photoUrl ?? null,
        languageCode: input.languageCode ?? null,
        role,
        referralCode: generateReferralCode(),
        referredBy,
        signedInNow: input.signedInNow ?? false,
      });
      if (id !== undefined) return id;
    }
    throw new Error(`No free referral code after ${REFERRAL_CODE_ATTEMPTS} attempts`);
  }
}
