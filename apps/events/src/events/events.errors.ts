import { DomainError, ErrorCode } from '@up/contracts';

export const eventNotFound = (eventId: string) =>
  new DomainError(ErrorCode.EVENT_NOT_FOUND, 'Event not found', { event_id: eventId });

export const notAllowedToCreate = () =>
  new DomainError(ErrorCode.FORBIDDEN, 'Only organizers and admins create events');

export const notAllowedToChange = () =>
  new DomainError(ErrorCode.FORBIDDEN, 'Only the creator of the event or an admin can change it');

/**
 * A field that is valid on its own but not with the event's stored values; the details have the
 * shape of the bus's validation failures (`[{field, messages}]`).
 */
export const invalidEventField = (field: string, message: string) =>
  new DomainError(ErrorCode.VALIDATION_FAILED, 'Validation failed', [
    { field, messages: [message] },
  ]);
