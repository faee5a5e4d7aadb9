import { randomUUID } from 'node:crypto';
import type { PrivateProfile } from '@up/contracts';
import { messagesFor } from '../i18n/i18n';
import { renderProfile, shareLink } from './profile.format';

function aProfile(overrides: Partial<PrivateProfile> = {}): PrivateProfile {
  return {
    id: randomUUID(),
    telegram_id: 123456789,
    username: 'anna_k',
    full_name: 'Anna <K>',
    first_name: 'Anna',
    email: null,
    email_verified: false,
    photo_url: null,
    role: 'organizer',
    up_coins: 140,
    referral_code: 'UP-7K2Q9X',
    referred_by: null,
    achievements_count: 2,
    created_at: '2025-01-01T00:00:00.000Z',
    last_login: null,
    ...overrides,
  };
}

describe(renderProfile.name, () => {
  it('shows the private profile and the share link, in the member’s language', () => {
    const text = renderProfile({
      profile: aProfile(),
      botUsername: 'up_club_bot',
      t: messagesFor('en'),
    });
    expect(text).toContain('Anna &lt;K&gt;');
    expect(text).toContain('@anna_k');
    expect(text).toContain('Role: organizer');
    expect(text).toContain('UP coins: 140');
    expect(text).toContain('Achievements: 2');
    expect(text).toContain('UP-7K2Q9X');
    expect(text).toContain('https://t.me/up_club_bot?start=UP-7K2Q9X');
  });

  it('speaks Russian by default', () => {
    const text = renderProfile({
      profile: aProfile({ username: null, role: 'member' }),
      botUsername: 'b',
      t: messagesFor('ru'),
    });
    expect(text).toContain('Роль: участник');
    expect(text).toContain('не задано');
  });

  it('builds the t.me deep link that /start reads', () => {
    expect(shareLink('up_club_bot', 'UP-ABC123')).toBe('https://t.me/up_club_bot?start=UP-ABC123');
  });
});
