import { Module } from '@nestjs/common';
import { MailOutbox } from './mail-outbox';
import { MailOutboxRepository } from './mail-outbox.repository';
import { MailSender } from './mail-sender';
import { MailTransport } from './mail-transport';

/** The users service's outgoing mail: queued with the fact (MailOutbox), sent by MailSender. */
@Module({
  providers: [MailOutbox, MailOutboxRepository, MailSender, MailTransport],
  exports: [MailOutbox, MailSender],
})
export class MailModule {}
