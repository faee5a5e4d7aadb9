import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '@up/database';

/** A mail as it is queued: rendered, ready to send. */
export interface QueuedMail {
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A queued mail taken for sending. */
export interface DueMail extends QueuedMail {
  id: string;
  /** This attempt's number (1 for the first). */
  attempts: number;
}

/** How many mails wait, how many of them have failed at least once, and the oldest one's age. */
export interface MailBacklog {
  waiting: number;
  failing: number;
  oldestAgeMs: number | null;
}

/** `users.mail_outbox`: mail waiting to go out. */
@Injectable()
export class MailOutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async add(manager: EntityManager, mail: QueuedMail): Promise<void> {
    await queryRows(
      manager,
      `INSERT INTO users.mail_outbox (kind, to_address, subject, text_body, html_body)
       VALUES ($1, $2, $3, $4, $5)`,
      [mail.kind, mail.to, mail.subject, mail.text, mail.html],
    );
  }

  /**
   * Takes up to `limit` due mails for `leaseMs`: their next attempt moves past the lease, so other
   * replicas leave them alone while this one sends, and pick them up if it dies meanwhile.
   */
  async claimDue(args: { limit: number; leaseMs: number }): Promise<DueMail[]> {
    const rows = await queryRows<{
      id: string;
      kind: string;
      to_address: string;
      subject: string;
      text_body: string;
      html_body: string;
      attempts: number;
    }>(
      this.dataSource,
      `UPDATE users.mail_outbox m
          SET attempts = m.attempts + 1,
              next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
        WHERE m.id IN (SELECT id FROM users.mail_outbox
                        WHERE next_attempt_at <= now()
                        ORDER BY next_attempt_at
                        LIMIT $1
                        FOR UPDATE SKIP LOCKED)
        RETURNING m.id, m.kind, m.to_address, m.subject, m.text_body, m.html_body, m.attempts`,
      [args.limit, args.leaseMs],
    );
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      to: row.to_address,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      attempts: row.attempts,
    }));
  }

  /** Sent: the row (and the link it carries) goes away. */
  async remove(id: string): Promise<void> {
    await queryRows(this.dataSource, `DELETE FROM users.mail_outbox WHERE id = $1`, [id]);
  }

  async scheduleRetry(args: { id: string; delayMs: number; error: string }): Promise<void> {
    await queryRows(
      this.dataSource,
      `UPDATE users.mail_outbox
          SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
              last_error = $3
        WHERE id = $1`,
      [args.id, args.delayMs, args.error.slice(0, 2000)],
    );
  }

  async backlog(): Promise<MailBacklog> {
    const row = await queryOne<{ waiting: number; failing: number; oldest_ms: number | null }>(
      this.dataSource,
      `SELECT count(*)::int AS waiting,
              count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failing,
              (extract(epoch FROM now() - min(created_at)) * 1000)::float8 AS oldest_ms
         FROM users.mail_outbox`,
    );
    return {
      waiting: row?.waiting ?? 0,
      failing: row?.failing ?? 0,
      oldestAgeMs: row?.oldest_ms ?? null,
    };
  }
}
