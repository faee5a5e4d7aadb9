import type { NotificationTarget } from '@up/contracts';
import { formatEventDate } from '../events/events.format';
import { escapeHtml, Language, Messages, messagesFor } from '../i18n/i18n';
import type { OutgoingMessage } from '../delivery/delivery.types';

/** The notification kinds: the delivery queue's `kind` label (metrics, dead letters). */
export const NotificationKind = {
  JOINED: 'joined',
  LEFT: 'left',
  PROMOTED: 'promoted',
  SKIPPED: 'skipped',
  CANCELLED: 'cancelled',
  RESCHEDULED: 'rescheduled',
  REMINDER: 'reminder',
  ANNOUNCEMENT: 'announcement',
} as const;
export type NotificationKind = (typeof NotificationKind)[keyof typeof NotificationKind];

/** What a notification says about the club event it is about. */
export interface EventFacts {
  title: string;
  startDate: string;
  timezone: string;
  location: string | null;
  price?: number;
}

/** The pieces every text takes, in the member's language, escaped for HTML. */
export function factsIn(
  facts: EventFacts,
  language: Language,
): { t: Messages; title: string; when: string; place: string; price: string } {
  const t = messagesFor(language);
  const price = facts.price ?? 0;
  return {
    t,
    title: escapeHtml(facts.title),
    when: whenIn({ iso: facts.startDate, timezone: facts.timezone, language }),
    place: placeIn(facts.location, t),
    price: price > 0 ? t.events.price({ coins: price }) : t.events.free,
  };
}

/** An event's start in its own time zone, as the member reads it. */
export function whenIn(p: { iso: string; timezone: string; language: Language }): string {
  return formatEventDate({ iso: p.iso, timeZone: p.timezone, language: p.language });
}

export function placeIn(location: string | null, t: Messages): string {
  return location ? escapeHtml(location) : t.events.noPlace;
}

/**
 * Who may be told: a member with a Telegram chat that Telegram still delivers to. Announcements
 * and reminders also need the member's consent; the other kinds are about the member's own seat
 * and go to everyone reachable.
 */
export function mayTell(target: NotificationTarget, kind: NotificationKind): boolean {
  if (target.telegram_id === null || !target.reachable) return false;
  if (kind === NotificationKind.ANNOUNCEMENT) return target.announcements;
  if (kind === NotificationKind.REMINDER) return target.reminders;
  return true;
}

/**
 * The idempotency key: the bus event's id (the same on every re-delivery), the member and the
 * kind. A redelivered event enqueues the same keys, which the delivery queue ignores.
 */
export function notificationKey(p: {
  eventId: string;
  memberId: string;
  kind: NotificationKind;
}): string {
  return `${p.eventId}:${p.memberId}:${p.kind}`;
}

/** A notification for the delivery queue (HTML; the member's chat). */
export function outgoing(p: {
  key: string;
  target: NotificationTarget;
  kind: NotificationKind;
  text: string;
  broadcastId?: string;
}): OutgoingMessage {
  return {
    key: p.key,
    chatId: String(p.target.telegram_id),
    memberId: p.target.member_id,
    kind: p.kind,
    text: p.text,
    parseMode: 'HTML',
    // A member's own seat and reminders do not wait behind an announcement to everyone.
    ...(p.kind === NotificationKind.ANNOUNCEMENT ? {} : { priority: true }),
    ...(p.broadcastId ? { broadcastId: p.broadcastId } : {}),
  };
}
