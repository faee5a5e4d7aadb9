import { Module } from '@nestjs/common';
import { RemindersRepository } from './reminders.repository';
import { ReminderSweep } from './reminder-sweep.service';

/** Reminders before an event's start: the sweep that emits `event.reminder_due`. */
@Module({
  providers: [ReminderSweep, RemindersRepository],
  exports: [ReminderSweep],
})
export class RemindersModule {}
