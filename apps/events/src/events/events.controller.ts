import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AdminListEventsDto,
  CreateEventDto,
  DeactivateEventDto,
  EventPage,
  EVENTS,
  EventView,
  GetEventDto,
  ListMemberEventsDto,
  ListUpcomingEventsDto,
  UpdateEventDto,
} from '@up/contracts';
import { EventsService } from './events.service';

@Controller()
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @MessagePattern(EVENTS.LIST_UPCOMING)
  listUpcoming(@Payload() dto: ListUpcomingEventsDto): Promise<EventPage> {
    return this.events.listUpcoming(dto);
  }

  @MessagePattern(EVENTS.GET)
  get(@Payload() dto: GetEventDto): Promise<EventView> {
    return this.events.get(dto);
  }

  @MessagePattern(EVENTS.CREATE)
  create(@Payload() dto: CreateEventDto): Promise<EventView> {
    return this.events.create(dto);
  }

  @MessagePattern(EVENTS.UPDATE)
  update(@Payload() dto: UpdateEventDto): Promise<EventView> {
    return this.events.update(dto);
  }

  @MessagePattern(EVENTS.DEACTIVATE)
  deactivate(@Payload() dto: DeactivateEventDto): Promise<EventView> {
    return this.events.deactivate(dto);
  }

  @MessagePattern(EVENTS.LIST_MEMBER_EVENTS)
  listMemberEvents(@Payload() dto: ListMemberEventsDto): Promise<EventPage> {
    return this.events.listMemberEvents(dto);
  }

  @MessagePattern(EVENTS.ADMIN_LIST)
  adminList(@Payload() dto: AdminListEventsDto): Promise<EventPage> {
    return this.events.adminList(dto);
  }
}
