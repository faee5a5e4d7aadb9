import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { linkIn, startTestMailServer, TestMailServer } from '@up/testing';
import { registerMemberDto } from '../../test/factories/member.factory';
import { startUsersService, UsersServiceHarness } from '../../test/users-service.harness';
import { MailSender } from './mail-sender';

/** Waits until `probe` answers true, checking every 25 ms (fails the test after `timeoutMs`). */
async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const FAST_RETRIES = {
  MAIL_POLL_INTERVAL_MS: '50',
  MAIL_RETRY_MIN_MS: '50',
  MAIL_RETRY_MAX_MS: '200',
};

describe(MailSender.name, () => {
  describe('with SMTP down, then back', () => {
    let smtp: TestMailServer;
    let harness: UsersServiceHarness;

    beforeAll(async () => {
      smtp = await startTestMailServer();
      await smtp.stop();
      harness = await startUsersService({ SMTP_URL: smtp.url, ...FAST_RETRIES });
    });

    afterAll(async () => {
      await harness?.close();
      await smtp?.stop();
    });

    it('keeps the mail with its error while SMTP is down, then delivers it once', async () => {
      const dto = registerMemberDto();
      await harness.given.emailMember(dto);
      const sut = harness.get(MailSender);
      // Several attempts failed: the row shows it to operators, and the backlog counts it.
      await eventually(async () => {
        const [row] = await harness.dataSource.query(
          `SELECT attempts, last_error FROM users.mail_outbox WHERE to_address = $1`,
          [dto.email],
        );
        return row !== undefined && row.attempts >= 3 && row.last_error !== null;
      });
      await expect(sut.backlog()).resolves.toMatchObject({ waiting: 1, failing: 1 });

      await smtp.start();
      const mail = await smtp.waitForMail(dto.email);
      expect(linkIn(mail, '/auth/verify').token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await eventually(async () => (await sut.backlog()).waiting === 0);
      // Another mail after it arrived too: the first one was not sent again meanwhile.
      const next = registerMemberDto();
      await harness.given.emailMember(next);
      await smtp.waitForMail(next.email);
      expect(smtp.mailsTo(dto.email)).toHaveLength(1);
    });
  });

  describe('without SMTP_URL', () => {
    let harness: UsersServiceHarness;

    beforeAll(async () => {
      harness = await startUsersService(FAST_RETRIES);
    });

    afterAll(async () => {
      await harness?.close();
    });

    it('writes each mail as an .eml file under MAIL_OUTBOX_DIR', async () => {
      const dto = registerMemberDto();
      await harness.given.emailMember(dto);
      const dir = harness.config.MAIL_OUTBOX_DIR;
      let eml = '';
      await eventually(async () => {
        const files = await readdir(dir).catch(() => [] as string[]);
        for (const file of files.filter((name) => name.endsWith('.eml'))) {
          const text = await readFile(join(dir, file), 'utf8');
          if (text.includes(dto.email)) eml = text;
        }
        return eml !== '';
      });
      expect(eml).toMatch(/^Subject: /m);
      expect(eml).toMatch(/text\/plain/);
      expect(eml).toMatch(/text\/html/);
    });
  });
});
