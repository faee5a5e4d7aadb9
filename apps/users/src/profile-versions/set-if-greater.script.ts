/**
 * Sets the key to ARGV[1] only if that is greater than the stored version, so that two commits
 * published out of order never leave the older version behind; refreshes the expiry either way.
 */
export const SET_IF_GREATER = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local candidate = tonumber(ARGV[1])
if candidate > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 0
`;
