import { randomUUID } from 'node:crypto';
import { ErrorCode, EVENT_EVENTS, MemberRole } from '@up/contracts';
import { errorCodeOf } from '@up/testing';
import { EventsPlatform, startEventsPlatform } from '../../test/events-platform.harness';
import { createEventDto, inDays } from '../../test/factories/event.factory';
import { EventsService } from './events.service';

describe(EventsService.name, () => {
  let h: EventsPlatform;
  let sut: EventsService;

  beforeAll(async () => {
    h = await startEventsPlatform();
    sut = h.events;
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  describe('listUpcoming', () => {
    it('pages active upcoming events soonest first, with the total, and nothing past or inactive', async () => {
      const upcoming = [];
      for (let i = 0; i < 25; i++) {
        upcoming.push(await sut.create(createEventDto({ start_date: inDays(1 + ((i * 7) % 25)) })));
      }
      const hidden = [];
      for (let i = 0; i < 3; i++)
        hidden.push(await sut.create(createEventDto({ start_date: inDays(-1 - i) })));
      for (let i = 0; i < 2; i++) {
        hidden.push(
          await sut.create(createEventDto({ start_date: inDays(2 + i), is_active: false })),
        );
      }

      const pages = [
        await sut.listUpcoming({ limit: 10, offset: 0 }),
        await sut.listUpcoming({ limit: 10, offset: 10 }),
        await sut.listUpcoming({ limit: 10, offset: 20 }),
      ];

      expect(pages.map((p) => p.events.length)).toEqual([10, 10, 5]);
      expect(pages.map((p) => p.total)).toEqual([25, 25, 25]);
      const listed = pages.flatMap((p) => p.events);
      const expectedOrder = [...upcoming].sort((a, b) => a.start_date.localeCompare(b.start_date));
      expect(listed.map((e) => e.id)).toEqual(expectedOrder.map((e) => e.id));
      const hiddenIds = new Set(hidden.map((e) => e.id));
      expect(listed.some((e) => hiddenIds.has(e.id))).toBe(false);
      expect(pages[0]).toMatchObject({ limit: 10, offset: 0 });
    });

    it('lists everything, inactive and past too, for administrators', async () => {
      const page = await sut.adminList({ limit: 100, offset: 0 });
      expect(page.total).toBe(30);
      expect(page.events.some((e) => !e.is_active)).toBe(true);
      expect(page.events.some((e) => e.start_date < new Date().toISOString())).toBe(true);
    });
  });

  describe('create', () => {
    it('stores the event with defaults and the configured time zone, and announces it', async () => {
      const dto = createEventDto({ price: undefined, capacity: undefined, is_active: undefined });
      const event = await sut.create(dto);

      expect(event).toMatchObject({
        title: dto.title,
        price: 0,
        capacity: null,
        is_active: true,
        creator_id: dto.actor_id,
        timezone: 'Europe/Moscow',
        participants_count: 0,
        spots_left: null,
      });
      expect(event).not.toHaveProperty('joined');
      await expect(
        h.published.waitFor(EVENT_EVENTS.CREATED, (p) => p.event_id === event.id),
      ).resolves.toMatchObject({ event_id: event.id, title: dto.title });
    });

    it('keeps the time zone it is given and answers dates in UTC', async () => {
      const event = await sut.create(
        createEventDto({ start_date: '2031-03-01T19:00:00+05:00', timezone: 'Asia/Yekaterinburg' }),
      );
      expect(event).toMatchObject({
        start_date: '2031-03-01T14:00:00.000Z',
        timezone: 'Asia/Yekaterinburg',
      });
    });

    it('is refused to plain members', async () => {
      expect(await errorCodeOf(sut.create(createEventDto({ actor_role: MemberRole.MEMBER })))).toBe(
        ErrorCode.FORBIDDEN,
      );
    });
  });

  describe('update and deactivate', () => {
    it('lets the creator change fields and clear nullable ones', async () => {
      const created = await sut.create(createEventDto({ capacity: 10, location: 'Old place' }));
      const updated = await sut.update({
        event_id: created.id,
        actor_id: created.creator_id,
        actor_role: MemberRole.ORGANIZER,
        title: 'New title',
        location: null,
        capacity: null,
      });
      expect(updated).toMatchObject({
        title: 'New title',
        location: null,
        capacity: null,
        spots_left: null,
      });
      expect(updated.updated_at >= created.updated_at).toBe(true);
    });

    it('refuses another organizer (FORBIDDEN) and allows an admin', async () => {
      const created = await sut.create(createEventDto());
      const other = { actor_id: randomUUID(), event_id: created.id };
      expect(
        await errorCodeOf(sut.update({ ...other, actor_role: MemberRole.ORGANIZER, title: 'x' })),
      ).toBe(ErrorCode.FORBIDDEN);
      expect(
        await errorCodeOf(sut.deactivate({ ...other, actor_role: MemberRole.ORGANIZER })),
      ).toBe(ErrorCode.FORBIDDEN);
      await expect(
        sut.update({ ...other, actor_role: MemberRole.ADMIN, title: 'By admin' }),
      ).resolves.toMatchObject({
        title: 'By admin',
      });
    });

    it('checks a new end against the stored start, and a capacity against the seats taken', async () => {
      const created = await sut.create(createEventDto({ capacity: 5, start_date: inDays(3) }));
      const actor = {
        event_id: created.id,
        actor_id: created.creator_id,
        actor_role: MemberRole.ORGANIZER,
      };
      for (let i = 0; i < 2; i++) {
        await h.participation.join({ event_id: created.id, member_id: await h.member() });
      }

      expect(await errorCodeOf(sut.update({ ...actor, end_date: inDays(2) }))).toBe(
        ErrorCode.VALIDATION_FAILED,
      );
      expect(await errorCodeOf(sut.update({ ...actor, capacity: 1 }))).toBe(
        ErrorCode.VALIDATION_FAILED,
      );
      await expect(sut.update({ ...actor, capacity: 2 })).resolves.toMatchObject({ spots_left: 0 });
    });

    it('deactivates (idempotently) and the event leaves the upcoming list', async () => {
      const created = await sut.create(createEventDto({ start_date: inDays(0.5) }));
      const actor = {
        event_id: created.id,
        actor_id: created.creator_id,
        actor_role: MemberRole.ORGANIZER,
      };
      await sut.deactivate(actor);
      await expect(sut.deactivate(actor)).resolves.toMatchObject({ is_active: false });
      const page = await sut.listUpcoming({ limit: 100, offset: 0 });
      expect(page.events.map((e) => e.id)).not.toContain(created.id);
    });

    it('answers EVENT_NOT_FOUND for unknown events', async () => {
      const unknown = randomUUID();
      expect(await errorCodeOf(sut.get({ event_id: unknown }))).toBe(ErrorCode.EVENT_NOT_FOUND);
      expect(
        await errorCodeOf(
          sut.update({
            event_id: unknown,
            actor_id: unknown,
            actor_role: MemberRole.ADMIN,
            title: 'x',
          }),
        ),
      ).toBe(ErrorCode.EVENT_NOT_FOUND);
    });
  });
});
