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
  ListEventParticipantsDto,
  ListMemberEventsDto,
  ListUpcomingEventsDto,
  UpdateEventDto,
  WaitlistDto,
} from './event-requests.dto';
import type {
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
  LIST_UPCOMING: requestPattern<ListUpcomingEventsDto, EventPage>('events.list_upcoming'),
  /** One event; `joined` is set when `member_id` is given. EVENT_NOT_FOUND. */
  GET: requestPattern<GetEventDto, EventView>('events.get'),
  /** Organizers and admins (FORBIDDEN otherwise). Emits `event.created`. */
  CREATE: requestPattern<CreateEventDto, EventView>('events.create'),
  /** The creator or an admin (FORBIDDEN otherwise). EVENT_NOT_FOUND, VALIDATION_FAILED. */
  UPDATE: requestPattern<UpdateEventDto, EventView>('events.update'),
  /**
   * The creator or an admin: `is_active = false`. Before the start this cancels the event: every
   * seated participant is refunded once, the waitlist is released, `event.cancelled` is emitted.
   * Idempotent.
   */
  DEACTIVATE: requestPattern<DeactivateEventDto, EventView>('events.deactivate'),
  /**
   * Takes a seat and debits the price (users.debit_coins). ALREADY_JOINED, EVENT_FULL,
   * INSUFFICIENT_COINS, EVENT_NOT_JOINABLE, EVENT_NOT_FOUND. Emits `event.participant_joined`.
   * EVENT_FULL carries `details: {waitlist_available: true}`.
   */
  JOIN: requestPattern<JoinEventDto, JoinEventResult>('events.join'),
  /** Frees the seat before the start and refunds the price once. NOT_JOINED, EVENT_NOT_JOINABLE. */
  LEAVE: requestPattern<LeaveEventDto, LeaveEventResult>('events.leave'),
  /** Participants as public profiles (one batched users call), in joining order. */
  LIST_PARTICIPANTS: requestPattern<ListEventParticipantsDto, EventParticipantsPage>(
    'events.list_participants',
  ),
  /**
   * Events a member is in (joined), waiting for (waitlisted) or was refunded by a cancellation
   * (cancelled), each with the member's `status`: upcoming soonest first, then past most recent first.
   */
  LIST_MEMBER_EVENTS: requestPattern<ListMemberEventsDto, EventPage>('events.list_member_events'),
  /** Every event, inactive and past ones too, newest start first (administration). */
  ADMIN_LIST: requestPattern<AdminListEventsDto, EventPage>('events.admin_list'),
  /** The event as an RFC 5545 iCalendar document with its VTIMEZONE. */
  GET_ICS: requestPattern<GetEventCalendarDto, EventCalendar>('events.get_ics'),
  /**
   * Joins the waitlist of a full event; nothing is charged. EVENT_NOT_FULL, ALREADY_JOINED,
   * ALREADY_WAITLISTED, EVENT_NOT_JOINABLE, EVENT_NOT_FOUND.
   */
  JOIN_WAITLIST: requestPattern<WaitlistDto, WaitlistEntryView>('events.join_waitlist'),
  /** Leaves the waitlist. NOT_WAITLISTED, EVENT_NOT_FOUND. */
  LEAVE_WAITLIST: requestPattern<WaitlistDto, null>('events.leave_waitlist'),
  /** A merge (users) moves `from`'s seats and waitlist places to `to`; where both hold a seat in
   * one event, `to`'s stays and `from`'s is given back and refunded to `from` (the merge moves
   * coins afterwards). Idempotent: a repeat finds nothing left to move. CONFLICT (409) while
   * `from` has a join in progress (retry later). */
  TRANSFER_MEMBER: requestPattern<TransferMemberDto, TransferMemberResult>(
    'events.transfer_member',
  ),
} as const;

/**
 * Events published by the `events` service (each subscribing service sees each one once).
 *
 * WIRE NAMES: see above; subscribers' consumer groups are keyed by these names.
 */
export const EVENT_EVENTS = {
  CREATED: eventName<EventCreatedPayload>('event.created'),
  PARTICIPANT_JOINED: eventName<ParticipantJoinedPayload>('event.participant_joined'),
  PARTICIPANT_LEFT: eventName<ParticipantLeftPayload>('event.participant_left'),
  CANCELLED: eventName<EventCancelledPayload>('event.cancelled'),
  RESCHEDULED: eventName<EventRescheduledPayload>('event.rescheduled'),
  WAITLIST_PROMOTED: eventName<WaitlistPromotedPayload>('event.waitlist_promoted'),
  WAITLIST_SKIPPED: eventName<WaitlistSkippedPayload>('event.waitlist_skipped'),
  /** A reminder before the start is due for the event's participants (EVENT_REMINDER_OFFSETS). */
  REMINDER_DUE: eventName<ReminderDuePayload>('event.reminder_due'),
} as const;
