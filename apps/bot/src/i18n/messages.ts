import type { MemberRole } from '@up/contracts';

/**
 * Everything the bot says, as a typed catalogue: one object per language with exactly these keys
 * (the compiler checks each language against this interface; a unit test checks parity again at
 * run time). Texts go out with `parse_mode: HTML`, so every value a member or organizer typed
 * (names, titles, places) is passed in already escaped (`escapeHtml`).
 */
export interface Messages {
  start: {
    welcomeNew(p: { name: string }): string;
    welcomeBack(p: { name: string }): string;
    referralApplied: string;
    help: string;
  };
  commands: {
    start: string;
    login: string;
    qr: string;
    profile: string;
    events: string;
    settings: string;
    help: string;
  };
  login: {
    text(p: { minutes: number }): string;
    button: string;
    qrCaption(p: { minutes: number }): string;
    /** Over the limit of sign-in links (RATE_LIMIT_BOT_LOGIN_PER_MINUTE). */
    tooMany(p: { seconds: number }): string;
  };
  profile: {
    text(p: {
      name: string;
      username: string | null;
      role: string;
      coins: number;
      referralCode: string;
      achievements: number;
      shareLink: string;
    }): string;
    roles: Record<MemberRole, string>;
  };
  events: {
    header(p: { from: number; to: number; total: number }): string;
    empty: string;
    item(p: {
      n: number;
      title: string;
      when: string;
      place: string;
      price: string;
      spots: string;
    }): string;
    free: string;
    price(p: { coins: number }): string;
    spotsLeft(p: { spots: number }): string;
    /** A full event the member is neither in nor waiting for. */
    fullJoinWaitlist: string;
    /** A full event the member waits for: their place in line (1 = next). */
    waitlistPosition(p: { position: number }): string;
    unlimited: string;
    noPlace: string;
    details(p: {
      title: string;
      when: string;
      ends: string | null;
      place: string;
      price: string;
      spots: string;
      description: string | null;
      joined: boolean;
      waitlistPosition: number | null;
    }): string;
    buttons: {
      join: string;
      leave: string;
      more: string;
      joinWaitlist: string;
      leaveWaitlist: string;
      previous: string;
      next: string;
    };
    joined(p: { title: string; balance: number }): string;
    joinedToast: string;
    left(p: { title: string; refunded: number; balance: number | null }): string;
    leftToast: string;
    full: string;
    waitlisted(p: { title: string; position: number }): string;
    waitlistedToast: string;
    leftWaitlist(p: { title: string }): string;
    leftWaitlistToast: string;
    notFull: string;
    alreadyWaitlisted(p: { position: number | null }): string;
    notWaitlisted: string;
    insufficientCoins(p: { price: number }): string;
    alreadyJoined: string;
    notJoined: string;
    notJoinable: string;
    notFound: string;
    staleButton: string;
  };
  /**
   * What the bot tells members on its own (bus events). `when` is the event's start in its own time
   * zone, `place` its location or the "to be announced" text; a null balance was not available.
   */
  notifications: {
    joined(p: { title: string; when: string; balance: number | null }): string;
    left(p: { title: string; when: string; refunded: number; balance: number | null }): string;
    promoted(p: { title: string; when: string; price: number; balance: number | null }): string;
    skipped(p: { title: string; when: string }): string;
    cancelledRefunded(p: { title: string; when: string }): string;
    cancelledWaitlist(p: { title: string; when: string }): string;
    rescheduled(p: {
      title: string;
      oldWhen: string;
      newWhen: string;
      oldPlace: string;
      newPlace: string;
    }): string;
    reminder(p: { title: string; when: string; place: string }): string;
    announcement(p: { title: string; when: string; place: string; price: string }): string;
  };
  settings: {
    text(p: { announcements: boolean; reminders: boolean; language: Language }): string;
    buttons: {
      announcements(p: { on: boolean }): string;
      reminders(p: { on: boolean }): string;
      language(p: { language: Language }): string;
    };
    saved: string;
  };
  errors: {
    unavailable: Record<Feature, string>;
    memberInactive: string;
    unexpected: string;
    unknownButton: string;
    privateOnly(p: { link: string }): string;
  };
}

/** What a member was trying to use when a service did not answer. */
export type Feature = 'start' | 'login' | 'profile' | 'events' | 'settings';

/** The languages the bot speaks (the users service's NotificationLanguage). */
export type Language = 'ru' | 'en';
