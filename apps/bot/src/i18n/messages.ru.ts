import type { Messages } from './messages';

const HELP = [
  '/login — одноразовая ссылка для входа на сайт',
  '/qr — та же ссылка в виде QR-кода',
  '/profile — ваш профиль, UP-коины и ссылка-приглашение',
  '/events — ближайшие мероприятия',
  '/settings — анонсы, напоминания и язык',
].join('\n');

export const ru: Messages = {
  start: {
    welcomeNew: ({ name }) =>
      `Добро пожаловать в UP Club, ${name}! Вы теперь участник клуба.\n\n${HELP}`,
    welcomeBack: ({ name }) => `С возвращением, ${name}!\n\n${HELP}`,
    referralApplied: 'Вы пришли по приглашению друга — мы его поблагодарили.',
    help: HELP,
  },
  commands: {
    start: 'Начать и зарегистрироваться',
    login: 'Ссылка для входа на сайт',
    qr: 'QR-код для входа',
    profile: 'Мой профиль',
    events: 'Ближайшие мероприятия',
    settings: 'Уведомления и язык',
    help: 'Что умеет бот',
  },
  login: {
    text: ({ minutes }) =>
      `Нажмите кнопку, чтобы войти на сайт.\nСсылка действует один раз и ${minutes} минут; никому её не пересылайте.`,
    button: 'Войти',
    qrCaption: ({ minutes }) =>
      `Отсканируйте код на устройстве, где хотите войти.\nОн действует один раз и ${minutes} минут; никому его не показывайте.`,
    tooMany: ({ seconds }) =>
      `Вы только что запросили несколько ссылок для входа. Попробуйте снова через ${seconds} с — последняя ссылка ещё действует.`,
  },
  profile: {
    text: (p) =>
      [
        `<b>${p.name}</b>`,
        `Имя пользователя: ${p.username ? `@${p.username}` : 'не задано'}`,
        `Роль: ${p.role}`,
        `UP-коины: ${p.coins}`,
        `Достижения: ${p.achievements}`,
        `Реферальный код: <code>${p.referralCode}</code>`,
        '',
        `Приглашайте друзей по ссылке:\n${p.shareLink}`,
      ].join('\n'),
    roles: { member: 'участник', organizer: 'организатор', admin: 'администратор' },
  },
  events: {
    header: ({ from, to, total }) => `<b>Ближайшие мероприятия</b> (${from}–${to} из ${total})`,
    empty: 'Ближайших мероприятий пока нет. Загляните позже!',
    item: (p) =>
      `<b>${p.n}. ${p.title}</b>\n🗓 ${p.when}\n📍 ${p.place}\n💰 ${p.price} · ${p.spots}`,
    free: 'бесплатно',
    price: ({ coins }) => `${coins} UP`,
    spotsLeft: ({ spots }) => (spots === 0 ? 'мест нет' : `свободных мест: ${spots}`),
    fullJoinWaitlist: 'мест нет — встаньте в лист ожидания',
    waitlistPosition: ({ position }) => `мест нет · вы №${position} в листе ожидания`,
    unlimited: 'без ограничения мест',
    noPlace: 'место уточняется',
    details: (p) =>
      [
        `<b>${p.title}</b>`,
        `🗓 ${p.when}${p.ends ? ` – ${p.ends}` : ''}`,
        `📍 ${p.place}`,
        `💰 ${p.price} · ${p.spots}`,
        p.joined ? '✅ Вы участвуете.' : '',
        p.waitlistPosition !== null ? `⏳ Вы №${p.waitlistPosition} в листе ожидания.` : '',
        '',
        p.description ?? 'Описания пока нет.',
      ]
        .filter((line, i, lines) => line !== '' || lines[i - 1] !== '')
        .join('\n'),
    buttons: {
      join: 'Участвовать',
      leave: 'Отказаться',
      more: 'Подробнее',
      joinWaitlist: 'В лист ожидания',
      leaveWaitlist: 'Выйти из листа ожидания',
      previous: '‹ Назад',
      next: 'Дальше ›',
    },
    joined: ({ title, balance }) => `Вы участвуете в <b>${title}</b>. Ваш баланс: ${balance} UP.`,
    joinedToast: 'Вы участвуете!',
    left: ({ title, refunded, balance }) =>
      `Вы отказались от участия в <b>${title}</b>. Возвращено: ${refunded} UP.` +
      (balance === null ? ' Возврат скоро поступит.' : ` Ваш баланс: ${balance} UP.`),
    leftToast: 'Вы отказались от участия.',
    full: 'К сожалению, свободных мест нет.',
    waitlisted: ({ title, position }) =>
      `Вы №${position} в листе ожидания на <b>${title}</b>. Сейчас ничего не списано: ` +
      'когда место освободится, оно ваше, и тогда спишется стоимость участия.',
    waitlistedToast: 'Вы в листе ожидания!',
    leftWaitlist: ({ title }) => `Вы вышли из листа ожидания на <b>${title}</b>.`,
    leftWaitlistToast: 'Вы вышли из листа ожидания.',
    notFull: 'Свободные места снова есть: нажмите «Участвовать».',
    alreadyWaitlisted: ({ position }) =>
      position === null
        ? 'Вы уже в листе ожидания.'
        : `Вы уже в листе ожидания, ваш номер в очереди: ${position}.`,
    notWaitlisted: 'Вас нет в листе ожидания на это мероприятие.',
    insufficientCoins: ({ price }) => `Недостаточно UP-коинов: участие стоит ${price} UP.`,
    alreadyJoined: 'Вы уже участвуете.',
    notJoined: 'Вы не участвуете в этом мероприятии.',
    notJoinable: 'Записаться или отказаться уже нельзя.',
    notFound: 'Этого мероприятия больше нет.',
    staleButton: 'Эта кнопка устарела. Отправьте /events ещё раз.',
  },
  notifications: {
    joined: ({ title, when, balance }) =>
      `✅ Вы записаны: <b>${title}</b>, ${when}.` +
      (balance === null ? '' : ` Ваш баланс: ${balance} UP.`),
    left: ({ title, when, refunded, balance }) =>
      `Вы отменили участие в <b>${title}</b> (${when}). Возвращено: ${refunded} UP.` +
      (balance === null ? '' : ` Ваш баланс: ${balance} UP.`),
    promoted: ({ title, when, price, balance }) =>
      `🎉 Освободилось место на <b>${title}</b>, ${when}, и оно ваше. ` +
      `Списано: ${price} UP.` +
      (balance === null ? '' : ` Ваш баланс: ${balance} UP.`),
    skipped: ({ title, when }) =>
      `Освободилось место на <b>${title}</b> (${when}), но UP-коинов не хватило, ` +
      'и оно перешло следующему в очереди. Вы больше не в листе ожидания.',
    cancelledRefunded: ({ title, when }) =>
      `❌ <b>${title}</b> (${when}) отменено. UP-коины вернулись на ваш баланс.`,
    cancelledWaitlist: ({ title, when }) =>
      `❌ <b>${title}</b> (${when}) отменено. Вы больше не в листе ожидания; ничего не списано.`,
    rescheduled: ({ title, oldWhen, newWhen, oldPlace, newPlace }) =>
      [
        `🔁 <b>${title}</b>: изменения.`,
        oldWhen === newWhen ? `🗓 ${newWhen}` : `🗓 ${oldWhen} → ${newWhen}`,
        oldPlace === newPlace ? `📍 ${newPlace}` : `📍 ${oldPlace} → ${newPlace}`,
      ].join('\n'),
    reminder: ({ title, when, place }) => `⏰ Напоминание: <b>${title}</b>\n🗓 ${when}\n📍 ${place}`,
    announcement: ({ title, when, place, price }) =>
      `📣 Новое мероприятие: <b>${title}</b>\n🗓 ${when}\n📍 ${place}\n💰 ${price}\n\nЗаписаться: /events.`,
  },
  settings: {
    text: ({ announcements, reminders, language }) =>
      [
        '<b>Настройки</b>',
        `Анонсы новых мероприятий: ${announcements ? 'вкл.' : 'выкл.'}`,
        `Напоминания о ваших мероприятиях: ${reminders ? 'вкл.' : 'выкл.'}`,
        `Язык: ${language === 'en' ? 'English' : 'Русский'}`,
      ].join('\n'),
    buttons: {
      announcements: ({ on }) => (on ? 'Выключить анонсы' : 'Включить анонсы'),
      reminders: ({ on }) => (on ? 'Выключить напоминания' : 'Включить напоминания'),
      language: ({ language }) => (language === 'en' ? 'Русский язык' : 'English'),
    },
    saved: 'Сохранено.',
  },
  errors: {
    unavailable: {
      start: 'Регистрация сейчас недоступна. Попробуйте через несколько минут.',
      login: 'Вход на сайт сейчас недоступен. Попробуйте через несколько минут.',
      profile: 'Профиль сейчас недоступен. Попробуйте через несколько минут.',
      events: 'Мероприятия сейчас недоступны. Попробуйте через несколько минут.',
      settings: 'Настройки сейчас недоступны. Попробуйте через несколько минут.',
    },
    memberInactive: 'Ваше участие в клубе приостановлено. Свяжитесь с клубом.',
    unexpected: 'Что-то пошло не так. Попробуйте ещё раз.',
    unknownButton: 'Эта кнопка больше не работает.',
    privateOnly: ({ link }) => `Напишите мне в личные сообщения — ссылки для входа личные: ${link}`,
  },
};
