import { Injectable } from '@nestjs/common';
import { BusClient } from '@up/bus';
import { USERS } from '@up/contracts';
import type { Reachability } from './delivery-worker';

/** A 403 from Telegram: the users service stops listing the member until they write again. */
@Injectable()
export class BusReachability implements Reachability {
  constructor(private readonly bus: BusClient) {}

  async markUnreachable(chatId: string): Promise<void> {
    await this.bus.send(USERS.SET_TELEGRAM_REACHABLE, { telegram_id: chatId, reachable: false });
  }
}
