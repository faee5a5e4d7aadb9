import { randomUUID } from 'node:crypto';
import { CreateEventDto, MemberRole } from '@up/contracts';

let sequence = 0;

const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

/** A valid `events.create` message from an organizer; override any field. */
export function createEventDto(overrides: Partial<CreateEventDto> = {}): CreateEventDto {
  sequence += 1;
  return Object.assign(new CreateEventDto(), {
    title: `Event ${sequence}`,
    description: 'A club evening',
    start_date: inDays(7),
    end_date: null,
    location: 'Moscow, Tverskaya 1',
    price: 0,
    capacity: null,
    is_active: true,
    actor_id: randomUUID(),
    actor_role: MemberRole.ORGANIZER,
    ...overrides,
  });
}

export { inDays };
