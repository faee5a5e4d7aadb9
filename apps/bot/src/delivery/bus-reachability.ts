import { Injectable } from '@nestjs/common';
import { BusClient } from '@up/bus';
import { USERS } from '@up/contracts';
import { ProfileInvalidation } from '../members/profile-invalidation';
import type { Reachability } from './delivery-worker';

/**
 * A 403 from Telegram: the users service stops listing the member until they write again. The
 * replicas' cached copies (which said reachable) are dropped, so the member's next message is
 * seen to come from an unreachable member and marks them reachable again.
 */
@Injectable()
export class BusReachability implements Reachability {
  constructor(
    private readonly bus: BusClient,
    private readonly invalidation: ProfileInvalidation,
  ) {}

  async markUnreachable(chatId: string): Promise<void> {
    await this.bus.send(USERS.SET_TELEGRAM_REACHABLE, { telegram_id: chatId, reachable: false });
    await this.invalidation.publish({ telegramId: Number(chatId) });
  }
}
