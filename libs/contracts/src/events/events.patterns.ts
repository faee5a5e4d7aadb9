import { eventName, requestPattern } from '../bus/message';
import type { TransferMemberDto, TransferMemberResult } from '../users/account-lifecycle.dto';
import type {
  AdminListEventsDto,
  CreateEventDto,
  DeactivateEventDto,
  GetEventCalendarDto,
  GetEventDto,
  JoinEventDto,
  LeaveEventDto,
  ListEventAudienceDto,
  ListEventParticipantsDto,
  ListMemberEventsDto,
  ListUpcomingEventsDto,
  UpdateEventDto,
  WaitlistDto,
} from './event-requests.dto';
import type {
  EventAudiencePage,
  EventCalendar,
  EventPage,
  EventParticipantsPage,
  EventView,
  JoinEventResult,
  LeaveEventResult,
  WaitlistEntryView,
} from './event.views';
import type {
  EventCancelledPayload,
  EventCreatedPayload,
  EventRescheduledPayload,
  ParticipantJoinedPayload,
  ParticipantLeftPayload,
  ReminderDuePayload,
  WaitlistPromotedPayload,
  WaitlistSkippedPayload,
} from './event-bus-events';

/**
 * Requests handled by the `events` service.
 *
 * WIRE NAMES: these strings travel over Redis. Renaming one while older replicas still run strands
 * their messages; rename only with a migration plan (serve both names, then drop the old one).
 */
export const EVENTS = {
  /** Active events with `start_date >= now`, soonest first. */
  LIST_UPCOMING: requestPattern<ListUpcomingEventsDto, EventPage>('events.list_upcoming', {
    callers: ['gateway', 'bot'],
  }),
  /** One event; `joined` is set when `member_id` is given. EVENT_NOT_FOUND. */
  GET: requestPattern<GetEventDto, EventView>('events.get', { callers: ['gateway', 'bot'] }),
  /** Organizers and admins (FORBIDDEN otherwise). Emits `event.created`. */
  CREATE: requestPattern<CreateEventDto, EventView>('events.create', { callers: ['gateway'] }),
  /** The creator or an admin (FORBIDDEN otherwise). EVENT_NOT_FOUND, VALIDATION_FAILED. */
  UPDATE: requestPattern<UpdateEventDto, EventView>('events.update', { callers: ['gateway'] }),
  /**
   * The creator or an admin: `is_active = false`. Before the start this cancels the event: every
   * seated participant is refunded once, the waitlist is released, `event.cancelled` is emitted.
   * Idempotent.
   */
  DEACTIVATE: requestPattern<DeactivateEventDto, EventView>('events.deactivate', {
    callers: ['gateway'],
  }),
  /**
   * Takes a seat and debits the price (users.debit_coins). ALREADY_JOINED, EVENT_FULL,
   * INSUFFICIENT_COINS, EVENT_NOT_JOINABLE, EVENT_NOT_FOUND. Emits `event.participant_joined`.
   * EVENT_FULL carries `details: {waitlist_available: true}`.
   */
  JOIN: requestPattern<JoinEventDto, JoinEventResult>('events.join', {
    callers: ['gateway', 'bot'],
  }),
  /** Frees the seat before the start and refunds the price once. NOT_JOINED, EVENT_NOT_JOINABLE. */
  LEAVE: requestPattern<LeaveEventDto, LeaveEventResult>('events.leave', {
    callers: ['gateway', 'bot'],
  }),
  /** Participants as public profiles (one batched users call), in joining order. */
  LIST_PARTICIPANTS: requestPattern<ListEventParticipantsDto, EventParticipantsPage>(
    'events.list_participants',
    { callers: ['gateway'] },
  ),
  /**
   * Events a member is in (joined), waiting for (waitlisted) or was refunded by a cancellation
   * (cancelled), each with the member's `status`: upcoming soonest first, then past most recent first.
   */
  LIST_MEMBER_EVENTS: requestPattern<ListMemberEventsDto, EventPage>('events.list_member_events', {
    callers: ['gateway'],
  }),
  /** Every event, inactive and past ones too, newest start first (administration). */
  ADMIN_LIST: requestPattern<AdminListEventsDto, EventPage>('events.admin_list', {
    callers: ['gateway'],
  }),
  /** The event as an RFC 5545 iCalendar document with its VTIMEZONE. */
  GET_ICS: requestPattern<GetEventCalendarDto, EventCalendar>('events.get_ics', {
    callers: ['gateway'],
  }),
  /**
   * Joins the waitlist of a full event; nothing is charged. EVENT_NOT_FULL, ALREADY_JOINED,
   * ALREADY_WAITLISTED, EVENT_NOT_JOINABLE, EVENT_NOT_FOUND.
   */
  JOIN_WAITLIST: requestPattern<WaitlistDto, WaitlistEntryView>('events.join_waitlist', {
    callers: ['gateway', 'bot'],
  }),
  /** Leaves the waitlist. NOT_WAITLISTED, EVENT_NOT_FOUND. */
  LEAVE_WAITLIST: requestPattern<WaitlistDto, null>('events.leave_waitlist', {
    callers: ['gateway', 'bot'],
  }),
  /**
   * Member ids of everyone an event concerns: seated participants and the waiting line (the bot
   * tells them of a reschedule). EVENT_NOT_FOUND.
   */
  LIST_AUDIENCE: requestPattern<ListEventAudienceDto, EventAudiencePage>('events.list_audience', {
    callers: ['bot'],
  }),
  /** A merge (users) moves `from`'s seats and waitlist places to `to`; where both hold a seat in
   * one event, `to`'s stays and `from`'s is given back and refunded to `from` (the merge moves
   * coins afterwards). Idempotent: a repeat finds nothing left to move. CONFLICT (409) while
   * `from` has a join in progress (retry later). */
  TRANSFER_MEMBER: requestPattern<TransferMemberDto, TransferMemberResult>(
    'events.transfer_member',
    { callers: ['users'] },
  ),
} as const;

/**
 * Events published by the `events` service (each subscribing service sees each one once).
 *
 * WIRE NAMES: see above; subscribers' consumer groups are keyed by these names.
 */
export const EVENT_EVENTS = {
  CREATED: eventName<EventCreatedPayload>('event.created', { publishers: ['events'] }),
  PARTICIPANT_JOINED: eventName<ParticipantJoinedPayload>('event.participant_joined', {
    publishers: ['events'],
  }),
  PARTICIPANT_LEFT: eventName<ParticipantLeftPayload>('event.participant_left', {
    publishers: ['events'],
  }),
  CANCELLED: eventName<EventCancelledPayload>('event.cancelled', { publishers: ['events'] }),
  RESCHEDULED: eventName<EventRescheduledPayload>('event.rescheduled', { publishers: ['events'] }),
  WAITLIST_PROMOTED: eventName<WaitlistPromotedPayload>('event.waitlist_promoted', {
    publishers: ['events'],
  }),
  WAITLIST_SKIPPED: eventName<WaitlistSkippedPayload>('event.waitlist_skipped', {
    publishers: ['events'],
  }),
  /** A reminder before the start is due for the event's participants (EVENT_REMINDER_OFFSETS). */
  REMINDER_DUE: eventName<ReminderDuePayload>('event.reminder_due', { publishers: ['events'] }),
} as const;
