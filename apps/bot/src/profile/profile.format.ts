import type { PrivateProfile } from '@up/contracts';
import { escapeHtml, Messages } from '../i18n/i18n';

/** The link that brings a friend to the bot with the member's referral code (`/start UP-XXXXXX`). */
export function shareLink(botUsername: string, referralCode: string): string {
  return `https://t.me/${botUsername}?start=${encodeURIComponent(referralCode)}`;
}

export function renderProfile(params: {
  profile: PrivateProfile;
  botUsername: string;
  t: Messages;
}): string {
  const { profile, botUsername, t } = params;
  return t.profile.text({
    name: escapeHtml(profile.full_name),
    username: profile.username ? escapeHtml(profile.username) : null,
    role: t.profile.roles[profile.role],
    coins: profile.up_coins,
    referralCode: escapeHtml(profile.referral_code),
    achievements: profile.achievements_count,
    shareLink: escapeHtml(shareLink(botUsername, profile.referral_code)),
  });
}
