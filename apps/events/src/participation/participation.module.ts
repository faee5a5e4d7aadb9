import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { MembersModule } from '../members/members.module';
import { JoinRecoveryService } from './join-recovery.service';
import { MemberLifecycleController } from './member-lifecycle.controller';
import { MemberLifecycleService } from './member-lifecycle.service';
import { ParticipationController } from './participation.controller';
import { ParticipationService } from './participation.service';
import { SeatingModule } from './seating.module';
import { WaitlistService } from './waitlist.service';

@Module({
  imports: [EventsModule, MembersModule, SeatingModule],
  controllers: [ParticipationController, MemberLifecycleController],
  providers: [ParticipationService, WaitlistService, JoinRecoveryService, MemberLifecycleService],
})
export class ParticipationModule {}
