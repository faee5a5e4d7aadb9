import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';

@Module({
  imports: [EventsModule],
  controllers: [CalendarController],
  providers: [CalendarService],
})
export class CalendarModule {}
