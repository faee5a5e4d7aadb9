import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ForgotPasswordDto, PrivateProfile, ResetPasswordDto, VerifyEmailDto } from '@up/contracts';
import { AccountService } from './account.service';
import { RateLimit } from './rate-limit';

/** The links mailed to members (docs/api.md, Account): verify an email, reset a password. */
@ApiTags('Account')
@Controller('api/auth')
export class AccountRecoveryController {
  constructor(private readonly account: AccountService) {}

  @Post('email/verify')
  @HttpCode(200)
  @RateLimit('verify')
  @ApiOperation({
    summary: 'Verify an email with the token of the mailed link (10 per minute per IP)',
    description:
      'The token works once, for 24 hours. For a change of email, the new address becomes the ' +
      "member's email now.",
  })
  @ApiOkResponse({ type: PrivateProfile, description: 'The profile, with `email_verified: true`' })
  @ApiBadRequestResponse({ description: '`INVALID_TOKEN`: unknown, used or expired' })
  verifyEmail(@Body() body: VerifyEmailDto): Promise<PrivateProfile> {
    return this.account.verifyEmail(body);
  }

  @Post('password/forgot')
  @HttpCode(202)
  @RateLimit('forgot', 'forgot_email')
  @ApiOperation({
    summary: 'Mail a password reset link (5 per minute per IP, 3 per hour per address)',
    description:
      'Always 202 with no body, at once, whether or not the address belongs to a member; only ' +
      'a member gets the mail.',
  })
  @ApiAcceptedResponse({ description: 'Accepted (the same for any address)' })
  @ApiBadRequestResponse({ description: 'Not an email address' })
  forgotPassword(@Body() body: ForgotPasswordDto): void {
    this.account.forgotPassword(body);
  }

  @Post('password/reset')
  @HttpCode(204)
  @RateLimit('reset')
  @ApiOperation({
    summary: 'Set a new password with the token of the mailed link (10 per minute per IP)',
    description:
      'The token works once, for 1 hour. Every session of the member ends (their refresh tokens ' +
      'stop working).',
  })
  @ApiNoContentResponse({ description: 'Password set' })
  @ApiBadRequestResponse({
    description: '`INVALID_TOKEN`, or a password under 8 characters (`VALIDATION_FAILED`)',
  })
  async resetPassword(@Body() body: ResetPasswordDto): Promise<void> {
    await this.account.resetPassword(body);
  }
}
