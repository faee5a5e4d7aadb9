import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  BOT,
  DEFAULT_BROADCASTS_LIMIT,
  ListBroadcastsDto,
  ListBroadcastsResult,
} from '@up/contracts';
import { DeliveryQueue } from './delivery-queue';

@Controller()
export class BroadcastsController {
  constructor(private readonly queue: DeliveryQueue) {}

  @MessagePattern(BOT.LIST_BROADCASTS)
  async list(@Payload() request: ListBroadcastsDto): Promise<ListBroadcastsResult> {
    return {
      broadcasts: await this.queue.listBroadcasts(request.limit ?? DEFAULT_BROADCASTS_LIMIT),
    };
  }
}
