import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DeleteMemberDto, MemberDeletedResult, USERS } from '@up/contracts';
import { AccountDeletionService } from './account-deletion.service';

@Controller()
export class DeletionController {
  constructor(private readonly deletion: AccountDeletionService) {}

  @MessagePattern(USERS.DELETE_MEMBER)
  delete(@Payload() dto: DeleteMemberDto): Promise<MemberDeletedResult> {
    return this.deletion.delete(dto);
  }
}
