import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { RedisStreamsContext } from '@up/bus';
import {
  EVENT_EVENTS,
  EventCancelledPayload,
  EventCreatedPayload,
  EventRescheduledPayload,
  ParticipantJoinedPayload,
  ParticipantLeftPayload,
  ReminderDuePayload,
  WaitlistPromotedPayload,
  WaitlistSkippedPayload,
} from '@up/contracts';
import { AnnouncementsService } from './announcements.service';
import { NotificationsService } from './notifications.service';

/** The envelope's event id: the same on every delivery of one event (the bus guarantees it). */
function eventIdOf(context: RedisStreamsContext): string {
  const id = context.getEventId();
  if (!id) throw new Error(`${context.getPattern()} arrived without an event id`);
  return id;
}

/** The bus events members hear about, once per event across the bot's replicas (group `bot`). */
@Controller()
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly announcements: AnnouncementsService,
  ) {}

  @EventPattern(EVENT_EVENTS.PARTICIPANT_JOINED)
  onJoined(@Payload() event: ParticipantJoinedPayload): Promise<void> {
    return this.notifications.joined(event);
  }

  @EventPattern(EVENT_EVENTS.PARTICIPANT_LEFT)
  onLeft(@Payload() event: ParticipantLeftPayload): Promise<void> {
    return this.notifications.left(event);
  }

  @EventPattern(EVENT_EVENTS.WAITLIST_PROMOTED)
  onPromoted(
    @Payload() event: WaitlistPromotedPayload,
    @Ctx() context: RedisStreamsContext,
  ): Promise<void> {
    return this.notifications.promoted(event, eventIdOf(context));
  }

  @EventPattern(EVENT_EVENTS.WAITLIST_SKIPPED)
  onSkipped(
    @Payload() event: WaitlistSkippedPayload,
    @Ctx() context: RedisStreamsContext,
  ): Promise<void> {
    return this.notifications.skipped(event, eventIdOf(context));
  }

  @EventPattern(EVENT_EVENTS.CANCELLED)
  onCancelled(
    @Payload() event: EventCancelledPayload,
    @Ctx() context: RedisStreamsContext,
  ): Promise<void> {
    return this.notifications.cancelled(event, eventIdOf(context));
  }

  @EventPattern(EVENT_EVENTS.RESCHEDULED)
  onRescheduled(
    @Payload() event: EventRescheduledPayload,
    @Ctx() context: RedisStreamsContext,
  ): Promise<void> {
    return this.notifications.rescheduled(event, eventIdOf(context));
  }

  @EventPattern(EVENT_EVENTS.REMINDER_DUE)
  onReminder(
    @Payload() event: ReminderDuePayload,
    @Ctx() context: RedisStreamsContext,
  ): Promise<void> {
    return this.notifications.reminder(event, eventIdOf(context));
  }

  @EventPattern(EVENT_EVENTS.CREATED)
  onCreated(@Payload() event: EventCreatedPayload): Promise<void> {
    return this.announcements.announce(event);
  }
}
