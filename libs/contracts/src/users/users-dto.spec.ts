import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AdminUpdateMemberDto, SearchMembersDto } from './admin.dto';
import { AwardAchievementDto, DebitCoinsDto, GetCoinsDto } from './coins.dto';
import { RegisterMemberDto, VerifyCredentialsDto } from './credentials.dto';
import { UpdateProfileDto, UpsertTelegramMemberDto } from './members.dto';
import { MemberCoinsChangedPayload, MemberUpdatedPayload } from './member-bus-events';
import {
  GetNotificationTargetsDto,
  ListAnnouncementTargetsDto,
  SetTelegramReachableDto,
  UpdateNotificationSettingsDto,
} from './notifications.dto';
import { GetPublicProfilesDto } from './referrals.dto';

const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** Validates as the bus and the gateway do (ValidationPipe: transform + whitelist). */
function check<T extends object>(
  type: new () => T,
  payload: object,
): { value: T; failing: string[] } {
  const value = plainToInstance(type, payload);
  const failing = validateSync(value, { whitelist: true }).map((e) => e.property);
  return { value, failing: failing.sort() };
}

describe('users contracts validation', () => {
  it('RegisterMemberDto: normalises email and code; refuses bad email, short password, malformed code', () => {
    const ok = check(RegisterMemberDto, {
      email: '  Anna@Example.ORG ',
      password: '12345678',
      full_name: ' Anna ',
      referral_code: ' up-ab12cd ',
    });
    expect(ok.failing).toEqual([]);
    expect(ok.value).toMatchObject({
      email: 'anna@example.org',
      full_name: 'Anna',
      referral_code: 'UP-AB12CD',
    });
    expect(
      check(RegisterMemberDto, {
        email: 'anna',
        password: '1234567',
        full_name: '',
        referral_code: 'UP-AB12',
      }).failing,
    ).toEqual(['email', 'full_name', 'password', 'referral_code']);
  });

  it('VerifyCredentialsDto: no format rule that would answer 400 instead of 401', () => {
    expect(check(VerifyCredentialsDto, { email: 'not an email', password: 'x' }).failing).toEqual(
      [],
    );
    expect(check(VerifyCredentialsDto, { email: '', password: '' }).failing).toEqual([
      'email',
      'password',
    ]);
  });

  it('UpsertTelegramMemberDto: integer telegram id; any short referral payload', () => {
    expect(
      check(UpsertTelegramMemberDto, { telegram_id: 5123456789, referral_code: 'login' }).failing,
    ).toEqual([]);
    expect(check(UpsertTelegramMemberDto, { telegram_id: '12' }).failing).toEqual(['telegram_id']);
    expect(check(UpsertTelegramMemberDto, { telegram_id: 1.5 }).failing).toEqual(['telegram_id']);
  });

  it('UpdateProfileDto: null clears username and photo; formats are checked', () => {
    expect(
      check(UpdateProfileDto, { member_id: ID, username: null, photo_url: null }).failing,
    ).toEqual([]);
    expect(
      check(UpdateProfileDto, {
        member_id: 'x',
        username: 'a b',
        photo_url: 'javascript:alert(1)',
        full_name: '',
      }).failing,
    ).toEqual(['full_name', 'member_id', 'photo_url', 'username']);
  });

  it('coin changes: integer amounts above zero and a printable key', () => {
    const base = {
      member_id: ID,
      amount: 10,
      idempotency_key: `join:${ID}:${ID}`,
      reason: 'Event',
    };
    expect(check(DebitCoinsDto, base).failing).toEqual([]);
    for (const amount of [0, -1, 1.5, '10']) {
      expect(check(DebitCoinsDto, { ...base, amount }).failing).toEqual(['amount']);
    }
    expect(check(DebitCoinsDto, { ...base, idempotency_key: 'has space' }).failing).toEqual([
      'idempotency_key',
    ]);
  });

  it('pagination: limit 1..100, offset >= 0, query strings accepted', () => {
    expect(check(GetCoinsDto, { member_id: ID, limit: '100', offset: '0' }).value).toMatchObject({
      limit: 100,
      offset: 0,
    });
    expect(check(GetCoinsDto, { member_id: ID, limit: 101, offset: -1 }).failing).toEqual([
      'limit',
      'offset',
    ]);
    expect(check(SearchMembersDto, { limit: 0 }).failing).toEqual(['limit']);
  });

  it('AdminUpdateMemberDto: a coin adjustment needs a reason; roles are the three known', () => {
    const base = { member_id: ID, actor_id: ID };
    expect(
      check(AdminUpdateMemberDto, { ...base, coins_delta: -5, reason: 'Fix' }).failing,
    ).toEqual([]);
    expect(check(AdminUpdateMemberDto, { ...base, coins_delta: -5 }).failing).toEqual(['reason']);
    expect(check(AdminUpdateMemberDto, { ...base, coins_delta: 0, reason: 'x' }).failing).toEqual([
      'coins_delta',
    ]);
    expect(check(AdminUpdateMemberDto, { ...base, role: 'owner' }).failing).toEqual(['role']);
  });

  it('AdminUpdateMemberDto: refuses null for what may only be left out', () => {
    const base = { member_id: ID, actor_id: ID };
    expect(
      check(AdminUpdateMemberDto, { ...base, role: null, is_active: null }).failing.sort(),
    ).toEqual(['is_active', 'role']);
    expect(
      check(AdminUpdateMemberDto, { ...base, coins_delta: null, reason: 'x' }).failing,
    ).toEqual(['coins_delta']);
    expect(check(AdminUpdateMemberDto, { ...base, is_active: false }).failing).toEqual([]);
  });

  it('achievement codes and id batches', () => {
    expect(check(AwardAchievementDto, { member_id: ID, code: 'first_event' }).failing).toEqual([]);
    expect(check(AwardAchievementDto, { member_id: ID, code: 'other' }).failing).toEqual(['code']);
    expect(check(GetPublicProfilesDto, { member_ids: [ID, 'nope'] }).failing).toEqual([
      'member_ids',
    ]);
  });

  it('MemberUpdatedPayload: nullable profile fields; refuses unknown changed fields and roles', () => {
    const payload = {
      member_id: ID,
      version: 3,
      created: false,
      changed: ['role'],
      full_name: 'Anna',
      username: null,
      photo_url: null,
      role: 'admin',
      is_active: true,
      language_code: null,
      telegram_id: 279058397,
      language: 'ru',
      announcements: true,
      reminders: false,
    };
    expect(check(MemberUpdatedPayload, payload).failing).toEqual([]);
    expect(
      check(MemberUpdatedPayload, {
        ...payload,
        changed: ['role', 'up_coins'],
        role: 'owner',
        telegram_id: -1,
        language: 'de',
      }).failing,
    ).toEqual(['changed', 'language', 'role', 'telegram_id']);
  });

  it('notification messages: up to 1000 ids, a limit of 1..1000, Telegram ids as digits, ru or en', () => {
    expect(check(GetNotificationTargetsDto, { member_ids: [ID] }).failing).toEqual([]);
    expect(
      check(GetNotificationTargetsDto, { member_ids: Array.from({ length: 1001 }, () => ID) })
        .failing,
    ).toEqual(['member_ids']);
    expect(check(ListAnnouncementTargetsDto, { limit: 1000 }).failing).toEqual([]);
    expect(check(ListAnnouncementTargetsDto, { after: 'x', limit: 0 }).failing).toEqual([
      'after',
      'limit',
    ]);
    expect(
      check(SetTelegramReachableDto, { telegram_id: '279058397', reachable: false }).failing,
    ).toEqual([]);
    expect(check(SetTelegramReachableDto, { telegram_id: '-5', reachable: 'no' }).failing).toEqual([
      'reachable',
      'telegram_id',
    ]);
    expect(
      check(UpdateNotificationSettingsDto, { member_id: ID, reminders: false, language: 'en' })
        .failing,
    ).toEqual([]);
    expect(
      check(UpdateNotificationSettingsDto, { member_id: ID, announcements: 1, language: 'de' })
        .failing,
    ).toEqual(['announcements', 'language']);
  });

  it('MemberCoinsChangedPayload: a signed non-zero delta, a known kind, the ledger row id', () => {
    const payload = {
      member_id: ID,
      delta: -10,
      balance: 5,
      reason: 'Event: Board games night',
      kind: 'debit',
      ledger_key: `join:e1:${ID}`,
      transaction_id: ID,
    };
    expect(check(MemberCoinsChangedPayload, payload).failing).toEqual([]);
    expect(
      check(MemberCoinsChangedPayload, { ...payload, delta: 0, kind: 'gift', transaction_id: 'x' })
        .failing,
    ).toEqual(['delta', 'kind', 'transaction_id']);
  });
});
