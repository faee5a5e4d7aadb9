import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode, TransferMemberDto, TransferMemberResult } from '@up/contracts';
import { Outbox, TransactionRunner } from '@up/database';
import { ParticipationService } from './participation.service';
import { SeatSettlement } from './seat-settlement.service';
import { Seat, SeatsRepository } from './seats.repository';
import { WaitlistRepository } from './waitlist.repository';

/**
 * What happens to a member's seats and waitlist places when the member merges into another
 * (`events.transfer_member`) or is deleted (`member.deleted`). Both are idempotent by state: a
 * repeat finds nothing left to move or give back, and a refund's key is its attempt's.
 */
@Injectable()
export class MemberLifecycleService {
  private readonly logger = new Logger(MemberLifecycleService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly seats: SeatsRepository,
    private readonly waitlist: WaitlistRepository,
    private readonly settlement: SeatSettlement,
    private readonly participation: ParticipationService,
    private readonly outbox: Outbox,
  ) {}

  /**
   * `from`'s seats and places become `to`'s, event by event under each event's lock. Where `to`
   * holds a seat already, `from`'s is given back (before the start) and refunded to `from`, whose
   * coins the merge moves next: so the answer waits for every refund owed to `from`, and fails
   * (for the merge to retry) while one is not confirmed. CONFLICT while `from` has a join in
   * progress: its debit is settled first (a deactivated member's is refused).
   */
  async transfer(dto: TransferMemberDto): Promise<TransferMemberResult> {
    const manager = this.transactions.manager;
    if (await this.seats.hasPending(manager, dto.from)) {
      throw new DomainError(ErrorCode.CONFLICT, 'The member has a join in progress; retry later');
    }
    const result: TransferMemberResult = { moved_seats: 0, refunded_seats: 0, moved_waitlist: 0 };
    const offered: Seat[] = [];
    const seatEvents = await this.seats.joinedEventIds(manager, {
      memberId: dto.from,
      upcomingOnly: false,
    });
    for (const eventId of seatEvents) {
      await this.transactions.run(async (tx) => {
        const event = await this.seats.lockEvent(tx.manager, eventId);
        if (!event) return;
        if (!(await this.seats.holdsSeat(tx.manager, eventId, dto.to))) {
          await this.waitlist.releaseMember(tx.manager, eventId, dto.to);
          if (await this.seats.moveJoined(tx.manager, { eventId, from: dto.from, to: dto.to })) {
            result.moved_seats += 1;
          }
          return;
        }
        // Both hold a seat: one is kept. A past event's history stays as it was.
        if (!event.upcoming) return;
        const { offered: promotions } = await this.settlement.leaveLocked(tx, {
          eventId,
          memberId: dto.from,
        });
        offered.push(...promotions);
        result.refunded_seats += 1;
      });
    }
    for (const eventId of await this.waitlist.eventIdsInLine(manager, dto.from)) {
      await this.transactions.run(async (tx) => {
        await this.seats.lockEvent(tx.manager, eventId);
        const taken =
          (await this.seats.holdsSeat(tx.manager, eventId, dto.to)) ||
          (await this.waitlist.isInLine(tx.manager, eventId, dto.to));
        if (taken) await this.waitlist.releaseMember(tx.manager, eventId, dto.from);
        else if (
          await this.waitlist.moveWaiting(tx.manager, { eventId, from: dto.from, to: dto.to })
        ) {
          result.moved_waitlist += 1;
        }
      });
    }
    await this.settlement.settlePromotions(offered);
    await this.refundAllOwed(dto.from);
    return result;
  }

  /**
   * A deleted member leaves every upcoming event (refunded, the seat offered to the waitlist) and
   * every line. A leave that finds no seat any more (a repeat) is skipped; refunds that fail stay
   * owed for the recovery sweep, like any leave's.
   */
  async removeMember(memberId: string): Promise<void> {
    const manager = this.transactions.manager;
    const events = await this.seats.joinedEventIds(manager, { memberId, upcomingOnly: true });
    for (const eventId of events) {
      try {
        await this.participation.leave({ event_id: eventId, member_id: memberId });
      } catch (error) {
        // Left meanwhile, or the event started: nothing to give back.
        if (!(error instanceof DomainError)) throw error;
      }
    }
    for (const eventId of await this.waitlist.eventIdsInLine(manager, memberId)) {
      await this.transactions.run(async (tx) => {
        await this.seats.lockEvent(tx.manager, eventId);
        await this.waitlist.remove(tx.manager, eventId, memberId);
      });
    }
    this.logger.log({ memberId, events: events.length }, 'deleted member removed from events');
  }

  private async refundAllOwed(memberId: string): Promise<void> {
    for (const seat of await this.seats.owedRefunds(this.transactions.manager, memberId)) {
      if ((await this.settlement.refund(seat)) === null && seat.price > 0) {
        throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'A refund is not confirmed yet');
      }
    }
  }
}
