import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EventCalendar, EVENTS, GetEventCalendarDto } from '@up/contracts';
import { CalendarService } from './calendar.service';

@Controller()
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @MessagePattern(EVENTS.GET_ICS)
  calendarOf(@Payload() dto: GetEventCalendarDto): Promise<EventCalendar> {
    return this.calendar.calendarOf(dto);
  }
}
