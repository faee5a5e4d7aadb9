import { Injectable, Logger } from '@nestjs/common';
import { BusClient } from '@up/bus';
import {
  AUTH,
  ChangeEmailBodyDto,
  ChangePasswordBodyDto,
  DeleteAccountBodyDto,
  ForgotPasswordDto,
  PrivateProfile,
  ResetPasswordDto,
  USERS,
  VerifyEmailDto,
} from '@up/contracts';
import { AuthenticatedMember } from './authenticated-member';
import { TelegramIdentity, telegramProfileFields } from './telegram-auth';

/**
 * Account routes: email verification, password reset and change, change of email. The users
 * service owns the rules and the mail; this ends sessions where a password changed.
 */
@Injectable()
export class AccountService {
  private readonly logger = new Logger(AccountService.name);

  constructor(private readonly bus: BusClient) {}

  async verifyEmail(body: VerifyEmailDto): Promise<PrivateProfile> {
    const { profile } = await this.bus.send(USERS.VERIFY_EMAIL, { token: body.token });
    return profile;
  }

  async resendVerification(member: AuthenticatedMember): Promise<void> {
    await this.bus.send(USERS.RESEND_VERIFICATION, { member_id: member.id });
  }

  /**
   * Answered without waiting for the users service: its work differs for a known and an unknown
   * address (a known one writes a token and a mail), and the answer's timing must not tell them
   * apart. The request is on the users service's stream either way, and handled there.
   */
  forgotPassword(body: ForgotPasswordDto): void {
    this.bus.send(USERS.REQUEST_PASSWORD_RESET, { email: body.email }).catch((error: unknown) => {
      // Never the address: the log would become a list of who asked.
      this.logger.warn({ err: error }, 'password reset request failed');
    });
  }

  /** Sets the password from the mailed token, then ends every session of the member. */
  async resetPassword(body: ResetPasswordDto): Promise<void> {
    const { member_id } = await this.bus.send(USERS.RESET_PASSWORD, {
      token: body.token,
      password: body.password,
    });
    await this.bus.send(AUTH.REVOKE_MEMBER_TOKENS, { member_id });
  }

  /**
   * Changes (or first sets) the password, then ends the member's sessions. Every session, the
   * caller's too: a refresh token does not say which session it belongs to yet, so the caller
   * signs in again once its access token expires.
   */
  async changePassword(member: AuthenticatedMember, body: ChangePasswordBodyDto): Promise<void> {
    await this.bus.send(USERS.CHANGE_PASSWORD, {
      member_id: member.id,
      new_password: body.new_password,
      ...(body.current_password === undefined ? {} : { current_password: body.current_password }),
    });
    await this.bus.send(AUTH.REVOKE_MEMBER_TOKENS, { member_id: member.id });
  }

  async changeEmail(member: AuthenticatedMember, body: ChangeEmailBodyDto): Promise<void> {
    await this.bus.send(USERS.REQUEST_EMAIL_CHANGE, { member_id: member.id, email: body.email });
  }

  /**
   * Attaches the Telegram account (already checked) to the member, or merges its member into
   * theirs (users.link_telegram); answers the profile as it stands.
   */
  async linkTelegram(
    member: AuthenticatedMember,
    identity: TelegramIdentity,
  ): Promise<PrivateProfile> {
    const { profile } = await this.bus.send(USERS.LINK_TELEGRAM, {
      member_id: member.id,
      telegram_id: identity.id,
      ...telegramProfileFields(identity),
    });
    return profile;
  }

  /**
   * Erases the account (users.delete_member, which commits it and publishes `member.deleted`),
   * then ends every session of the member. Should that last call fail, the refresh tokens left
   * are useless anyway: a refresh reads the profile, which a deleted member no longer has.
   */
  async deleteAccount(member: AuthenticatedMember, body: DeleteAccountBodyDto): Promise<void> {
    await this.bus.send(USERS.DELETE_MEMBER, {
      member_id: member.id,
      ...(body.password === undefined ? {} : { password: body.password }),
    });
    await this.bus.send(AUTH.REVOKE_MEMBER_TOKENS, { member_id: member.id });
  }
}
