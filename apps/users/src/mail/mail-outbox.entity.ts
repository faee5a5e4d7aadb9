import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { USERS_SCHEMA } from '../shared/schema';

/**
 * Mail to send, written in the transaction of the fact it tells about and deleted once the SMTP
 * server accepted it. A row that fails stays with its attempts, last error and next attempt, which
 * is what operators look at (and the health report counts).
 */
@Entity({ schema: USERS_SCHEMA, name: 'mail_outbox' })
@Index('mail_outbox_next_attempt_at_idx', ['nextAttemptAt'])
export class MailOutboxEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'mail_outbox_pkey' })
  id!: string;

  /** What the mail is (email_verification, password_reset), for operators. */
  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ name: 'to_address', type: 'varchar', length: 254 })
  toAddress!: string;

  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  @Column({ name: 'text_body', type: 'text' })
  textBody!: string;

  @Column({ name: 'html_body', type: 'text' })
  htmlBody!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Due from then; while a replica sends it, a lease in the future keeps others off it. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
