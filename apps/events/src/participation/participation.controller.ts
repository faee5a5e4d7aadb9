import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  EventParticipantsPage,
  EVENTS,
  JoinEventDto,
  JoinEventResult,
  LeaveEventDto,
  LeaveEventResult,
  ListEventParticipantsDto,
} from '@up/contracts';
import { ParticipationService } from './participation.service';

@Controller()
export class ParticipationController {
  constructor(private readonly participation: ParticipationService) {}

  @MessagePattern(EVENTS.JOIN)
  join(@Payload() dto: JoinEventDto): Promise<JoinEventResult> {
    return this.participation.join(dto);
  }

  @MessagePattern(EVENTS.LEAVE)
  leave(@Payload() dto: LeaveEventDto): Promise<LeaveEventResult> {
    return this.participation.leave(dto);
  }

  @MessagePattern(EVENTS.LIST_PARTICIPANTS)
  listParticipants(@Payload() dto: ListEventParticipantsDto): Promise<EventParticipantsPage> {
    return this.participation.listParticipants(dto);
  }
}
