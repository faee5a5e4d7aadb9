import { Injectable } from '@nestjs/common';
import { BusClient } from '@up/bus';
import {
  EventPage,
  EVENTS,
  EventView,
  JoinEventResult,
  LeaveEventResult,
  WaitlistEntryView,
} from '@up/contracts';
import { EVENTS_PAGE_SIZE, isFull } from './events.format';

/** The events service as the bot uses it. */
@Injectable()
export class EventsService {
  constructor(private readonly bus: BusClient) {}

  upcoming(offset: number): Promise<EventPage> {
    return this.bus.send(EVENTS.LIST_UPCOMING, { limit: EVENTS_PAGE_SIZE, offset });
  }

  /**
   * A page of upcoming events as `memberId` sees it: each full event is asked for again with the
   * member (`events.get`), so the list knows whether they hold a seat or wait in line. Only full
   * events are asked, since only a full event has a waitlist to be in (at most a page's worth of
   * requests, side by side).
   */
  async upcomingFor(params: { offset: number; memberId: string }): Promise<EventPage> {
    const page = await this.upcoming(params.offset);
    const events = await Promise.all(
      page.events.map((event) =>
        isFull(event) ? this.get({ eventId: event.id, memberId: params.memberId }) : event,
      ),
    );
    return { ...page, events };
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

  joinWaitlist(params: { eventId: string; memberId: string }): Promise<WaitlistEntryView> {
    return this.bus.send(EVENTS.JOIN_WAITLIST, {
      event_id: params.eventId,
      member_id: params.memberId,
    });
  }

  async leaveWaitlist(params: { eventId: string; memberId: string }): Promise<void> {
    await this.bus.send(EVENTS.LEAVE_WAITLIST, {
      event_id: params.eventId,
      member_id: params.memberId,
    });
  }
}
