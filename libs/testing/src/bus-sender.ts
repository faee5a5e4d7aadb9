import { allowedSendersOf, BusMessageKind } from '@up/contracts';

/**
 * The party a test's own bus client signs a message as: the first one allowed to send it, so a
 * test can call any pattern the way its real caller does. Works only where development keys apply
 * (NODE_ENV=test), since it signs with keys of other parties.
 */
export function testBusSenderOf(kind: BusMessageKind, pattern: string): string {
  return allowedSendersOf(kind, pattern)?.[0] ?? 'test-client';
}
