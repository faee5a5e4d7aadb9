import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EVENTS_SCHEMA } from '../shared/schema';

/**
 * A club event. `seats_taken` counts the seats held (joins being paid for and joined members) and
 * is only ever changed by single conditional UPDATE statements, so the capacity check and the
 * seat count cannot disagree whatever the number of replicas; the check constraint is the last
 * line of defence.
 */
@Entity({ schema: EVENTS_SCHEMA, name: 'events' })
@Check('events_price_check', 'price >= 0')
@Check('events_capacity_check', 'capacity IS NULL OR capacity >= 1')
@Check(
  'events_seats_taken_check',
  'seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)',
)
@Check('events_end_date_check', 'end_date IS NULL OR end_date >= start_date')
// Upcoming listing: active events by start, so `WHERE is_active AND start_date >= now() ORDER BY
// start_date, id LIMIT n` is a bounded index scan however many events exist.
@Index('events_upcoming_idx', ['startDate', 'id'], { where: 'is_active' })
// Administration lists every event, newest start first.
@Index('events_start_date_idx', ['startDate', 'id'])
export class EventEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'events_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'start_date', type: 'timestamptz' })
  startDate!: Date;

  @Column({ name: 'end_date', type: 'timestamptz', nullable: true })
  endDate!: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  location!: string | null;

  /** UP coins. */
  @Column({ type: 'integer', default: 0 })
  price!: number;

  @Column({ name: 'image_url', type: 'varchar', length: 2048, nullable: true })
  imageUrl!: string | null;

  /** Null: unlimited. */
  @Column({ type: 'integer', nullable: true })
  capacity!: number | null;

  @Column({ name: 'seats_taken', type: 'integer', default: 0 })
  seatsTaken!: number;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ name: 'creator_id', type: 'uuid' })
  creatorId!: string;

  /** IANA time zone the event takes place in. */
  @Column({ type: 'varchar', length: 64 })
  timezone!: string;

  /**
   * When the event got its current `start_date` (creation, or the last change of the start). The
   * reminder sweep sends only the reminders that fall due after this moment (see ReminderSweep).
   */
  @Column({ name: 'scheduled_at', type: 'timestamptz', default: () => 'now()' })
  scheduledAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
