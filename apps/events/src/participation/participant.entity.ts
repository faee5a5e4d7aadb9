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
 * `pending`: the seat is held while the price is being debited; `joined`: paid and in;
 * `left`: left before the start (refund owed or done); `failed`: the debit was refused, the seat
 * was given back; `cancelled`: the event was cancelled (refund owed or done). Rows are never deleted, so a (event, member, attempt) triple, and with it the
 * idempotency key of its debit, is never reused.
 */
export const PARTICIPANT_STATUSES = ['pending', 'joined', 'left', 'failed', 'cancelled'] as const;
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];

/** `due`: the refund of a left seat is owed (retried until the users service confirms); `done`. */
export type RefundState = 'due' | 'done';

@Entity({ schema: EVENTS_SCHEMA, name: 'participants' })
@Check(
  'participants_status_check',
  `status IN ('pending', 'joined', 'left', 'failed', 'cancelled')`,
)
@Check('participants_refund_state_check', `refund_state IS NULL OR refund_state IN ('due', 'done')`)
@Check('participants_price_check', 'price >= 0')
@Check('participants_attempt_check', 'attempt >= 1')
// One live participation per member and event: a second concurrent join fails on this index.
@Index('participants_active_key', ['eventId', 'memberId'], {
  unique: true,
  where: `status IN ('pending', 'joined')`,
})
// Each join attempt has its own number (and so its own debit key); also serves (event, member) lookups.
@Index('participants_attempt_key', ['eventId', 'memberId', 'attempt'], { unique: true })
// An event's participants in joining order.
@Index('participants_event_joined_idx', ['eventId', 'joinedAt', 'id'], {
  where: `status = 'joined'`,
})
// A member's events, and whether a join is their first.
@Index('participants_member_idx', ['memberId'])
// Work for the recovery sweep: joins stuck between seat and debit, refunds not yet confirmed.
@Index('participants_recovery_idx', ['updatedAt'], {
  where: `status = 'pending' OR refund_state = 'due'`,
})
export class ParticipantEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'participants_pkey' })
  id!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'participants_event_id_fkey' })
  event?: EventEntity;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  /** 1 for the member's first join of this event, 2 after leaving and joining again, ... */
  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: ParticipantStatus;

  /** UP coins charged for this seat (the event's price when the seat was taken). */
  @Column({ type: 'integer' })
  price!: number;

  /** When the join was confirmed (paid); null while pending or when it failed. */
  @Column({ name: 'joined_at', type: 'timestamptz', nullable: true })
  joinedAt!: Date | null;

  @Column({ name: 'left_at', type: 'timestamptz', nullable: true })
  leftAt!: Date | null;

  @Column({ name: 'refund_state', type: 'varchar', length: 8, nullable: true })
  refundState!: RefundState | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
