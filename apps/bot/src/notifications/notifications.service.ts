import { Injectable, Logger } from '@nestjs/common';
import { BusClient } from '@up/bus';
import {
  ErrorCode,
  EventCancelledPayload,
  EventRescheduledPayload,
  EVENTS,
  MAX_AUDIENCE_PAGE,
  MAX_NOTIFICATION_TARGETS,
  NotificationTarget,
  ParticipantJoinedPayload,
  ParticipantLeftPayload,
  ReminderDuePayload,
  USERS,
  WaitlistPromotedPayload,
  WaitlistSkippedPayload,
} from '@up/contracts';
import { DeliveryQueue } from '../delivery/delivery-queue';
import type { OutgoingMessage } from '../delivery/delivery.types';
import { busErrorCode } from '../telegram/bot-failures';
import {
  EventFacts,
  factsIn,
  mayTell,
  NotificationKind,
  notificationKey,
  outgoing,
  placeIn,
  whenIn,
} from './notifications.format';

/** A seat's notification key: the button that took or gave the seat may have claimed it already. */
export function seatKey(p: {
  eventId: string;
  memberId: string;
  kind: typeof NotificationKind.JOINED | typeof NotificationKind.LEFT;
  at: string;
}): string {
  return `${p.eventId}:${p.memberId}:${p.kind}:${p.at}`;
}

/**
 * What the bot tells members when something happens to their seat or their events: each bus event
 * becomes messages in the delivery queue, in each member's language, naming the event and its time
 * in the event's time zone. Idempotent: a message's key is made of the bus event's id (or the seat
 * change's own time), the member and the kind, so a redelivered event enqueues keys the queue
 * already knows. A failure to read what a message needs (the event, the members) throws, and the
 * bus delivers the event again.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly bus: BusClient,
    private readonly queue: DeliveryQueue,
  ) {}

  async joined(event: ParticipantJoinedPayload): Promise<void> {
    // A seat from the waitlist: `event.waitlist_promoted` tells the member, once.
    if (event.from_waitlist) return;
    const kind = NotificationKind.JOINED;
    await this.tellOne({
      memberId: event.member_id,
      clubEventId: event.event_id,
      kind,
      key: seatKey({
        eventId: event.event_id,
        memberId: event.member_id,
        kind,
        at: event.joined_at,
      }),
      withBalance: true,
      text: ({ t, title, when }, balance) => t.notifications.joined({ title, when, balance }),
    });
  }

  async left(event: ParticipantLeftPayload): Promise<void> {
    const kind = NotificationKind.LEFT;
    await this.tellOne({
      memberId: event.member_id,
      clubEventId: event.event_id,
      kind,
      key: seatKey({ eventId: event.event_id, memberId: event.member_id, kind, at: event.left_at }),
      withBalance: true,
      text: ({ t, title, when }, balance) =>
        t.notifications.left({ title, when, refunded: event.refunded, balance }),
    });
  }

  async promoted(event: WaitlistPromotedPayload, busEventId: string): Promise<void> {
    const kind = NotificationKind.PROMOTED;
    await this.tellOne({
      memberId: event.member_id,
      clubEventId: event.event_id,
      kind,
      key: notificationKey({ eventId: busEventId, memberId: event.member_id, kind }),
      withBalance: true,
      text: ({ t, title, when }, balance) =>
        t.notifications.promoted({ title, when, price: event.price, balance }),
    });
  }

  async skipped(event: WaitlistSkippedPayload, busEventId: string): Promise<void> {
    const kind = NotificationKind.SKIPPED;
    await this.tellOne({
      memberId: event.member_id,
      clubEventId: event.event_id,
      kind,
      key: notificationKey({ eventId: busEventId, memberId: event.member_id, kind }),
      withBalance: false,
      text: ({ t, title, when }) => t.notifications.skipped({ title, when }),
    });
  }

  async cancelled(event: EventCancelledPayload, busEventId: string): Promise<void> {
    const kind = NotificationKind.CANCELLED;
    // The payload has no time zone; a cancelled event is still there to ask.
    const facts = (await this.eventFacts(event.event_id)) ?? {
      title: event.title,
      startDate: event.start_date,
      timezone: 'UTC',
      location: null,
    };
    const refunded = new Set(event.refunded_member_ids);
    const memberIds = [...new Set([...refunded, ...event.released_waitlist_member_ids])];
    await this.tellMany({
      memberIds,
      kind,
      busEventId,
      text: (target) => {
        const { t, title, when } = factsIn(facts, target.language);
        return refunded.has(target.member_id)
          ? t.notifications.cancelledRefunded({ title, when })
          : t.notifications.cancelledWaitlist({ title, when });
      },
    });
  }

  async rescheduled(event: EventRescheduledPayload, busEventId: string): Promise<void> {
    const kind = NotificationKind.RESCHEDULED;
    let after: string | undefined;
    do {
      const page = await this.bus.send(EVENTS.LIST_AUDIENCE, {
        event_id: event.event_id,
        limit: MAX_AUDIENCE_PAGE,
        ...(after ? { after } : {}),
      });
      await this.tellMany({
        memberIds: page.member_ids,
        kind,
        busEventId,
        text: ({ language }) => {
          const { t, title } = factsIn(
            {
              title: event.title,
              startDate: event.new_start_date,
              timezone: event.timezone,
              location: null,
            },
            language,
          );
          const at = (iso: string) => whenIn({ iso, timezone: event.timezone, language });
          return t.notifications.rescheduled({
            title,
            oldWhen: at(event.old_start_date),
            newWhen: at(event.new_start_date),
            oldPlace: placeIn(event.old_location, t),
            newPlace: placeIn(event.new_location, t),
          });
        },
      });
      after = page.next ?? undefined;
    } while (after);
  }

  async reminder(event: ReminderDuePayload, busEventId: string): Promise<void> {
    const facts: EventFacts = {
      title: event.title,
      startDate: event.start_date,
      timezone: event.timezone,
      location: event.location,
    };
    await this.tellMany({
      memberIds: event.member_ids,
      kind: NotificationKind.REMINDER,
      busEventId,
      text: (target) => {
        const { t, title, when, place } = factsIn(facts, target.language);
        return t.notifications.reminder({ title, when, place });
      },
    });
  }

  /** Members' notification targets (unknown ids are absent), in requests of at most 1000. */
  async targetsOf(memberIds: readonly string[]): Promise<NotificationTarget[]> {
    const targets: NotificationTarget[] = [];
    for (let i = 0; i < memberIds.length; i += MAX_NOTIFICATION_TARGETS) {
      const chunk = memberIds.slice(i, i + MAX_NOTIFICATION_TARGETS);
      const answer = await this.bus.send(USERS.GET_NOTIFICATION_TARGETS, { member_ids: chunk });
      targets.push(...answer.targets);
    }
    return targets;
  }

  private async tellOne(p: {
    memberId: string;
    clubEventId: string;
    kind: NotificationKind;
    key: string;
    withBalance: boolean;
    text: (facts: ReturnType<typeof factsIn>, balance: number | null) => string;
  }): Promise<void> {
    const [target] = await this.targetsOf([p.memberId]);
    if (!target || !mayTell(target, p.kind)) {
      this.logger.debug({ memberId: p.memberId, kind: p.kind }, 'Notification skipped');
      return;
    }
    const facts = await this.eventFacts(p.clubEventId);
    if (!facts) {
      this.logger.warn(
        { eventId: p.clubEventId, kind: p.kind },
        'Notification about an unknown event',
      );
      return;
    }
    const balance = p.withBalance ? await this.balanceOf(p.memberId) : null;
    const text = p.text(factsIn(facts, target.language), balance);
    await this.queue.enqueue([outgoing({ key: p.key, target, kind: p.kind, text })]);
  }

  private async tellMany(p: {
    memberIds: readonly string[];
    kind: NotificationKind;
    busEventId: string;
    text: (target: NotificationTarget) => string;
  }): Promise<void> {
    const targets = await this.targetsOf(p.memberIds);
    const messages: OutgoingMessage[] = targets
      .filter((target) => mayTell(target, p.kind))
      .map((target) =>
        outgoing({
          key: notificationKey({ eventId: p.busEventId, memberId: target.member_id, kind: p.kind }),
          target,
          kind: p.kind,
          text: p.text(target),
        }),
      );
    await this.queue.enqueue(messages);
  }

  /** The event as the messages name it; undefined when it no longer exists. */
  private async eventFacts(eventId: string): Promise<EventFacts | undefined> {
    try {
      const event = await this.bus.send(EVENTS.GET, { event_id: eventId });
      return {
        title: event.title,
        startDate: event.start_date,
        timezone: event.timezone,
        location: event.location,
        price: event.price,
      };
    } catch (error) {
      if (busErrorCode(error) === ErrorCode.EVENT_NOT_FOUND) return undefined;
      throw error;
    }
  }

  /** The member's balance now; null when it cannot be read (the message goes without it). */
  private async balanceOf(memberId: string): Promise<number | null> {
    try {
      const { profile } = await this.bus.send(USERS.GET_PROFILE, { member_id: memberId });
      return profile.up_coins;
    } catch (error) {
      this.logger.warn({ err: error, memberId }, 'Balance unavailable; notifying without it');
      return null;
    }
  }
}
