import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { EventEntity } from '../events/event.entity';
import { EVENTS_SCHEMA } from '../shared/schema';

/**
 * `waiting`: in line; `promoting`: offered a freed seat, its price being debited (the seat is the
 * participant row `participant_id`); `promoted`: paid and seated; `skipped`: could not pay when
 * offered a seat; `left`: left the line; `released`: the event was cancelled. Rows are kept.
 */
export const WAITLIST_STATUSES = [
  'waiting',
  'promoting',
  'promoted',
  'skipped',
  'left',
  'released',
] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

@Entity({ schema: EVENTS_SCHEMA, name: 'waitlist' })
@Check(
  'waitlist_status_check',
  `status IN ('waiting', 'promoting', 'promoted', 'skipped', 'left', 'released')`,
)
// One place in line per member and event.
@Index('waitlist_active_key', ['eventId', 'memberId'], {
  unique: true,
  where: `status IN ('waiting', 'promoting')`,
})
// The line of an event, first come first served.
@Index('waitlist_line_idx', ['eventId', 'joinedWaitlistAt', 'id'], { where: `status = 'waiting'` })
@Index('waitlist_member_idx', ['memberId'])
// From a promotion's seat back to its place in line.
@Index('waitlist_participant_idx', ['participantId'])
export class WaitlistEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'waitlist_pkey' })
  id!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'waitlist_event_id_fkey' })
  event?: EventEntity;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: WaitlistStatus;

  /** The seat offered to this member by a promotion. */
  @Column({ name: 'participant_id', type: 'uuid', nullable: true })
  participantId!: string | null;

  /**
   * Line order. clock_timestamp(), not now(): entries are inserted under the event's row lock, so
   * the insert time (unlike the transaction's start) follows the order members got the lock.
   */
  @Column({ name: 'joined_waitlist_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  joinedWaitlistAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
