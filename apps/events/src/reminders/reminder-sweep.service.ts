import { Injectable } from '@nestjs/common';
import { EVENT_EVENTS } from '@up/contracts';
import { Outbox, TransactionRunner, Tx } from '@up/database';
import { PeriodicSweep } from '@up/health';
import { EventsConfig } from '../config/events.config';
import type { ReminderOffset } from './reminder-offsets';
import { planReminders } from './reminder-plan';
import { DueEvent, RemindersRepository } from './reminders.repository';

export interface ReminderSweepReport {
  sent: number;
  skipped: number;
}

/** Events handled per transaction (their rows stay locked until it commits). */
const BATCH = 50;

/**
 * Emits `event.reminder_due` when an event's reminder falls due (the rule: `planReminders`). Runs
 * on every replica every EVENT_REMINDER_INTERVAL_MS without coordination: each batch locks its
 * events FOR NO KEY UPDATE SKIP LOCKED, records each reminder in `reminders_sent` (primary key:
 * event, offset, start) and writes the bus event to the outbox in the same transaction, so a
 * reminder is emitted once whatever the number of replicas, restarts or retries.
 */
@Injectable()
export class ReminderSweep extends PeriodicSweep {
  private readonly offsets: ReminderOffset[];

  constructor(
    private readonly reminders: RemindersRepository,
    private readonly transactions: TransactionRunner,
    private readonly outbox: Outbox,
    config: EventsConfig,
  ) {
    super({
      name: 'reminder sweep',
      intervalMs: config.EVENT_REMINDER_INTERVAL_MS,
      stopOn: 'application-shutdown',
    });
    this.offsets = config.reminderOffsets;
  }

  protected round(): Promise<ReminderSweepReport> {
    return this.sweep();
  }

  /** Deals with every reminder due now; batch after batch until none is left. */
  async sweep(): Promise<ReminderSweepReport> {
    const report: ReminderSweepReport = { sent: 0, skipped: 0 };
    for (;;) {
      const handled = await this.transactions.run(async (tx) => {
        const events = await this.reminders.lockDueEvents(tx.manager, {
          offsetsMs: this.offsets.map((offset) => offset.ms),
          limit: BATCH,
        });
        const done = await this.reminders.doneOffsets(
          tx.manager,
          events.map((event) => event.id),
        );
        const batch: ReminderSweepReport = { sent: 0, skipped: 0 };
        for (const event of events) {
          const outcome = await this.remind(tx, event, done.get(event.id) ?? new Set());
          batch.sent += outcome.sent;
          batch.skipped += outcome.skipped;
        }
        return { count: events.length, ...batch };
      });
      report.sent += handled.sent;
      report.skipped += handled.skipped;
      if (handled.count < BATCH) break;
    }
    if (report.sent + report.skipped > 0) this.logger.log({ ...report }, 'reminder sweep');
    return report;
  }

  private async remind(
    tx: Tx,
    event: DueEvent,
    done: ReadonlySet<number>,
  ): Promise<ReminderSweepReport> {
    const plan = planReminders({
      now: event.now,
      startDate: event.startDate,
      scheduledAt: event.scheduledAt,
      offsets: this.offsets,
      done,
    });
    let skipped = 0;
    for (const offset of plan.skip) {
      const recorded = await this.reminders.record(tx.manager, {
        eventId: event.id,
        offsetMs: offset.ms,
        offsetLabel: offset.label,
        outcome: 'skipped',
        memberCount: 0,
      });
      if (recorded) skipped += 1;
    }
    if (!plan.send) return { sent: 0, skipped };
    const memberIds = await this.reminders.participantsJoinedBy(tx.manager, {
      eventId: event.id,
      joinedBy: new Date(event.startDate.getTime() - plan.send.ms),
    });
    const recorded = await this.reminders.record(tx.manager, {
      eventId: event.id,
      offsetMs: plan.send.ms,
      offsetLabel: plan.send.label,
      outcome: 'sent',
      memberCount: memberIds.length,
    });
    if (!recorded) return { sent: 0, skipped };
    await this.outbox.publish(tx, EVENT_EVENTS.REMINDER_DUE, {
      event_id: event.id,
      title: event.title,
      start_date: event.startDate.toISOString(),
      timezone: event.timezone,
      location: event.location,
      offset: plan.send.label,
      offset_ms: plan.send.ms,
      member_ids: memberIds,
    });
    return { sent: 1, skipped };
  }
}
