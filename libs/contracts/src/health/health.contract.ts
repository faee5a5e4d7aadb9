import { requestPattern } from '../bus/message';

export type CheckStatus = 'up' | 'down';

export interface HealthReport {
  status: 'ok' | 'error';
  service: string;
  checks: Record<string, { status: CheckStatus; message?: string }>;
}

export class HealthRequestDto {}

/** Each bus service answers `<service>.health`, asked by the gateway's readiness. WIRE NAME. */
export function healthPattern(service: ServiceName) {
  return requestPattern<HealthRequestDto, HealthReport>(`${service}.health`, {
    callers: ['gateway'],
  });
}

export const SERVICES = ['users', 'auth-codes', 'events'] as const;
export type ServiceName = (typeof SERVICES)[number];
