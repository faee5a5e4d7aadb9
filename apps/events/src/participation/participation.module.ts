import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { MembersModule } from '../members/members.module';
import { SharedModule } from '../shared/shared.module';
import { JoinRecoveryService } from './join-recovery.service';
import { ParticipationController } from './participation.controller';
import { ParticipationService } from './participation.service';
import { SeatsRepository } from './seats.repository';

@Module({
  imports: [EventsModule, MembersModule, SharedModule],
  controllers: [ParticipationController],
  providers: [SeatsRepository, ParticipationService, JoinRecoveryService],
})
export class ParticipationModule {}
