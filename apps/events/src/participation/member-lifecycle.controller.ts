import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  EVENTS,
  MEMBER_EVENTS,
  MemberDeletedPayload,
  TransferMemberDto,
  TransferMemberResult,
} from '@up/contracts';
import { MemberLifecycleService } from './member-lifecycle.service';

@Controller()
export class MemberLifecycleController {
  constructor(private readonly lifecycle: MemberLifecycleService) {}

  @MessagePattern(EVENTS.TRANSFER_MEMBER)
  transfer(@Payload() dto: TransferMemberDto): Promise<TransferMemberResult> {
    return this.lifecycle.transfer(dto);
  }

  /** Idempotent by state (a repeat finds nothing left), so no inbox record is needed. */
  @EventPattern(MEMBER_EVENTS.DELETED)
  onMemberDeleted(@Payload() event: MemberDeletedPayload): Promise<void> {
    return this.lifecycle.removeMember(event.member_id);
  }
}
