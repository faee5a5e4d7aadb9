import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  GetByTelegramIdDto,
  GetProfileDto,
  GetStandingDto,
  MemberProfileResult,
  MemberStanding,
  RecordLoginDto,
  SignInResult,
  UpdateProfileDto,
  UpsertTelegramMemberDto,
  UpsertTelegramResult,
} from '@up/contracts';
import { isUniqueViolation } from '@up/database';
import { ProfileVersionPublisher } from '../profile-versions/profile-version.publisher';
import { MemberEntity } from './member.entity';
import { MemberRegistrar } from './member-registrar';
import { MemberRolesPolicy } from './member-roles.policy';
import { MemberTransactions, MemberTx } from './member-transactions';
import { MemberProfileFields, toPrivateProfile } from './member-views';
import { memberInactive, memberNotFound, usernameTaken } from './members.errors';
import { MembersRepository } from './members.repository';
import { fullNameFollowsTelegram, fullNameFromTelegram } from './telegram-names';

export const USERNAME_KEY = 'members_username_lower_key';
const TELEGRAM_ID_KEY = 'members_telegram_id_key';

export function profileResult(
  member: MemberProfileFields & Pick<MemberEntity, 'version'>,
): MemberProfileResult {
  return { profile: toPrivateProfile(member), version: member.version };
}

/** Members as their own profiles: reads, Telegram sign-up and refresh, logins, edits. */
@Injectable()
export class MembersService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly registrar: MemberRegistrar,
    private readonly roles: MemberRolesPolicy,
    private readonly versions: ProfileVersionPublisher,
  ) {}

  /** A deleted member is not found (its access tokens find nothing). */
  async getProfile(dto: GetProfileDto): Promise<MemberProfileResult> {
    const member = await this.members.findProfileById(this.transactions.manager, dto.member_id);
    if (!member || member.deletedAt !== null) throw memberNotFound();
    return this.answerRead(member);
  }

  /** Deactivated members answer too: the callers decide what an inactive member may not do. */
  async getStanding(dto: GetStandingDto): Promise<MemberStanding> {
    const member = await this.members.getById(this.transactions.manager, dto.member_id);
    await this.versions.publishOne(member.id, member.version);
    return {
      member_id: member.id,
      role: member.role,
      is_active: member.isActive,
      session_epoch: member.sessionEpoch,
      version: member.version,
    };
  }

  async getByTelegramId(dto: GetByTelegramIdDto): Promise<MemberProfileResult> {
    const member = await this.members.findByTelegramId(this.transactions.manager, dto.telegram_id);
    if (!member) throw memberNotFound();
    return this.answerRead(member);
  }

  /**
   * Creates the member on first contact (with the referral, if the code names another member),
   * otherwise refreshes what Telegram says about them. Two first contacts at once: one creates,
   * the other finds the member on its second attempt and refreshes.
   */
  upsertTelegram(dto: UpsertTelegramMemberDto): Promise<UpsertTelegramResult> {
    return this.transactions.run(
      async (tx) => {
        const existing = await this.members.findByTelegramId(tx.manager, dto.telegram_id, {
          lock: true,
        });
        if (existing) {
          const member = await this.refreshFromTelegram(tx, existing, dto);
          return { ...profileResult(member), created: false, referral_applied: false };
        }
        const { member, referralApplied } = await this.registrar.create(tx, {
          telegramId: dto.telegram_id,
          username: dto.username ?? null,
          firstName: dto.first_name ?? null,
          lastName: dto.last_name ?? null,
          photoUrl: dto.photo_url ?? null,
          languageCode: dto.language_code ?? null,
          fullName: fullNameFromTelegram({
            firstName: dto.first_name,
            lastName: dto.last_name,
            username: dto.username,
          }),
          referralCode: dto.referral_code,
          unknownReferralCode: 'ignore',
        });
        return { ...profileResult(member), created: true, referral_applied: referralApplied };
      },
      {
        retryWhen: (error) =>
          isUniqueViolation(error, TELEGRAM_ID_KEY) || isUniqueViolation(error, USERNAME_KEY),
      },
    );
  }

  /**
   * A sign-in (login code, Telegram): sets last_login; a deactivated member is refused. The epoch
   * is read under the row lock the deactivation also takes (the UPDATE's), so a deactivation
   * either comes first (refused here) or raises the epoch past the one answered (the new session
   * is refused at its first refresh).
   */
  recordLogin(dto: RecordLoginDto): Promise<SignInResult> {
    return this.transactions.run(async (tx) => {
      const signedIn = await this.members.recordLogin(tx, dto.member_id);
      if (!signedIn) {
        // Nothing changed: say why.
        const member = await this.members.findProfileById(tx.manager, dto.member_id);
        if (!member || member.deletedAt !== null) throw memberNotFound();
        throw memberInactive();
      }
      const role = this.roles.roleAtSignIn(signedIn);
      // Rare (a member just named in ADMIN_*): the role change is a change of its own.
      const member = role ? await this.members.applyChanges(tx, signedIn.id, { role }) : signedIn;
      return { ...profileResult(member), session_epoch: member.sessionEpoch };
    });
  }

  /**
   * Sets last_login (and the admin role when configured) on an active member, in `tx`, which
   * holds the member's row lock. MEMBER_INACTIVE for a deactivated member.
   */
  async signIn(
    tx: MemberTx,
    member: MemberEntity,
    extra: QueryDeepPartialEntity<MemberEntity> = {},
  ): Promise<MemberEntity> {
    if (!member.isActive) throw memberInactive();
    const role = this.roles.roleAtSignIn(member);
    return this.members.applyChanges(tx, member.id, {
      ...extra,
      lastLogin: () => 'now()',
      ...(role ? { role } : {}),
    });
  }

  async updateProfile(dto: UpdateProfileDto): Promise<MemberProfileResult> {
    try {
      return await this.transactions.run(async (tx) => {
        const member = await this.members.getByIdForUpdate(tx, dto.member_id);
        if (!member.isActive) throw memberInactive();
        const changes: QueryDeepPartialEntity<MemberEntity> = {};
        if (dto.full_name !== undefined && dto.full_name.trim() !== member.fullName) {
          changes.fullName = dto.full_name.trim();
        }
        if (dto.username !== undefined && (dto.username?.trim() || null) !== member.username) {
          const username = dto.username?.trim() || null;
          if (
            username &&
            (await this.members.isUsernameHeldByOther(tx.manager, {
              username,
              exceptId: member.id,
            }))
          ) {
            throw usernameTaken();
          }
          changes.username = username;
        }
        if (dto.photo_url !== undefined && dto.photo_url !== member.photoUrl) {
          changes.photoUrl = dto.photo_url;
        }
        if (Object.keys(changes).length === 0) return profileResult(member);
        return profileResult(await this.members.applyChanges(tx, member.id, changes));
      });
    } catch (error) {
      // Lost a race for the username with another member's edit.
      if (isUniqueViolation(error, USERNAME_KEY)) throw usernameTaken();
      throw error;
    }
  }

  private async refreshFromTelegram(
    tx: MemberTx,
    member: MemberEntity,
    dto: UpsertTelegramMemberDto,
  ): Promise<MemberEntity> {
    const changes: QueryDeepPartialEntity<MemberEntity> = {};
    const next = {
      username: dto.username ?? member.username,
      firstName: dto.first_name ?? member.firstName,
      lastName: dto.last_name ?? member.lastName,
    };
    if (next.username !== member.username) {
      if (next.username) {
        await this.members.releaseUsername(tx, { username: next.username, exceptId: member.id });
      }
      changes.username = next.username;
    }
    if (next.firstName !== member.firstName) changes.firstName = next.firstName;
    if (next.lastName !== member.lastName) changes.lastName = next.lastName;
    if (dto.photo_url !== undefined && dto.photo_url !== member.photoUrl) {
      changes.photoUrl = dto.photo_url;
    }
    if (dto.language_code !== undefined && dto.language_code !== member.languageCode) {
      changes.languageCode = dto.language_code;
    }
    const fullName = fullNameFromTelegram(next);
    if (fullNameFollowsTelegram(member) && fullName !== member.fullName)
      changes.fullName = fullName;
    const role = this.roles.roleAtSignIn(member);
    if (role) changes.role = role;

    if (Object.keys(changes).length === 0) {
      tx.memberChanged(member.id, member.version);
      return member;
    }
    return this.members.applyChanges(tx, member.id, changes);
  }

  /** Reads also publish the version they saw, which restores an expired or lost Redis key. */
  private async answerRead(
    member: MemberProfileFields & Pick<MemberEntity, 'version'>,
  ): Promise<MemberProfileResult> {
    await this.versions.publishOne(member.id, member.version);
    return profileResult(member);
  }
}
