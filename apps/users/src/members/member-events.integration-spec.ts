import {
  ErrorCode,
  MEMBER_EVENTS,
  MemberCoinsChangedPayload,
  MemberRole,
  MemberUpdatedPayload,
  PrivateProfile,
} from '@up/contracts';
import { errorCodeOf } from '@up/testing';
import { coinChangeDto, telegramUserDto, uniqueToken } from '../../test/factories/member.factory';
import {
  PublishedEvent,
  startUsersService,
  UsersServiceHarness,
} from '../../test/users-service.harness';
import { AdminService } from '../admin/admin.service';
import { CoinsService } from '../coins/coins.service';
import { MembersService } from './members.service';
import { MemberTransactions } from './member-transactions';
import { MembersRepository } from './members.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe(MemberTransactions.name, () => {
  let harness: UsersServiceHarness;
  let members: MembersService;
  let coins: CoinsService;

  beforeAll(async () => {
    harness = await startUsersService();
    members = harness.get(MembersService);
    coins = harness.get(CoinsService);
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function updatesOf(memberId: string): Promise<PublishedEvent<MemberUpdatedPayload>[]> {
    const events = await harness.publishedEvents(MEMBER_EVENTS.UPDATED);
    return events.filter((e) => e.data.member_id === memberId);
  }

  async function coinChangesOf(
    memberId: string,
  ): Promise<PublishedEvent<MemberCoinsChangedPayload>[]> {
    const events = await harness.publishedEvents(MEMBER_EVENTS.COINS_CHANGED);
    return events.filter((e) => e.data.member_id === memberId);
  }

  async function activeAdmin(): Promise<PrivateProfile> {
    const admin = await harness.given.emailMember();
    await harness.dataSource.query(`UPDATE users.members SET role = 'admin' WHERE id = $1`, [
      admin.id,
    ]);
    return admin;
  }

  it('publishes member.updated once on creation and once per profile change, with the state and the changed fields', async () => {
    const member = await harness.given.telegramMember({ language_code: 'en' });
    const [created] = await updatesOf(member.id);
    expect(created.eventId).toMatch(UUID);
    expect(created.data).toEqual({
      member_id: member.id,
      version: 1,
      created: true,
      changed: [
        'full_name',
        'username',
        'photo_url',
        'role',
        'is_active',
        'language_code',
        'telegram_id',
        'language',
        'announcements',
        'reminders',
      ],
      full_name: member.full_name,
      username: member.username,
      photo_url: null,
      role: MemberRole.MEMBER,
      is_active: true,
      language_code: 'en',
      telegram_id: member.telegram_id,
      language: 'en',
      announcements: true,
      reminders: true,
    });

    const edited = await members.updateProfile({ member_id: member.id, full_name: 'Anna Renamed' });
    // A sign-in and a no-op edit change nothing others follow.
    await members.recordLogin({ member_id: member.id });
    await members.updateProfile({ member_id: member.id, full_name: 'Anna Renamed' });

    const events = await updatesOf(member.id);
    expect(events).toHaveLength(2);
    expect(events[1].eventId).not.toBe(created.eventId);
    expect(events[1].data).toMatchObject({
      version: edited.version,
      created: false,
      changed: ['full_name'],
      full_name: 'Anna Renamed',
      language_code: 'en',
    });
  });

  it('reports a member changed twice in one transaction once, as the transaction left it', async () => {
    const member = await harness.given.telegramMember();
    const repository = harness.get(MembersRepository);
    const final = await harness.get(MemberTransactions).run(async (tx) => {
      await repository.applyChanges(tx, member.id, { fullName: 'First' });
      return repository.applyChanges(tx, member.id, { fullName: 'Second', languageCode: 'de' });
    });

    const events = await updatesOf(member.id);
    expect(events).toHaveLength(2); // created, then this transaction
    expect(events[1].data).toMatchObject({
      version: final.version,
      changed: ['full_name', 'language_code'],
      full_name: 'Second',
      language_code: 'de',
    });
  });

  it('publishes an admin update of role, activity and coins as one member.updated and one member.coins_changed', async () => {
    const admin = await activeAdmin();
    const member = await harness.given.telegramMember();
    const result = await harness.get(AdminService).update({
      actor_id: admin.id,
      member_id: member.id,
      role: MemberRole.ORGANIZER,
      is_active: false,
      coins_delta: 20,
      reason: 'Helped at the door',
    });

    const events = await updatesOf(member.id);
    expect(events).toHaveLength(2); // created, then this update
    expect(events[1].data).toMatchObject({
      version: result.version,
      created: false,
      changed: ['role', 'is_active'],
      role: MemberRole.ORGANIZER,
      is_active: false,
    });
    const [coinChange] = await coinChangesOf(member.id);
    expect(coinChange.data).toMatchObject({ delta: 20, balance: 20, kind: 'admin_adjustment' });
  });

  it('moves a username to its new owner with one member.updated for each of the two members', async () => {
    const username = `tg_${uniqueToken()}`;
    const holder = await harness.given.telegramMember({ username });
    const takerDto = telegramUserDto();
    const taker = await harness.given.telegramMember(takerDto);
    await members.upsertTelegram({ telegram_id: takerDto.telegram_id, username });

    const [holderEvents, takerEvents] = [await updatesOf(holder.id), await updatesOf(taker.id)];
    expect(holderEvents).toHaveLength(2);
    expect(holderEvents[1].data).toMatchObject({ changed: ['username'], username: null });
    expect(takerEvents).toHaveLength(2);
    expect(takerEvents[1].data).toMatchObject({ changed: ['username'], username });
  });

  it('publishes member.coins_changed for each applied ledger entry and no member.updated for it', async () => {
    const member = await harness.given.telegramMember();
    const dto = coinChangeDto(member.id, { amount: 30, reason: 'Top-up' });
    const credit = await coins.credit(dto);
    const debit = await coins.debit(
      coinChangeDto(member.id, { amount: 12, reason: 'Event: Quiz' }),
    );

    const events = await coinChangesOf(member.id);
    expect(events).toHaveLength(2);
    expect(events[0].eventId).toMatch(UUID);
    expect(events[0].data).toEqual({
      member_id: member.id,
      delta: 30,
      balance: 30,
      reason: 'Top-up',
      kind: 'credit',
      ledger_key: dto.idempotency_key,
      transaction_id: credit.transaction_id,
    });
    expect(events[1].data).toMatchObject({
      delta: -12,
      balance: 18,
      kind: 'debit',
      transaction_id: debit.transaction_id,
    });
    expect(await updatesOf(member.id)).toHaveLength(1); // its creation only
  });

  it('publishes nothing for a refused debit or a repeated idempotency key', async () => {
    const member = await harness.given.telegramMember();
    const dto = coinChangeDto(member.id, { amount: 5 });
    await coins.credit(dto);
    await coins.credit(dto);
    expect(await errorCodeOf(coins.debit(coinChangeDto(member.id, { amount: 50 })))).toBe(
      ErrorCode.INSUFFICIENT_COINS,
    );

    const events = await coinChangesOf(member.id);
    expect(events.map((e) => e.data.ledger_key)).toEqual([dto.idempotency_key]);
  });
});
