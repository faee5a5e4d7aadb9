import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AUTH,
  IssuedRefreshToken,
  IssueRefreshTokenDto,
  RevokedMemberTokens,
  RevokedRefreshToken,
  RevokeMemberTokensDto,
  RevokeRefreshTokenDto,
  RotatedRefreshToken,
  RotateRefreshTokenDto,
} from '@up/contracts';
import { RefreshTokensService } from './refresh-tokens.service';

@Controller()
export class RefreshTokensController {
  constructor(private readonly tokens: RefreshTokensService) {}

  @MessagePattern(AUTH.ISSUE_REFRESH_TOKEN)
  issue(@Payload() request: IssueRefreshTokenDto): Promise<IssuedRefreshToken> {
    return this.tokens.issue(request);
  }

  @MessagePattern(AUTH.ROTATE_REFRESH_TOKEN)
  rotate(@Payload() request: RotateRefreshTokenDto): Promise<RotatedRefreshToken> {
    return this.tokens.rotate(request);
  }

  @MessagePattern(AUTH.REVOKE_REFRESH_TOKEN)
  revoke(@Payload() request: RevokeRefreshTokenDto): Promise<RevokedRefreshToken> {
    return this.tokens.revoke(request);
  }

  @MessagePattern(AUTH.REVOKE_MEMBER_TOKENS)
  revokeMember(@Payload() request: RevokeMemberTokensDto): Promise<RevokedMemberTokens> {
    return this.tokens.revokeMember(request);
  }
}
