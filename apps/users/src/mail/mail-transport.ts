import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { UsersConfig } from '../config/users.config';
import { DueMail } from './mail-outbox.repository';

/** An SMTP server that does not answer is an attempt that failed, not a sender stuck for minutes. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Hands a mail to SMTP_URL (nodemailer), or without it writes the message as an .eml file under
 * MAIL_OUTBOX_DIR (nodemailer builds the same MIME message either way). The Message-ID is derived
 * from the outbox row, so a mail sent twice after a crash is recognisable as one.
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly logger = new Logger(MailTransport.name);
  private readonly transporter: Transporter;
  /** The directory .eml files go to, or undefined when mail goes through SMTP. */
  readonly outboxDir?: string;

  constructor(private readonly config: UsersConfig) {
    if (config.SMTP_URL) {
      this.transporter = createTransport({ url: config.SMTP_URL, ...SMTP_TIMEOUTS });
    } else {
      this.outboxDir = resolve(config.MAIL_OUTBOX_DIR);
      this.transporter = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      this.logger.log(`no SMTP_URL: mail is written as .eml files under ${this.outboxDir}`);
    }
  }

  async send(mail: DueMail): Promise<void> {
    const info = (await this.transporter.sendMail({
      from: this.config.MAIL_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${mail.id}@up-club.mail>`,
    })) as { message?: Buffer };
    if (this.outboxDir && info.message) {
      await mkdir(this.outboxDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await writeFile(join(this.outboxDir, `${stamp}-${mail.kind}-${mail.id}.eml`), info.message);
    }
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}
