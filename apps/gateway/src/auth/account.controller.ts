import { Body, Controller, Delete, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ChangeEmailBodyDto,
  ChangePasswordBodyDto,
  DeleteAccountBodyDto,
  LinkTelegramBodyDto,
  PrivateProfile,
} from '@up/contracts';
import { Authenticated, CurrentMember } from './auth.decorators';
import { AuthenticatedMember } from './authenticated-member';
import { AccountService } from './account.service';
import { RateLimit } from './rate-limit';
import { TelegramAuthService } from './telegram-auth.service';

/**
 * The signed-in member's email and password (docs/api.md, Account). Authenticated on the class, so
 * the access token is checked before the per-member rate limits count the caller.
 */
@ApiTags('Account')
@Controller()
@Authenticated()
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly telegram: TelegramAuthService,
  ) {}

  @Post('api/auth/email/resend')
  @HttpCode(202)
  @RateLimit('verification_mail')
  @ApiOperation({
    summary: 'Mail a new verification link to the unverified email (3 per hour per member)',
    description: 'Nothing is sent when the email is already verified, or there is none.',
  })
  @ApiAcceptedResponse({ description: 'Accepted' })
  async resendVerification(@CurrentMember() member: AuthenticatedMember): Promise<void> {
    await this.account.resendVerification(member);
  }

  @Post('api/users/me/password')
  @HttpCode(204)
  @RateLimit('password_change')
  @ApiOperation({
    summary: 'Change the password (or set a first one; 10 per hour per member)',
    description:
      '`current_password` is required when the member has a password; a member who signed up ' +
      'with Telegram sets a first one without it. The member’s sessions end (refresh tokens stop ' +
      'working), this one’s included: the access token works until it expires.',
  })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiBadRequestResponse({
    description: '`current_password` missing or wrong, or a new password under 8 characters',
  })
  async changePassword(
    @CurrentMember() member: AuthenticatedMember,
    @Body() body: ChangePasswordBodyDto,
  ): Promise<void> {
    await this.account.changePassword(member, body);
  }

  @Post('api/users/me/email')
  @HttpCode(202)
  @RateLimit('verification_mail')
  @ApiOperation({
    summary:
      'Change the email: a verification link goes to the new address (3 per hour per member)',
    description:
      'The email changes when the link is followed (`POST /api/auth/email/verify`). The answer is ' +
      'the same whatever the address.',
  })
  @ApiAcceptedResponse({ description: 'Accepted' })
  @ApiBadRequestResponse({ description: 'Not an email address' })
  async changeEmail(
    @CurrentMember() member: AuthenticatedMember,
    @Body() body: ChangeEmailBodyDto,
  ): Promise<void> {
    await this.account.changeEmail(member, body);
  }

  @Post('api/users/me/link/telegram')
  @HttpCode(200)
  @RateLimit('link')
  @ApiOperation({
    summary: 'Link a Telegram account (10 per hour per member)',
    description:
      'The Login Widget’s fields, or `{init_data}` from a Mini App, checked as for sign-in. A ' +
      'Telegram account without a member is attached. One that already has a member (the person ' +
      'used the bot) is merged into the caller’s: coins, events, waitlist places, referrals and ' +
      'achievements move, its sessions end, its referral code shows the caller’s profile.',
  })
  @ApiOkResponse({ type: PrivateProfile, description: 'The profile, with `telegram_id`' })
  @ApiBadRequestResponse({ description: 'Neither widget fields nor `init_data`' })
  @ApiConflictResponse({ description: 'The caller is linked to another Telegram account' })
  @ApiForbiddenResponse({
    description: 'The caller or the Telegram account’s member is deactivated',
  })
  async linkTelegram(
    @CurrentMember() member: AuthenticatedMember,
    @Body() body: LinkTelegramBodyDto,
    @Req() request: { body?: unknown },
  ): Promise<PrivateProfile> {
    // The widget's signature covers the body exactly as received (every field Telegram signed);
    // like a sign-in, a payload links once (its hash is remembered until it would expire).
    const { user } = await (body.init_data === undefined
      ? this.telegram.verifyLoginWidget(request.body as Record<string, unknown>)
      : this.telegram.verifyInitData(body.init_data));
    return this.account.linkTelegram(member, user);
  }

  @Delete('api/users/me')
  @HttpCode(204)
  // It checks the password, so it shares the password change's budget: no guessing through it.
  @RateLimit('password_change')
  @ApiOperation({
    summary: 'Delete the account (10 per hour per member, with password changes)',
    description:
      '`password` when the member has one; otherwise a sign-in within the last 5 minutes. ' +
      'Personal data is erased, the public profile answers 404, upcoming events and waitlist ' +
      'places are given back with refunds, every session ends. Ledger rows stay (anonymous).',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadRequestResponse({ description: '`password` missing or wrong' })
  @ApiForbiddenResponse({
    description: '`RECENT_SIGN_IN_REQUIRED`: no password, and no sign-in in the last 5 minutes',
  })
  @ApiNotFoundResponse({ description: 'Already deleted' })
  async deleteAccount(
    @CurrentMember() member: AuthenticatedMember,
    @Body() body: DeleteAccountBodyDto,
  ): Promise<void> {
    await this.account.deleteAccount(member, body);
  }
}
