import { Injectable, Logger } from '@nestjs/common';
import { BusClient } from '@up/bus';
import { EventName } from '@up/contracts';

/**
 * Publishes the service's bus events after the change they describe has committed. They feed
 * notifications, not money or seats, so a failed publish is logged (with the event) rather than
 * failing a request whose change is already made; there is no outbox.
 */
@Injectable()
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);

  constructor(private readonly bus: BusClient) {}

  async publish<TPayload>(event: EventName<TPayload>, payload: NoInfer<TPayload>): Promise<void> {
    try {
      await this.bus.emit(event, payload);
    } catch (error) {
      this.logger.error({ err: error, event, payload }, `bus event ${event} not published`);
    }
  }
}
