import { randomUUID } from 'node:crypto';
import { CreateEventDto, MemberRole } from '@up/contracts';
import { inDays } from '@up/testing';

let sequence = 0;

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
