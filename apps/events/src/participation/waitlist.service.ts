import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '@up/database';
import { WaitlistDto, WaitlistEntryView } from '@up/contracts';
import { eventNotFound } from '../events/events.errors';
import { alreadyJoined, eventNotJoinable } from './participation.errors';
import { SeatsRepository } from './seats.repository';
import { alreadyWaitlisted, eventNotFull, notWaitlisted } from './waitlist.errors';
import { WaitlistRepository } from './waitlist.repository';

/**
 * The line of a full event: members join it for free and are promoted, in order, when a seat
 * frees (SeatSettlement.offerFreedSeats). Both changes take the event's row lock first, like every
 * seat change, so "is it full?" and the line's order are decided one transaction at a time.
 */
@Injectable()
export class WaitlistService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly seats: SeatsRepository,
    private readonly waitlist: WaitlistRepository,
  ) {}

  async join({ event_id, member_id }: WaitlistDto): Promise<WaitlistEntryView> {
    return this.transactions.run(async ({ manager }) => {
      const event = await this.seats.lockEvent(manager, event_id);
      if (!event) throw eventNotFound(event_id);
      if (await this.seats.holdsSeat(manager, event_id, member_id)) throw alreadyJoined();
      if (await this.waitlist.isInLine(manager, event_id, member_id)) throw alreadyWaitlisted();
      if (!event.isActive) throw eventNotJoinable('inactive');
      if (!event.upcoming) throw eventNotJoinable('started');
      if (event.capacity === null || event.seatsTaken < event.capacity) throw eventNotFull();
      const entry = await this.waitlist.add(manager, event_id, member_id);
      if (!entry) throw alreadyWaitlisted();
      const position = await this.waitlist.positionOf(manager, event_id, member_id);
      return {
        event_id,
        user_id: member_id,
        position: position ?? 1,
        joined_waitlist_at: entry.joinedWaitlistAt.toISOString(),
      };
    });
  }

  async leave({ event_id, member_id }: WaitlistDto): Promise<null> {
    return this.transactions.run(async ({ manager }) => {
      if (!(await this.seats.lockEvent(manager, event_id))) throw eventNotFound(event_id);
      if (!(await this.waitlist.remove(manager, event_id, member_id))) throw notWaitlisted();
      return null;
    });
  }
}
