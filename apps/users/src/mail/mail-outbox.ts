import { Injectable } from '@nestjs/common';
import type { MemberTx } from '../members/member-transactions';
import { MailOutboxRepository, QueuedMail } from './mail-outbox.repository';
import { MailSender } from './mail-sender';

/**
 * The one way the users service sends mail: queued in the transaction of the fact it tells about,
 * so a rolled-back registration mails nobody, and a committed one mails even if SMTP is down now.
 */
@Injectable()
export class MailOutbox {
  constructor(
    private readonly rows: MailOutboxRepository,
    private readonly sender: MailSender,
  ) {}

  async enqueue(tx: MemberTx, mail: QueuedMail): Promise<void> {
    await this.rows.add(tx.manager, mail);
    tx.afterCommit(() => this.sender.nudge());
  }
}
