import { Injectable, Logger } from '@nestjs/common';
import { BusClient } from '@up/bus';
import {
  EventCreatedPayload,
  MAX_NOTIFICATION_TARGETS,
  NotificationTarget,
  USERS,
} from '@up/contracts';
import { DeliveryQueue } from '../delivery/delivery-queue';
import {
  factsIn,
  mayTell,
  NotificationKind,
  notificationKey,
  outgoing,
} from './notifications.format';

/** One broadcast record per announced event, whichever delivery of `event.created` makes it. */
export function announcementBroadcastId(eventId: string): string {
  return `announcement:${eventId}`;
}

/**
 * A new active event, announced to every member who has announcements on (and a reachable chat):
 * the recipients are read page by page (keyset, 1000 a page), counted into one broadcast
 * (`bot.list_broadcasts`, `GET /api/admin/broadcasts`), and enqueued with the keys event id +
 * member + `announcement`. A redelivered `event.created` (say the replica died halfway) finds the
 * same broadcast and enqueues only the keys that are not in the queue yet: nobody is left out and
 * nobody gets it twice.
 */
@Injectable()
export class AnnouncementsService {
  private readonly logger = new Logger(AnnouncementsService.name);

  constructor(
    private readonly bus: BusClient,
    private readonly queue: DeliveryQueue,
  ) {}

  async announce(event: EventCreatedPayload): Promise<void> {
    if (!event.is_active) return;
    // The count comes first: a broadcast is finished once `total` messages are final, so the total
    // must be known before the first message can go out. 10,000 targets are ~2 MB in memory.
    const targets = (await this.recipients()).filter((target) =>
      mayTell(target, NotificationKind.ANNOUNCEMENT),
    );
    const broadcastId = await this.queue.startBroadcast({
      id: announcementBroadcastId(event.event_id),
      kind: NotificationKind.ANNOUNCEMENT,
      eventId: event.event_id,
      title: event.title,
      total: targets.length,
    });
    const facts = {
      title: event.title,
      startDate: event.start_date,
      timezone: event.timezone,
      location: event.location,
      price: event.price,
    };
    let added = 0;
    for (let i = 0; i < targets.length; i += MAX_NOTIFICATION_TARGETS) {
      const page = targets.slice(i, i + MAX_NOTIFICATION_TARGETS);
      added += await this.queue.enqueue(
        page.map((target) => {
          const { t, title, when, place, price } = factsIn(facts, target.language);
          return outgoing({
            key: notificationKey({
              eventId: event.event_id,
              memberId: target.member_id,
              kind: NotificationKind.ANNOUNCEMENT,
            }),
            target,
            kind: NotificationKind.ANNOUNCEMENT,
            text: t.notifications.announcement({ title, when, place, price }),
            broadcastId,
          });
        }),
      );
    }
    this.logger.log(
      { eventId: event.event_id, broadcastId, recipients: targets.length, enqueued: added },
      'Announcement enqueued',
    );
  }

  private async recipients(): Promise<NotificationTarget[]> {
    const all: NotificationTarget[] = [];
    let after: string | undefined;
    do {
      const page = await this.bus.send(USERS.LIST_ANNOUNCEMENT_TARGETS, {
        limit: MAX_NOTIFICATION_TARGETS,
        ...(after ? { after } : {}),
      });
      all.push(...page.targets);
      after = page.next ?? undefined;
    } while (after);
    return all;
  }
}
