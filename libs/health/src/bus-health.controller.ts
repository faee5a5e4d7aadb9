import { Controller, Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { HealthReport, healthPattern, HealthServiceName } from '@up/contracts';
import { ServiceHealth } from './service-health';

/**
 * The handler of `<service>.health`. The pattern is the service's own, so the controller class is
 * made per service.
 */
export function busHealthController(service: HealthServiceName): Type<unknown> {
  @Controller()
  class BusHealthController {
    constructor(private readonly health: ServiceHealth) {}

    @MessagePattern(healthPattern(service))
    check(): Promise<HealthReport> {
      return this.health.report(service);
    }
  }
  return BusHealthController;
}
