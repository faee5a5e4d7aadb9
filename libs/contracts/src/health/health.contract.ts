import { BUS_PARTIES } from '../bus/access';
import { requestPattern } from '../bus/message';

export type CheckStatus = 'up' | 'down';

export interface HealthReport {
  status: 'ok' | 'error';
  service: string;
  checks: Record<string, { status: CheckStatus; message?: string }>;
}

export class HealthRequestDto {}

/**
 * Each bus service, and the bot, answers `<service>.health`, asked by the gateway's readiness and
 * by the container healthcheck (scripts/healthcheck.mjs, signing as the app it runs in). Every
 * party may ask: the answer reveals nothing and the request changes nothing. WIRE NAME.
 */
export function healthPattern(service: HealthServiceName) {
  return requestPattern<HealthRequestDto, HealthReport>(`${service}.health`, {
    callers: BUS_PARTIES,
  });
}

/** The services the gateway depends on (its readiness asks each). */
export const SERVICES = ['users', 'auth-codes', 'events'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Every app that answers a bus health pattern: the services, and the bot (nobody depends on it). */
export type HealthServiceName = ServiceName | 'bot';
