import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EventEntity } from '../events/event.entity';
import { EVENTS_SCHEMA } from '../shared/schema';

/** `sent`: `event.reminder_due` went out; `skipped`: passed over without a message (see ReminderSweep). */
export type ReminderOutcome = 'sent' | 'skipped';

/**
 * One row per reminder the sweep has dealt with: (event, offset, the start it was for). The
 * primary key is what makes a reminder go out once whatever the number of replicas; a new start
 * has no rows yet, so a rescheduled event's reminders are armed again.
 */
@Entity({ schema: EVENTS_SCHEMA, name: 'reminders_sent' })
@Check('reminders_sent_outcome_check', `outcome IN ('sent', 'skipped')`)
export class ReminderSentEntity {
  @PrimaryColumn({
    name: 'event_id',
    type: 'uuid',
    primaryKeyConstraintName: 'reminders_sent_pkey',
  })
  eventId!: string;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'reminders_sent_event_id_fkey' })
  event?: EventEntity;

  /** bigint: pg answers it as a string. */
  @PrimaryColumn({
    name: 'offset_ms',
    type: 'bigint',
    primaryKeyConstraintName: 'reminders_sent_pkey',
  })
  offsetMs!: string;

  @PrimaryColumn({
    name: 'start_date',
    type: 'timestamptz',
    primaryKeyConstraintName: 'reminders_sent_pkey',
  })
  startDate!: Date;

  /** As configured, e.g. `24h`. */
  @Column({ name: 'offset_label', type: 'varchar', length: 16 })
  offsetLabel!: string;

  @Column({ type: 'varchar', length: 8 })
  outcome!: ReminderOutcome;

  /** How many participants the reminder named (0 when skipped). */
  @Column({ name: 'member_count', type: 'integer', default: 0 })
  memberCount!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
