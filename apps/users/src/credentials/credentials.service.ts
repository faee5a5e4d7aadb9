import { Injectable } from '@nestjs/common';
import { MemberProfileResult, RegisterMemberDto, VerifyCredentialsDto } from '@up/contracts';
import { isUniqueViolation } from '@up/database';
import { AccountMails } from '../account/account-mails';
import { MemberRegistrar } from '../members/member-registrar';
import { MemberTransactions } from '../members/member-transactions';
import { MembersRepository } from '../members/members.repository';
import { MembersService, profileResult } from '../members/members.service';
import { ReferralRewards } from '../referrals/referral-rewards';
import { referralCodeNotFound } from '../referrals/referrals.errors';
import { emailTaken, invalidCredentials } from './credentials.errors';
import { PasswordHasher } from './password-hasher';

const EMAIL_KEY = 'members_email_key';

/** Email and password: registration and login. */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly membersService: MembersService,
    private readonly registrar: MemberRegistrar,
    private readonly referrals: ReferralRewards,
    private readonly hasher: PasswordHasher,
    private readonly mails: AccountMails,
  ) {}

  /**
   * Creates the member, signed in. EMAIL_TAKEN for a registered email, also when two
   * registrations race (the unique index decides); REFERRAL_CODE_NOT_FOUND for a code that names
   * no active member. Cheap refusals come before the deliberately slow hashing. The email is not
   * verified yet: a verification mail goes out with the registration.
   */
  async register(dto: RegisterMemberDto): Promise<MemberProfileResult> {
    const email = dto.email.trim().toLowerCase();
    const manager = this.transactions.manager;
    if (await this.members.findByEmail(manager, email)) throw emailTaken();
    if (dto.referral_code && !(await this.referrals.findReferrer(manager, dto.referral_code))) {
      throw referralCodeNotFound();
    }
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      return await this.transactions.run(async (tx) => {
        const { member } = await this.registrar.create(tx, {
          email,
          passwordHash,
          fullName: dto.full_name.trim(),
          referralCode: dto.referral_code,
          unknownReferralCode: 'fail',
          signedInNow: true,
        });
        await this.mails.sendVerification(tx, member, email);
        return profileResult(member);
      });
    } catch (error) {
      if (isUniqueViolation(error, EMAIL_KEY)) throw emailTaken();
      throw error;
    }
  }

  /**
   * Login: INVALID_CREDENTIALS, same message and same work (one argon2 verification) for an
   * unknown email and a wrong password; MEMBER_INACTIVE only once the password is proven. A
   * successful login records itself (last_login), so no separate `record_login` is needed.
   */
  async verifyCredentials(dto: VerifyCredentialsDto): Promise<MemberProfileResult> {
    const member = await this.members.findByEmail(this.transactions.manager, dto.email);
    const valid = await this.hasher.verify(member?.passwordHash ?? null, dto.password);
    if (!member?.passwordHash || !valid) throw invalidCredentials();
    const rehash = this.hasher.needsRehash(member.passwordHash)
      ? await this.hasher.hash(dto.password)
      : undefined;
    return this.transactions.run(async (tx) => {
      const locked = await this.members.getByIdForUpdate(tx, member.id);
      const signedIn = await this.membersService.signIn(
        tx,
        locked,
        rehash ? { passwordHash: rehash } : {},
      );
      return profileResult(signedIn);
    });
  }
}
