import { Injectable } from '@nestjs/common';
import { BusClient } from '@up/bus';
import { EventPage, EVENTS, EventView, JoinEventResult, LeaveEventResult } from '@up/contracts';
import { EVENTS_PAGE_SIZE } from './events.format';

/** The events service as the bot uses it. */
@Injectable()
export class EventsService {
  constructor(private readonly bus: BusClient) {}

  upcoming(offset: number): Promise<EventPage> {
    return this.bus.send(EVENTS.LIST_UPCOMING, { limit: EVENTS_PAGE_SIZE, offset });
  }

  get(params: { eventId: string; memberId: string }): Promise<EventView> {
    return this.bus.send(EVENTS.GET, { event_id: params.eventId, member_id: params.memberId });
  }

  join(params: { eventId: string; memberId: string }): Promise<JoinEventResult> {
    return this.bus.send(EVENTS.JOIN, { event_id: params.eventId, member_id: params.memberId });
  }

  leave(params: { eventId: string; memberId: string }): Promise<LeaveEventResult> {
    return this.bus.send(EVENTS.LEAVE, { event_id: params.eventId, member_id: params.memberId });
  }
}
