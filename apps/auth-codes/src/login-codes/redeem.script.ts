/**
 * Consumes a code atomically. KEYS[1] the code's key; ARGV[1] the telegram_id presented, or ''.
 * Returns nil (unknown, expired or already used), 0 (the presented telegram_id differs from the
 * one the code was issued for: the code is left in place) or the stored value (and deletes it).
 * One script, so two redemptions can never both see the value: Redis runs scripts one at a time.
 */
export const REDEEM_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
local separator = string.find(value, ':', 1, true)
if ARGV[1] ~= '' then
  if string.sub(value, separator + 1) ~= ARGV[1] then return 0 end
end
redis.call('DEL', KEYS[1])
return value
`;
