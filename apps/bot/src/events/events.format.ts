import type { EventPage, EventView } from '@up/contracts';
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { escapeHtml, Language, localeOf, Messages } from '../i18n/i18n';
import { encodeEventsCallback, EventAction } from './events.callback-data';

/** Events per /events page: five fit on a phone screen with their buttons. */
export const EVENTS_PAGE_SIZE = 5;

const FALLBACK_TIMEZONE = 'UTC';
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(
  kind: 'full' | 'time',
  language: Language,
  timeZone: string,
): Intl.DateTimeFormat {
  const key = `${kind}|${language}|${timeZone}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(localeOf(language), {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      ...(kind === 'full'
        ? {
            weekday: 'short',
            day: 'numeric',
            month: 'long',
            year: 'numeric',
            timeZoneName: 'short',
          }
        : {}),
    } as Intl.DateTimeFormatOptions);
    formatters.set(key, cached);
  }
  return cached;
}

/** A time zone Intl knows; an unknown name (bad data) falls back to UTC rather than failing the list. */
function usableTimeZone(timeZone: string): string {
  try {
    formatter('full', 'en', timeZone);
    return timeZone;
  } catch {
    return FALLBACK_TIMEZONE;
  }
}

function localDay(date: Date, timeZone: string): string {
  return date.toLocaleDateString('en-CA', { timeZone });
}

/**
 * When an event happens, in the event's own time zone (where members will be), e.g.
 * "сб, 20 декабря 2025 г. в 21:00 GMT+3" or "Sat, 20 December 2025 at 21:00 GMT+3".
 */
export function formatEventDate(params: {
  iso: string;
  timeZone: string;
  language: Language;
}): string {
  const timeZone = usableTimeZone(params.timeZone);
  return formatter('full', params.language, timeZone).format(new Date(params.iso));
}

/** The end of an event: only the time when it ends the day it starts. */
export function formatEventEnd(params: {
  startIso: string;
  endIso: string;
  timeZone: string;
  language: Language;
}): string {
  const timeZone = usableTimeZone(params.timeZone);
  const start = new Date(params.startIso);
  const end = new Date(params.endIso);
  const kind = localDay(start, timeZone) === localDay(end, timeZone) ? 'time' : 'full';
  return formatter(kind, params.language, timeZone).format(end);
}

function priceOf(event: EventView, t: Messages): string {
  return event.price > 0 ? t.events.price({ coins: event.price }) : t.events.free;
}

/** No seat left: the waitlist is the way in (the events service offers it for every full event). */
export function isFull(event: EventView): boolean {
  return event.spots_left === 0;
}

/** A place in line; the list's events carry one only when the member's view was asked for. */
function waitlistPositionOf(event: EventView): number | null {
  return event.waitlist_position ?? null;
}

function spotsOf(event: EventView, t: Messages): string {
  if (event.spots_left === null) return t.events.unlimited;
  const position = waitlistPositionOf(event);
  if (position !== null) return t.events.waitlistPosition({ position });
  if (isFull(event) && event.joined !== true) return t.events.fullJoinWaitlist;
  return t.events.spotsLeft({ spots: event.spots_left });
}

function placeOf(event: EventView, t: Messages): string {
  return event.location ? escapeHtml(event.location) : t.events.noPlace;
}

export interface RenderedMessage {
  text: string;
  markup?: Markup.Markup<InlineKeyboardMarkup>;
}

/**
 * The buttons under one event. An event with seats keeps Join / Leave / More whatever the
 * member's state; a full one offers the waitlist instead of Join (or leaving it, to a member in
 * line), and Leave only to a member who may hold a seat.
 */
function buttonKindsOf(event: EventView): EventAction[] {
  if (!isFull(event)) return ['join', 'leave', 'more'];
  if (waitlistPositionOf(event) !== null) return ['leaveWaitlist', 'more'];
  if (event.joined === true) return ['leave', 'more'];
  if (event.joined === false) return ['joinWaitlist', 'more'];
  return ['joinWaitlist', 'leave', 'more'];
}

/**
 * One page of `/events`: the list, a row of buttons per event, and page buttons. Full events
 * should carry the member's view (`joined`, `waitlist_position`, from `events.get`) so the row
 * fits them.
 */
export function renderEventsPage(params: {
  page: EventPage;
  language: Language;
  t: Messages;
}): RenderedMessage {
  const { page, language, t } = params;
  if (page.events.length === 0) {
    const back =
      page.offset > 0
        ? [
            [
              Markup.button.callback(
                t.events.buttons.previous,
                encodeEventsCallback({ kind: 'page', offset: 0 }),
              ),
            ],
          ]
        : [];
    return {
      text: t.events.empty,
      ...(back.length ? { markup: Markup.inlineKeyboard(back) } : {}),
    };
  }
  const items = page.events.map((event, i) =>
    t.events.item({
      n: page.offset + i + 1,
      title: escapeHtml(event.title),
      when: formatEventDate({ iso: event.start_date, timeZone: event.timezone, language }),
      place: placeOf(event, t),
      price: priceOf(event, t),
      spots: spotsOf(event, t),
    }),
  );
  const header = t.events.header({
    from: page.offset + 1,
    to: page.offset + page.events.length,
    total: page.total,
  });
  const rows: InlineKeyboardButton[][] = page.events.map((event, i) => {
    const n = page.offset + i + 1;
    return buttonKindsOf(event).map((kind) =>
      eventButton({ kind, event, offset: page.offset, label: `${n}. ${t.events.buttons[kind]}` }),
    );
  });
  const navigation: InlineKeyboardButton[] = [];
  if (page.offset > 0) {
    const previous = Math.max(0, page.offset - page.limit);
    navigation.push(
      Markup.button.callback(
        t.events.buttons.previous,
        encodeEventsCallback({ kind: 'page', offset: previous }),
      ),
    );
  }
  if (page.offset + page.events.length < page.total) {
    const next = page.offset + page.events.length;
    navigation.push(
      Markup.button.callback(
        t.events.buttons.next,
        encodeEventsCallback({ kind: 'page', offset: next }),
      ),
    );
  }
  if (navigation.length > 0) rows.push(navigation);
  return { text: [header, ...items].join('\n\n'), markup: Markup.inlineKeyboard(rows) };
}

/** A button acting on one event, from the list at `offset` (redrawn after the action). */
export function eventButton(params: {
  kind: EventAction;
  event: EventView;
  offset: number;
  label: string;
}): InlineKeyboardButton {
  const { kind, event, offset, label } = params;
  return Markup.button.callback(label, encodeEventsCallback({ kind, eventId: event.id, offset }));
}

/** The "More" answer: everything about one event. */
export function renderEventDetails(params: {
  event: EventView;
  language: Language;
  t: Messages;
}): string {
  const { event, language, t } = params;
  return t.events.details({
    title: escapeHtml(event.title),
    when: formatEventDate({ iso: event.start_date, timeZone: event.timezone, language }),
    ends: event.end_date
      ? formatEventEnd({
          startIso: event.start_date,
          endIso: event.end_date,
          timeZone: event.timezone,
          language,
        })
      : null,
    place: placeOf(event, t),
    price: priceOf(event, t),
    spots: spotsOf(event, t),
    description: event.description ? escapeHtml(event.description) : null,
    joined: event.joined === true,
    waitlistPosition: waitlistPositionOf(event),
  });
}
