import type { Messages } from './messages';

const HELP = [
  '/login: a one-time sign-in link for the website',
  '/qr: the same link as a QR code',
  '/profile: your profile, UP coins and invitation link',
  '/events: upcoming events',
  '/settings: announcements, reminders and language',
].join('\n');

export const en: Messages = {
  start: {
    welcomeNew: ({ name }) => `Welcome to UP Club, ${name}! Your membership is ready.\n\n${HELP}`,
    welcomeBack: ({ name }) => `Welcome back, ${name}!\n\n${HELP}`,
    referralApplied: 'You joined through a friend’s invitation: they have been thanked.',
    help: HELP,
  },
  commands: {
    start: 'Start and sign up',
    login: 'Sign-in link for the website',
    qr: 'Sign-in QR code',
    profile: 'My profile',
    events: 'Upcoming events',
    settings: 'Notifications and language',
    help: 'What the bot can do',
  },
  login: {
    text: ({ minutes }) =>
      `Tap the button to sign in on the website.\nThe link works once and for ${minutes} minutes; do not share it.`,
    button: 'Sign in',
    qrCaption: ({ minutes }) =>
      `Scan this code with the device you want to sign in on.\nIt works once and for ${minutes} minutes; do not share it.`,
    tooMany: ({ seconds }) =>
      `You have asked for several sign-in links just now. Please try again in ${seconds} s; the last link still works.`,
  },
  profile: {
    text: (p) =>
      [
        `<b>${p.name}</b>`,
        `Username: ${p.username ? `@${p.username}` : 'not set'}`,
        `Role: ${p.role}`,
        `UP coins: ${p.coins}`,
        `Achievements: ${p.achievements}`,
        `Referral code: <code>${p.referralCode}</code>`,
        '',
        `Invite friends with your link:\n${p.shareLink}`,
      ].join('\n'),
    roles: { member: 'member', organizer: 'organizer', admin: 'administrator' },
  },
  events: {
    header: ({ from, to, total }) => `<b>Upcoming events</b> (${from}–${to} of ${total})`,
    empty: 'No upcoming events yet. Check back soon!',
    item: (p) =>
      `<b>${p.n}. ${p.title}</b>\n🗓 ${p.when}\n📍 ${p.place}\n💰 ${p.price} · ${p.spots}`,
    free: 'free',
    price: ({ coins }) => `${coins} UP`,
    spotsLeft: ({ spots }) => (spots === 0 ? 'no spots left' : `${spots} spots left`),
    fullJoinWaitlist: 'full — join the waitlist',
    waitlistPosition: ({ position }) => `full · you are #${position} in the waitlist`,
    unlimited: 'unlimited spots',
    noPlace: 'place to be announced',
    details: (p) =>
      [
        `<b>${p.title}</b>`,
        `🗓 ${p.when}${p.ends ? ` – ${p.ends}` : ''}`,
        `📍 ${p.place}`,
        `💰 ${p.price} · ${p.spots}`,
        p.joined ? '✅ You are in.' : '',
        p.waitlistPosition !== null ? `⏳ You are #${p.waitlistPosition} in the waitlist.` : '',
        '',
        p.description ?? 'No description yet.',
      ]
        .filter((line, i, lines) => line !== '' || lines[i - 1] !== '')
        .join('\n'),
    buttons: {
      join: 'Join',
      leave: 'Leave',
      more: 'More',
      joinWaitlist: 'Join the waitlist',
      leaveWaitlist: 'Leave the waitlist',
      previous: '‹ Previous',
      next: 'Next ›',
    },
    joined: ({ title, balance }) => `You joined <b>${title}</b>. Your balance: ${balance} UP.`,
    joinedToast: 'You are in!',
    left: ({ title, refunded, balance }) =>
      `You left <b>${title}</b>. Refunded: ${refunded} UP.` +
      (balance === null ? ' The refund is on its way.' : ` Your balance: ${balance} UP.`),
    leftToast: 'You left the event.',
    full: 'Sorry, this event is full.',
    waitlisted: ({ title, position }) =>
      `You are #${position} in the waitlist for <b>${title}</b>. Nothing is charged now: ` +
      'when a seat frees up it is yours, and the price is debited then.',
    waitlistedToast: 'You are in line!',
    leftWaitlist: ({ title }) => `You left the waitlist for <b>${title}</b>.`,
    leftWaitlistToast: 'You left the waitlist.',
    notFull: 'There are free spots again: press Join.',
    alreadyWaitlisted: ({ position }) =>
      position === null
        ? 'You are already in the waitlist.'
        : `You are already in the waitlist, #${position} in line.`,
    notWaitlisted: 'You are not in the waitlist for this event.',
    insufficientCoins: ({ price }) => `Not enough UP coins: this event costs ${price} UP.`,
    alreadyJoined: 'You are already in.',
    notJoined: 'You have not joined this event.',
    notJoinable: 'This event can no longer be joined or left.',
    notFound: 'This event no longer exists.',
    staleButton: 'This button is out of date. Send /events again.',
  },
  notifications: {
    joined: ({ title, when, balance }) =>
      `✅ You are in: <b>${title}</b>, ${when}.` +
      (balance === null ? '' : ` Your balance: ${balance} UP.`),
    left: ({ title, when, refunded, balance }) =>
      `You left <b>${title}</b> (${when}). Refunded: ${refunded} UP.` +
      (balance === null ? '' : ` Your balance: ${balance} UP.`),
    promoted: ({ title, when, price, balance }) =>
      `🎉 A seat freed up at <b>${title}</b>, ${when}, and it is yours. ` +
      `Debited: ${price} UP.` +
      (balance === null ? '' : ` Your balance: ${balance} UP.`),
    skipped: ({ title, when }) =>
      `A seat freed up at <b>${title}</b> (${when}), but you did not have enough UP coins, ` +
      'so it went to the next in line. You are no longer in the waitlist.',
    cancelledRefunded: ({ title, when }) =>
      `❌ <b>${title}</b> (${when}) is cancelled. Your UP coins are back on your balance.`,
    cancelledWaitlist: ({ title, when }) =>
      `❌ <b>${title}</b> (${when}) is cancelled. You are no longer in its waitlist; nothing was charged.`,
    rescheduled: ({ title, oldWhen, newWhen, oldPlace, newPlace }) =>
      [
        `🔁 <b>${title}</b> has changed.`,
        oldWhen === newWhen ? `🗓 ${newWhen}` : `🗓 ${oldWhen} → ${newWhen}`,
        oldPlace === newPlace ? `📍 ${newPlace}` : `📍 ${oldPlace} → ${newPlace}`,
      ].join('\n'),
    reminder: ({ title, when, place }) => `⏰ Reminder: <b>${title}</b>\n🗓 ${when}\n📍 ${place}`,
    announcement: ({ title, when, place, price }) =>
      `📣 New event: <b>${title}</b>\n🗓 ${when}\n📍 ${place}\n💰 ${price}\n\nJoin with /events.`,
  },
  settings: {
    text: ({ announcements, reminders, language }) =>
      [
        '<b>Settings</b>',
        `Announcements of new events: ${announcements ? 'on' : 'off'}`,
        `Reminders before your events: ${reminders ? 'on' : 'off'}`,
        `Language: ${language === 'en' ? 'English' : 'Русский'}`,
      ].join('\n'),
    buttons: {
      announcements: ({ on }) => (on ? 'Turn announcements off' : 'Turn announcements on'),
      reminders: ({ on }) => (on ? 'Turn reminders off' : 'Turn reminders on'),
      language: ({ language }) => (language === 'en' ? 'Русский язык' : 'English'),
    },
    saved: 'Saved.',
  },
  errors: {
    unavailable: {
      start: 'Sign-up is unavailable right now. Please try again in a few minutes.',
      login: 'Sign-in is unavailable right now. Please try again in a few minutes.',
      profile: 'Your profile is unavailable right now. Please try again in a few minutes.',
      events: 'Events are unavailable right now. Please try again in a few minutes.',
      settings: 'Settings are unavailable right now. Please try again in a few minutes.',
    },
    memberInactive: 'Your membership is deactivated. Please contact the club.',
    unexpected: 'Something went wrong. Please try again.',
    unknownButton: 'This button no longer works.',
    privateOnly: ({ link }) => `Let’s talk in private, sign-in links are personal: ${link}`,
  },
};
