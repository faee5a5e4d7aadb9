import { randomUUID } from 'node:crypto';
import type { EventPage, EventView } from '@up/contracts';
import { messagesFor } from '../i18n/i18n';
import { decodeEventsCallback, EventsCallback } from './events.callback-data';
import {
  formatEventDate,
  formatEventEnd,
  renderEventDetails,
  renderEventsPage,
  RenderedMessage,
} from './events.format';

function anEvent(overrides: Partial<EventView> = {}): EventView {
  return {
    id: randomUUID(),
    title: 'Board games night',
    description: 'Bring a friend',
    start_date: '2025-12-20T18:00:00.000Z',
    end_date: '2025-12-20T20:30:00.000Z',
    location: 'Loft, Tverskaya 1',
    price: 10,
    image_url: null,
    capacity: 20,
    is_active: true,
    creator_id: randomUUID(),
    created_at: '2025-11-01T00:00:00.000Z',
    updated_at: '2025-11-01T00:00:00.000Z',
    timezone: 'Europe/Moscow',
    participants_count: 3,
    spots_left: 17,
    ...overrides,
  };
}

/** The inline keyboard of a rendered page, as [text, decoded callback] pairs per row. */
function keyboardOf(rendered: RenderedMessage): [string, EventsCallback | undefined][][] {
  if (!rendered.markup) throw new Error('The page has no keyboard');
  return rendered.markup.reply_markup.inline_keyboard.map((row) =>
    row.map((button) => [
      button.text,
      decodeEventsCallback((button as { callback_data: string }).callback_data),
    ]),
  );
}

function aPage(events: EventView[], overrides: Partial<EventPage> = {}): EventPage {
  return { events, total: events.length, limit: 5, offset: 0, ...overrides };
}

describe('events formatting', () => {
  describe(formatEventDate.name, () => {
    it('shows the time in the event’s own time zone', () => {
      const iso = '2025-12-20T18:00:00.000Z';
      expect(formatEventDate({ iso, timeZone: 'Europe/Moscow', language: 'en' })).toBe(
        'Sat, 20 December 2025 at 21:00 GMT+3',
      );
      expect(formatEventDate({ iso, timeZone: 'America/New_York', language: 'en' })).toContain(
        '13:00',
      );
      expect(formatEventDate({ iso, timeZone: 'Asia/Tokyo', language: 'en' })).toContain(
        'Sun, 21 December 2025 at 03:00',
      );
    });

    it('speaks Russian for Russian', () => {
      expect(
        formatEventDate({
          iso: '2025-12-20T18:00:00.000Z',
          timeZone: 'Europe/Moscow',
          language: 'ru',
        }),
      ).toMatch(/сб, 20 декабря 2025.*21:00/);
    });

    it('falls back to UTC for a time zone Intl does not know', () => {
      expect(
        formatEventDate({
          iso: '2025-12-20T18:00:00.000Z',
          timeZone: 'Mars/Olympus',
          language: 'en',
        }),
      ).toContain('18:00 UTC');
    });
  });

  describe(formatEventEnd.name, () => {
    it('gives only the time when the event ends the day it starts, locally', () => {
      const startIso = '2025-12-20T18:00:00.000Z';
      expect(
        formatEventEnd({
          startIso,
          endIso: '2025-12-20T20:30:00.000Z',
          timeZone: 'Europe/Moscow',
          language: 'en',
        }),
      ).toBe('23:30');
      // 22:00 UTC is already the next day in Moscow.
      expect(
        formatEventEnd({
          startIso,
          endIso: '2025-12-20T22:00:00.000Z',
          timeZone: 'Europe/Moscow',
          language: 'en',
        }),
      ).toContain('Sun, 21 December');
    });
  });

  describe(renderEventsPage.name, () => {
    const t = messagesFor('en');

    it('lists each event with its date, place, price and spots, and a Join / Leave / More row', () => {
      const event = anEvent();
      const rendered = renderEventsPage({ page: aPage([event]), language: 'en', t });
      const { text } = rendered;
      expect(text).toContain('Board games night');
      expect(text).toContain('Sat, 20 December 2025 at 21:00 GMT+3');
      expect(text).toContain('Loft, Tverskaya 1');
      expect(text).toContain('10 UP');
      expect(text).toContain('17 spots left');
      expect(keyboardOf(rendered)[0]).toEqual([
        ['1. Join', { kind: 'join', eventId: event.id, offset: 0 }],
        ['1. Leave', { kind: 'leave', eventId: event.id, offset: 0 }],
        ['1. More', { kind: 'more', eventId: event.id, offset: 0 }],
      ]);
    });

    it('offers next and previous pages only where they exist', () => {
      const events = [anEvent(), anEvent()];
      const nav = (page: EventPage) =>
        keyboardOf(renderEventsPage({ page, language: 'en', t })).at(-1);
      expect(nav(aPage(events, { total: 12, limit: 2, offset: 0 }))).toEqual([
        ['Next ›', { kind: 'page', offset: 2 }],
      ]);
      expect(nav(aPage(events, { total: 12, limit: 2, offset: 4 }))).toEqual([
        ['‹ Previous', { kind: 'page', offset: 2 }],
        ['Next ›', { kind: 'page', offset: 6 }],
      ]);
      expect(nav(aPage(events, { total: 6, limit: 2, offset: 4 }))).toEqual([
        ['‹ Previous', { kind: 'page', offset: 2 }],
      ]);
    });

    it('says free and unlimited, and escapes what organizers typed', () => {
      const event = anEvent({
        title: 'Tea & <chat>',
        price: 0,
        spots_left: null,
        capacity: null,
        location: null,
      });
      const { text } = renderEventsPage({ page: aPage([event]), language: 'en', t });
      expect(text).toContain('Tea &amp; &lt;chat&gt;');
      expect(text).toContain('free · unlimited spots');
      expect(text).toContain('place to be announced');
    });

    it('offers a full event’s waitlist instead of Join, with Leave while the member’s seat is unknown', () => {
      const event = anEvent({ capacity: 3, spots_left: 0 });
      const rendered = renderEventsPage({ page: aPage([event]), language: 'en', t });
      expect(rendered.text).toContain('10 UP · full — join the waitlist');
      expect(keyboardOf(rendered)[0]).toEqual([
        ['1. Join the waitlist', { kind: 'joinWaitlist', eventId: event.id, offset: 0 }],
        ['1. Leave', { kind: 'leave', eventId: event.id, offset: 0 }],
        ['1. More', { kind: 'more', eventId: event.id, offset: 0 }],
      ]);
    });

    it('fits a full event’s row to the member: waiting, seated or neither', () => {
      const waiting = anEvent({ spots_left: 0, joined: false, waitlist_position: 2 });
      const seated = anEvent({ spots_left: 0, joined: true, waitlist_position: null });
      const outside = anEvent({ spots_left: 0, joined: false, waitlist_position: null });
      const rendered = renderEventsPage({
        page: aPage([waiting, seated, outside], { offset: 5, total: 8 }),
        language: 'en',
        t,
      });
      expect(rendered.text).toContain('full · you are #2 in the waitlist');
      expect(rendered.text).toContain('no spots left');
      expect(rendered.text).toContain('full — join the waitlist');
      const [first, second, third] = keyboardOf(rendered);
      expect(first).toEqual([
        ['6. Leave the waitlist', { kind: 'leaveWaitlist', eventId: waiting.id, offset: 5 }],
        ['6. More', { kind: 'more', eventId: waiting.id, offset: 5 }],
      ]);
      expect(second.map(([label]) => label)).toEqual(['7. Leave', '7. More']);
      expect(third.map(([label]) => label)).toEqual(['8. Join the waitlist', '8. More']);
    });

    it('speaks of the waitlist in Russian too', () => {
      const ru = messagesFor('ru');
      const page = aPage([anEvent({ spots_left: 0, joined: false, waitlist_position: 3 })]);
      const rendered = renderEventsPage({ page, language: 'ru', t: ru });
      expect(rendered.text).toContain('вы №3 в листе ожидания');
      expect(keyboardOf(rendered)[0][0][0]).toBe('1. Выйти из листа ожидания');
    });

    it('keeps Join / Leave / More for an event with seats whatever the member’s state', () => {
      const event = anEvent({ joined: true, waitlist_position: null });
      const rendered = renderEventsPage({ page: aPage([event]), language: 'en', t });
      expect(keyboardOf(rendered)[0].map(([label]) => label)).toEqual([
        '1. Join',
        '1. Leave',
        '1. More',
      ]);
    });

    it('says when there are no events', () => {
      expect(renderEventsPage({ page: aPage([]), language: 'ru', t: messagesFor('ru') }).text).toBe(
        messagesFor('ru').events.empty,
      );
    });
  });

  describe(renderEventDetails.name, () => {
    it('shows the description, the end time and whether the member is in', () => {
      const text = renderEventDetails({
        event: anEvent({ joined: true }),
        language: 'en',
        t: messagesFor('en'),
      });
      expect(text).toContain('Bring a friend');
      expect(text).toContain('21:00 GMT+3 – 23:30');
      expect(text).toContain('You are in.');
      expect(text).not.toContain('waitlist');
    });

    it('shows the member’s place in the waitlist', () => {
      const text = renderEventDetails({
        event: anEvent({ spots_left: 0, joined: false, waitlist_position: 4 }),
        language: 'en',
        t: messagesFor('en'),
      });
      expect(text).toContain('You are #4 in the waitlist.');
    });
  });
});
