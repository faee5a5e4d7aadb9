import { Injectable } from '@nestjs/common';
import {
  GetPublicByReferralCodeDto,
  GetPublicProfilesDto,
  isReferralCode,
  ListReferralsDto,
  normalizeReferralCode,
  PublicProfile,
  ReferralsResult,
} from '@up/contracts';
import { MemberEntity } from '../members/member.entity';
import { toPublicProfile } from '../members/member-views';
import { MemberTransactions } from '../members/member-transactions';
import { MembersRepository } from '../members/members.repository';
import { referralCodeNotFound } from './referrals.errors';

/** Referrals listed per member; more are counted but not listed. */
export const MAX_LISTED_REFERRALS = 1000;

const MAX_MERGE_HOPS = 8;

/** Public profiles: by referral code (shareable page), in batches (participants), referrals. */
@Injectable()
export class ReferralsService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
  ) {}

  /**
   * Unknown, malformed, deactivated and deleted members' codes all answer REFERRAL_CODE_NOT_FOUND.
   * The code of a member merged into another shows the member it became.
   */
  async getPublicByReferralCode(dto: GetPublicByReferralCodeDto): Promise<PublicProfile> {
    const code = normalizeReferralCode(dto.referral_code);
    const manager = this.transactions.manager;
    let member = isReferralCode(code) ? await this.members.findByReferralCode(manager, code) : null;
    // Merges chain (a member absorbed, whose survivor was absorbed later); a few hops at most.
    for (let hop = 0; member?.mergedInto && hop < MAX_MERGE_HOPS; hop++) {
      member = await this.members.findById(manager, member.mergedInto);
    }
    if (!member?.isActive) throw referralCodeNotFound();
    return toPublicProfile(member);
  }

  /** One query for the whole batch; the answer follows the order asked for, unknown ids left out. */
  async getPublicProfiles(dto: GetPublicProfilesDto): Promise<PublicProfile[]> {
    const found = await this.members.findByIds(this.transactions.manager, [
      ...new Set(dto.member_ids),
    ]);
    const byId = new Map(found.map((member) => [member.id, member]));
    return (
      dto.member_ids
        .map((id) => byId.get(id))
        // Deleted members have no public profile any more.
        .filter(
          (member): member is MemberEntity => member !== undefined && member.deletedAt === null,
        )
        .map(toPublicProfile)
    );
  }

  /** Members this member brought in, oldest first (at most MAX_LISTED_REFERRALS; `count` is all). */
  async listReferrals(dto: ListReferralsDto): Promise<ReferralsResult> {
    const manager = this.transactions.manager;
    const member = await this.members.getById(manager, dto.member_id);
    const { referees, count } = await this.members.listReferees(manager, {
      referrerId: member.id,
      limit: MAX_LISTED_REFERRALS,
    });
    return { count, referrals: referees.map(toPublicProfile) };
  }
}
