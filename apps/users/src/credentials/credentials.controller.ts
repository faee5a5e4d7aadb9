import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MemberProfileResult, RegisterMemberDto, USERS, VerifyCredentialsDto } from '@up/contracts';
import { CredentialsService } from './credentials.service';

@Controller()
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @MessagePattern(USERS.REGISTER)
  register(@Payload() dto: RegisterMemberDto): Promise<MemberProfileResult> {
    return this.credentials.register(dto);
  }

  @MessagePattern(USERS.VERIFY_CREDENTIALS)
  verifyCredentials(@Payload() dto: VerifyCredentialsDto): Promise<MemberProfileResult> {
    return this.credentials.verifyCredentials(dto);
  }
}
