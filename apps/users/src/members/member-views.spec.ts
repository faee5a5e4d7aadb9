import { MemberRole, PUBLIC_PROFILE_FIELDS } from '@up/contracts';
import { MemberEntity } from './member.entity';
import { toAdminView, toPrivateProfile, toPublicProfile } from './member-views';

/** A member with every column filled with a distinctive value. */
function fullyFilledMember(): MemberEntity {
  return Object.assign(new MemberEntity(), {
    id: '6f1e6c3e-0000-4000-8000-000000000001',
    telegramId: '5123456789',
    email: 'private.person@example.org',
    emailVerifiedAt: new Date('2026-01-01T00:00:00.000Z'),
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    username: 'secret_username',
    fullName: 'Public Name',
    firstName: 'PrivateFirst',
    lastName: 'PrivateLast',
    photoUrl: 'https://cdn.example.org/p.jpg',
    languageCode: 'xx-private',
    role: MemberRole.ORGANIZER,
    isActive: true,
    upCoins: 987654,
    achievementsCount: 3,
    referralCode: 'UP-ABC123',
    referredBy: '6f1e6c3e-0000-4000-8000-000000000002',
    version: 424242,
    lastLogin: new Date('2026-01-02T03:04:05.000Z'),
    createdAt: new Date('2025-12-20T18:00:00.000Z'),
    updatedAt: new Date('2026-01-03T03:04:05.000Z'),
  });
}

describe(toPublicProfile.name, () => {
  it('has exactly the public fields', () => {
    const sut = toPublicProfile(fullyFilledMember());
    expect(Object.keys(sut).sort()).toEqual([...PUBLIC_PROFILE_FIELDS].sort());
    expect(sut).toEqual({
      id: '6f1e6c3e-0000-4000-8000-000000000001',
      full_name: 'Public Name',
      role: 'organizer',
      created_at: '2025-12-20T18:00:00.000Z',
      achievements_count: 3,
      referral_code: 'UP-ABC123',
      photo_url: 'https://cdn.example.org/p.jpg',
    });
  });

  it('carries no private value of a member whose every field is filled', () => {
    const member = fullyFilledMember();
    const serialized = JSON.stringify(toPublicProfile(member));
    const privateValues = [
      member.telegramId,
      member.email,
      member.passwordHash,
      member.username,
      member.firstName,
      member.lastName,
      member.languageCode,
      String(member.upCoins),
      member.referredBy,
      String(member.version),
      member.lastLogin?.toISOString(),
      member.updatedAt.toISOString(),
    ];
    for (const value of privateValues) expect(serialized).not.toContain(value);
    for (const key of ['telegram_id', 'email', 'up_coins', 'password', 'is_active', 'last_login']) {
      expect(serialized).not.toContain(key);
    }
  });
});

describe(toPrivateProfile.name, () => {
  it('is the API private profile, with telegram_id as a number and ISO dates', () => {
    const sut = toPrivateProfile(fullyFilledMember());
    expect(Object.keys(sut).sort()).toEqual(
      [
        'id',
        'telegram_id',
        'username',
        'full_name',
        'first_name',
        'email',
        'email_verified',
        'photo_url',
        'role',
        'up_coins',
        'referral_code',
        'referred_by',
        'achievements_count',
        'created_at',
        'last_login',
      ].sort(),
    );
    expect(sut.telegram_id).toBe(5123456789);
    expect(sut.last_login).toBe('2026-01-02T03:04:05.000Z');
    expect(JSON.stringify(sut)).not.toContain('argon2');
  });

  it('the admin view adds is_active and nothing secret', () => {
    const sut = toAdminView(fullyFilledMember());
    expect(sut.is_active).toBe(true);
    expect(JSON.stringify(sut)).not.toContain('argon2');
  });
});
