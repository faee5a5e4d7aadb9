import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module';
import { SeatSettlement } from './seat-settlement.service';
import { SeatsRepository } from './seats.repository';
import { WaitlistRepository } from './waitlist.repository';

/**
 * Seats, the waitlist and the settlement of held seats: what both the participation feature and
 * the event lifecycle (cancellation, a capacity increase) change. Kept apart from
 * ParticipationModule so that EventsModule can use it without a cycle.
 */
@Module({
  imports: [MembersModule],
  providers: [SeatsRepository, WaitlistRepository, SeatSettlement],
  exports: [SeatsRepository, WaitlistRepository, SeatSettlement],
})
export class SeatingModule {}
