import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateEventBody, UpdateEventBody } from './event-body.dto';
import { ListUpcomingEventsDto } from './event-requests.dto';
import { parseInstant } from './event-validators';

function failingFields<T extends object>(cls: new () => T, plain: object): string[] {
  const instance = plainToInstance(cls, plain);
  return validateSync(instance, { whitelist: true }).map((error) => error.property);
}

const validEvent = () => ({
  title: 'Founders breakfast',
  start_date: '2030-12-20T08:00:00.000Z',
});

describe(CreateEventBody.name, () => {
  it('accepts a minimal event', () => {
    expect(failingFields(CreateEventBody, validEvent())).toEqual([]);
  });

  it('accepts every field at once, nulls for nullable ones', () => {
    expect(
      failingFields(CreateEventBody, {
        ...validEvent(),
        description: null,
        end_date: '2030-12-20T14:00:00+03:00',
        location: 'Moscow',
        price: 0,
        image_url: 'https://example.org/a.png',
        capacity: null,
        is_active: false,
        timezone: 'Asia/Yekaterinburg',
      }),
    ).toEqual([]);
  });

  it.each([
    ['an empty title', { title: '' }, 'title'],
    ['a blank title', { title: '   ' }, 'title'],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
    ['a start date that is not ISO 8601', { start_date: '20/12/2030' }, 'start_date'],
    ['a start date without an offset', { start_date: '2030-12-20T08:00:00' }, 'start_date'],
    ['an impossible day', { start_date: '2030-02-30T08:00:00Z' }, 'start_date'],
    ['an end before the start', { end_date: '2030-12-20T07:59:59.999Z' }, 'end_date'],
    ['a negative price', { price: -1 }, 'price'],
    ['a fractional price', { price: 1.5 }, 'price'],
    ['a price given as a string', { price: '10' }, 'price'],
    ['a capacity of 0', { capacity: 0 }, 'capacity'],
    ['a fractional capacity', { capacity: 2.5 }, 'capacity'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['an image url that is not http', { image_url: 'javascript:alert(1)' }, 'image_url'],
  ])('refuses %s', (_label, patch, field) => {
    expect(failingFields(CreateEventBody, { ...validEvent(), ...patch })).toEqual([field]);
  });

  it('accepts an end equal to the start', () => {
    const event = validEvent();
    expect(failingFields(CreateEventBody, { ...event, end_date: event.start_date })).toEqual([]);
  });
});

describe(UpdateEventBody.name, () => {
  it('accepts an empty patch', () => {
    expect(failingFields(UpdateEventBody, {})).toEqual([]);
  });

  it('clears nullable fields with null', () => {
    expect(
      failingFields(UpdateEventBody, { capacity: null, end_date: null, description: null }),
    ).toEqual([]);
  });

  it.each([['title'], ['start_date'], ['price'], ['is_active'], ['timezone']])(
    'refuses null for %s',
    (field) => {
      expect(failingFields(UpdateEventBody, { [field]: null })).toEqual([field]);
    },
  );
});

describe(ListUpcomingEventsDto.name, () => {
  it('defaults to limit 10, offset 0', () => {
    const dto = plainToInstance(ListUpcomingEventsDto, {});
    expect(validateSync(dto)).toEqual([]);
    expect({ limit: dto.limit, offset: dto.offset }).toEqual({ limit: 10, offset: 0 });
  });

  it('turns query strings into numbers', () => {
    const dto = plainToInstance(ListUpcomingEventsDto, { limit: '25', offset: '50' });
    expect(validateSync(dto)).toEqual([]);
    expect({ limit: dto.limit, offset: dto.offset }).toEqual({ limit: 25, offset: 50 });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: 'abc' }, 'limit'],
    [{ limit: '' }, 'limit'],
    [{ offset: '-1' }, 'offset'],
    [{ offset: '1.5' }, 'offset'],
  ])('refuses %j', (query, field) => {
    expect(failingFields(ListUpcomingEventsDto, query)).toEqual([field]);
  });
});

describe('parseInstant', () => {
  it.each([
    ['2030-12-20T08:00:00.000Z', '2030-12-20T08:00:00.000Z'],
    ['2030-12-20T11:00:00+03:00', '2030-12-20T08:00:00.000Z'],
    ['2030-12-20T11:00+0300', '2030-12-20T08:00:00.000Z'],
    ['2030-12-20', '2030-12-20T00:00:00.000Z'],
  ])('reads %s', (input, iso) => {
    expect(parseInstant(input)?.toISOString()).toBe(iso);
  });

  it.each(['2030-12-20T24:00:00Z', '2030-13-01T00:00:00Z', 'tomorrow', '1765000000'])(
    'refuses %s',
    (input) => {
      expect(parseInstant(input)).toBeNull();
    },
  );
});
