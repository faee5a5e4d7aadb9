import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  EventAudiencePage,
  EventParticipantsPage,
  EVENTS,
  JoinEventDto,
  JoinEventResult,
  LeaveEventDto,
  LeaveEventResult,
  ListEventAudienceDto,
  ListEventParticipantsDto,
  WaitlistDto,
  WaitlistEntryView,
} from '@up/contracts';
import { ParticipationService } from './participation.service';
import { WaitlistService } from './waitlist.service';

@Controller()
export class ParticipationController {
  constructor(
    private readonly participation: ParticipationService,
    private readonly waitlist: WaitlistService,
  ) {}

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

  @MessagePattern(EVENTS.LIST_AUDIENCE)
  listAudience(@Payload() dto: ListEventAudienceDto): Promise<EventAudiencePage> {
    return this.participation.listAudience(dto);
  }

  @MessagePattern(EVENTS.JOIN_WAITLIST)
  joinWaitlist(@Payload() dto: WaitlistDto): Promise<WaitlistEntryView> {
    return this.waitlist.join(dto);
  }

  @MessagePattern(EVENTS.LEAVE_WAITLIST)
  leaveWaitlist(@Payload() dto: WaitlistDto): Promise<null> {
    return this.waitlist.leave(dto);
  }
}
