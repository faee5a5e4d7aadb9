/**
 * Inline-button payloads of the events feature. Telegram caps callback data at 64 bytes, so they
 * are compact: `ev:<action>:<event id as 22 base64url chars>:<page offset in base36>` (at most
 * 32 bytes) and `ev:p:<offset>` for page buttons. The offset travels with the action so the list
 * the button belongs to can be redrawn after a join or leave.
 *
 * WIRE NAMES: buttons already sent stay in chats, so an action's code is never reused or renamed.
 */
export const EVENTS_CALLBACK_PREFIX = 'ev:';

export type EventAction = 'join' | 'leave' | 'more' | 'joinWaitlist' | 'leaveWaitlist';

export type EventsCallback =
  { kind: 'page'; offset: number } | { kind: EventAction; eventId: string; offset: number };

const ACTION_CODES: Record<EventAction, string> = {
  join: 'j',
  leave: 'l',
  more: 'm',
  joinWaitlist: 'w',
  leaveWaitlist: 'x',
};
const ACTIONS_BY_CODE = new Map(
  Object.entries(ACTION_CODES).map(([action, code]) => [code, action as EventAction]),
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function compactUuid(uuid: string): string {
  if (!UUID.test(uuid)) throw new Error(`Not a UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

function expandUuid(compact: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{22}$/.test(compact)) return undefined;
  const hex = Buffer.from(compact, 'base64url').toString('hex');
  if (hex.length !== 32) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function encodeEventsCallback(callback: EventsCallback): string {
  const offset = callback.offset.toString(36);
  if (callback.kind === 'page') return `${EVENTS_CALLBACK_PREFIX}p:${offset}`;
  return `${EVENTS_CALLBACK_PREFIX}${ACTION_CODES[callback.kind]}:${compactUuid(callback.eventId)}:${offset}`;
}

/** The callback a button carried, or undefined for anything this version did not produce. */
export function decodeEventsCallback(data: string): EventsCallback | undefined {
  if (!data.startsWith(EVENTS_CALLBACK_PREFIX)) return undefined;
  const parts = data.slice(EVENTS_CALLBACK_PREFIX.length).split(':');
  const offsetOf = (value: string | undefined): number | undefined =>
    value !== undefined && /^[0-9a-z]{1,8}$/.test(value) ? parseInt(value, 36) : undefined;

  if (parts[0] === 'p' && parts.length === 2) {
    const offset = offsetOf(parts[1]);
    return offset === undefined ? undefined : { kind: 'page', offset };
  }
  const kind = ACTIONS_BY_CODE.get(parts[0]);
  if (!kind || parts.length !== 3) return undefined;
  const eventId = expandUuid(parts[1]);
  const offset = offsetOf(parts[2]);
  if (!eventId || offset === undefined) return undefined;
  return { kind, eventId, offset };
}
