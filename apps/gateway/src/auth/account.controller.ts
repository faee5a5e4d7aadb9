import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ChangeEmailBodyDto, ChangePasswordBodyDto } from '@up/contracts';
import { Authenticated, CurrentMember } from './auth.decorators';
import { AuthenticatedMember } from './authenticated-member';
import { AccountService } from './account.service';
import { RateLimit } from './rate-limit';

/**
 * The signed-in member's email and password (docs/api.md, Account). Authenticated on the class, so
 * the access token is checked before the per-member rate limits count the caller.
 */
@ApiTags('Account')
@Controller()
@Authenticated()
export class AccountController {
  constructor(private readonly account: AccountService) {}

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
}
