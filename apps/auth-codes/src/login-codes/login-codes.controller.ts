import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AUTH,
  IssuedLoginCode,
  IssueLoginCodeDto,
  RedeemedLoginCode,
  RedeemLoginCodeDto,
} from '@up/contracts';
import { LoginCodesService } from './login-codes.service';

@Controller()
export class LoginCodesController {
  constructor(private readonly codes: LoginCodesService) {}

  @MessagePattern(AUTH.ISSUE_LOGIN_CODE)
  issue(@Payload() request: IssueLoginCodeDto): Promise<IssuedLoginCode> {
    return this.codes.issue(request);
  }

  @MessagePattern(AUTH.REDEEM_LOGIN_CODE)
  redeem(@Payload() request: RedeemLoginCodeDto): Promise<RedeemedLoginCode> {
    return this.codes.redeem(request);
  }
}
