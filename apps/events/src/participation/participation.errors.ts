import { DomainError, ErrorCode } from '@up/contracts';

export const alreadyJoined = () =>
  new DomainError(ErrorCode.ALREADY_JOINED, 'You have already joined this event');

/** The frontend keeps branching on EVENT_FULL; the details tell it a waitlist is open. */
export const eventFull = () =>
  new DomainError(ErrorCode.EVENT_FULL, 'The event is full', { waitlist_available: true });

export const eventNotJoinable = (reason: 'inactive' | 'started') =>
  new DomainError(
    ErrorCode.EVENT_NOT_JOINABLE,
    reason === 'inactive' ? 'The event is not active' : 'The event has already started',
    { reason },
  );

export const notJoined = () =>
  new DomainError(ErrorCode.NOT_JOINED, 'You have not joined this event');

export const cannotLeaveStarted = () =>
  new DomainError(ErrorCode.EVENT_NOT_JOINABLE, 'The event has already started', {
    reason: 'started',
  });

/** The debit's outcome is unknown (users did not answer in time); the recovery sweep settles it. */
export const joinInDoubt = () =>
  new DomainError(
    ErrorCode.SERVICE_UNAVAILABLE,
    'The payment could not be confirmed in time; the join will be settled shortly',
  );

/** Lost a race with the recovery sweep, which gave the seat back; the debit was refunded. */
export const joinAbandoned = () =>
  new DomainError(ErrorCode.CONFLICT, 'The join could not be completed; nothing was charged');

/** The event was cancelled while the join was being paid for; the price was refunded. */
export const joinCancelled = () =>
  new DomainError(ErrorCode.EVENT_NOT_JOINABLE, 'The event was cancelled; the price was refunded', {
    reason: 'inactive',
  });
