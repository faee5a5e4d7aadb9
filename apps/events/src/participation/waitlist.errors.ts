import { DomainError, ErrorCode } from '@up/contracts';

export const eventNotFull = () =>
  new DomainError(ErrorCode.EVENT_NOT_FULL, 'The event has seats left; join it instead');

export const alreadyWaitlisted = () =>
  new DomainError(ErrorCode.ALREADY_WAITLISTED, 'You are already on the waitlist of this event');

export const notWaitlisted = () =>
  new DomainError(ErrorCode.NOT_WAITLISTED, 'You are not on the waitlist of this event');
