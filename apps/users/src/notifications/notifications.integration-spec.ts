import { ErrorCode, MEMBER_EVENTS, NotificationTarget, USERS } from '@up/contracts';
import { errorCodeOf } from '@up/testing';
import { randomUUID } from 'node:crypto';
import { startUsersService, UsersServiceHarness } from '../../test/users-service.harness';
import { NotificationsService } from './notifications.service';

describe(NotificationsService.name, () => {
  let harness: UsersServiceHarness;

  beforeAll(async () => {
    harness = await startUsersService();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** Every announcement target, page by page. */
  async function allAnnouncementTargets(limit: number): Promise<NotificationTarget[]> {
    const targets: NotificationTarget[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await harness.bus.send(USERS.LIST_ANNOUNCEMENT_TARGETS, { after, limit });
      targets.push(...page.targets);
      if (page.next === null) return targets;
      after = page.next;
    }
  }

  it('answers the defaults: everything on, the language from Telegram, else ru', async () => {
    const english = await harness.given.telegramMember({ language_code: 'en-US' });
    const german = await harness.given.telegramMember({ language_code: 'de' });
    const byEmail = await harness.given.emailMember();

    for (const [member, language] of [
      [english, 'en'],
      [german, 'ru'],
      [byEmail, 'ru'],
    ] as const) {
      await expect(
        harness.bus.send(USERS.GET_NOTIFICATION_SETTINGS, { member_id: member.id }),
      ).resolves.toEqual({ announcements: true, reminders: true, language });
    }
    expect(
      await errorCodeOf(
        harness.bus.send(USERS.GET_NOTIFICATION_SETTINGS, { member_id: randomUUID() }),
      ),
    ).toBe(ErrorCode.MEMBER_NOT_FOUND);
  });

  it('changes settings, bumping the version and publishing member.updated; a no-op changes nothing', async () => {
    const member = await harness.given.telegramMember({ language_code: 'ru' });

    await expect(
      harness.bus.send(USERS.UPDATE_NOTIFICATION_SETTINGS, {
        member_id: member.id,
        reminders: false,
        language: 'en',
      }),
    ).resolves.toEqual({ announcements: true, reminders: false, language: 'en' });
    await harness.bus.send(USERS.UPDATE_NOTIFICATION_SETTINGS, {
      member_id: member.id,
      reminders: false,
    });

    const { version } = await harness.bus.send(USERS.GET_PROFILE, { member_id: member.id });
    expect(version).toBe(2);
    const updates = (await harness.publishedEvents(MEMBER_EVENTS.UPDATED)).filter(
      (event) => event.data.member_id === member.id,
    );
    expect(updates).toHaveLength(2); // created, then the one change
    expect(updates[1].data).toMatchObject({
      version: 2,
      changed: ['language', 'reminders'],
      language: 'en',
      language_code: 'ru',
      announcements: true,
      reminders: false,
    });
    // The chosen language no longer follows the Telegram client.
    await harness.bus.send(USERS.UPSERT_TELEGRAM, {
      telegram_id: member.telegram_id ?? 0,
      language_code: 'ru-RU',
    });
    await expect(
      harness.bus.send(USERS.GET_NOTIFICATION_SETTINGS, { member_id: member.id }),
    ).resolves.toMatchObject({ language: 'en' });
  });

  it('refuses a language it does not speak', async () => {
    const member = await harness.given.telegramMember();
    expect(
      await errorCodeOf(
        harness.bus.send(USERS.UPDATE_NOTIFICATION_SETTINGS, {
          member_id: member.id,
          language: 'de' as 'en',
        }),
      ),
    ).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it('answers targets in the order asked, unknown ids left out, telegram ids as strings', async () => {
    const a = await harness.given.telegramMember({ language_code: 'en' });
    const b = await harness.given.emailMember();

    const { targets } = await harness.bus.send(USERS.GET_NOTIFICATION_TARGETS, {
      member_ids: [b.id, randomUUID(), a.id, b.id],
    });

    expect(targets).toEqual([
      {
        member_id: b.id,
        telegram_id: null,
        language: 'ru',
        announcements: true,
        reminders: true,
        reachable: true,
      },
      {
        member_id: a.id,
        telegram_id: String(a.telegram_id),
        language: 'en',
        announcements: true,
        reminders: true,
        reachable: true,
      },
    ]);
  });

  it('marks a Telegram account unreachable and reachable again, answering whether it changed', async () => {
    const member = await harness.given.telegramMember();
    const telegramId = String(member.telegram_id);
    const set = (reachable: boolean) =>
      harness.bus.send(USERS.SET_TELEGRAM_REACHABLE, { telegram_id: telegramId, reachable });

    await expect(set(false)).resolves.toEqual({ changed: true });
    await expect(set(false)).resolves.toEqual({ changed: false });
    const { targets } = await harness.bus.send(USERS.GET_NOTIFICATION_TARGETS, {
      member_ids: [member.id],
    });
    expect(targets[0].reachable).toBe(false);
    expect((await allAnnouncementTargets(1000)).map((t) => t.member_id)).not.toContain(member.id);

    await expect(set(true)).resolves.toEqual({ changed: true });
    expect((await allAnnouncementTargets(1000)).map((t) => t.member_id)).toContain(member.id);
    await expect(
      harness.bus.send(USERS.SET_TELEGRAM_REACHABLE, { telegram_id: '42', reachable: false }),
    ).resolves.toEqual({ changed: false });
    // Not a profile change.
    const { version } = await harness.bus.send(USERS.GET_PROFILE, { member_id: member.id });
    expect(version).toBe(1);
  });

  it('pages announcement targets by id: active members with a chat, opted in and reachable, each once', async () => {
    const wanted = await Promise.all(
      Array.from({ length: 7 }, () => harness.given.telegramMember()),
    );
    const optedOut = await harness.given.telegramMember();
    await harness.bus.send(USERS.UPDATE_NOTIFICATION_SETTINGS, {
      member_id: optedOut.id,
      announcements: false,
    });
    const deactivated = await harness.given.telegramMember();
    await harness.dataSource.query(`UPDATE users.members SET is_active = false WHERE id = $1`, [
      deactivated.id,
    ]);
    const withoutChat = await harness.given.emailMember();

    const targets = await allAnnouncementTargets(3);
    const ids = targets.map((t) => t.member_id);

    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const member of wanted) expect(ids).toContain(member.id);
    for (const member of [optedOut, deactivated, withoutChat]) expect(ids).not.toContain(member.id);
    expect(targets.every((t) => t.announcements && t.reachable && t.telegram_id !== null)).toBe(
      true,
    );
  });

  it('refuses more than 1000 ids and a limit outside 1..1000', async () => {
    const ids = Array.from({ length: 1001 }, () => randomUUID());
    expect(
      await errorCodeOf(harness.bus.send(USERS.GET_NOTIFICATION_TARGETS, { member_ids: ids })),
    ).toBe(ErrorCode.VALIDATION_FAILED);
    expect(
      await errorCodeOf(harness.bus.send(USERS.LIST_ANNOUNCEMENT_TARGETS, { limit: 1001 })),
    ).toBe(ErrorCode.VALIDATION_FAILED);
  });
});
