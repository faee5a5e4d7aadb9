import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ChangeEmailDto,
  ChangePasswordDto,
  ForgotPasswordDto,
  MailRequestAccepted,
  MemberProfileResult,
  PasswordChanged,
  ResendVerificationDto,
  ResetPasswordDto,
  USERS,
  VerifyEmailDto,
} from '@up/contracts';
import { EmailVerificationService } from './email-verification.service';
import { PasswordsService } from './passwords.service';

@Controller()
export class AccountController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly passwords: PasswordsService,
  ) {}

  @MessagePattern(USERS.VERIFY_EMAIL)
  verifyEmail(@Payload() dto: VerifyEmailDto): Promise<MemberProfileResult> {
    return this.verification.verify(dto);
  }

  @MessagePattern(USERS.RESEND_VERIFICATION)
  resendVerification(@Payload() dto: ResendVerificationDto): Promise<MailRequestAccepted> {
    return this.verification.resend(dto);
  }

  @MessagePattern(USERS.REQUEST_EMAIL_CHANGE)
  requestEmailChange(@Payload() dto: ChangeEmailDto): Promise<MailRequestAccepted> {
    return this.verification.requestChange(dto);
  }

  @MessagePattern(USERS.REQUEST_PASSWORD_RESET)
  requestPasswordReset(@Payload() dto: ForgotPasswordDto): Promise<MailRequestAccepted> {
    return this.passwords.requestReset(dto);
  }

  @MessagePattern(USERS.RESET_PASSWORD)
  resetPassword(@Payload() dto: ResetPasswordDto): Promise<PasswordChanged> {
    return this.passwords.reset(dto);
  }

  @MessagePattern(USERS.CHANGE_PASSWORD)
  changePassword(@Payload() dto: ChangePasswordDto): Promise<PasswordChanged> {
    return this.passwords.change(dto);
  }
}
