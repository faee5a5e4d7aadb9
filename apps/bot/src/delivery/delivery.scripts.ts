/**
 * The delivery queue's Redis scripts. Each runs atomically in Redis, which is what makes the queue
 * safe across bot replicas: a claim, a begin-send and a finish each see and change one consistent
 * state, and all replicas share one clock (Redis `TIME`).
 *
 * Hand-written because no maintained package does this: Redis-backed rate limiters
 * (rate-limiter-flexible, bottleneck's Redis store) answer "may I send now?" for one key, but the
 * queue needs the global rate, the per-chat interval, a 429 pause and the claim of the message to
 * happen in one atomic step (otherwise two replicas can both pass the limiter for the same chat,
 * or take a slot and then lose the message), and BullMQ's limiter is per queue, not per chat. The
 * rate is paced by a GCRA-style schedule: each claim takes the next send slot, `spacing` ms after
 * the last, so sends are evenly spread instead of bursting at the start of each second; and it is
 * enforced when a send begins by counting the sends that may reach Telegram within a second of it
 * (see BEGIN), so a late worker neither wastes its slot nor pushes any second over the rate,
 * whatever the delays between the workers, Redis and Telegram.
 *
 * Keys (all under one hash tag, so the scripts also run on a Redis Cluster):
 *   msg:<key>    hash  the message and its state: queued | claimed | sending | sent | failed | blocked
 *   ready/urgent zset  queued keys by the time they may be sent (urgent is the priority lane)
 *   inflight     zset  claimed/sending keys by lease expiry
 *   tat          str   the next free global send slot (ms)
 *   flying       zset  messages whose HTTP call is under way (sending), by when it began
 *   answered     zset  sends answered within the last second, by the latest time they can have
 *                      reached Telegram (the answer's arrival)
 *   chat:<id>    str   when that chat may get its next message (ms)
 *   hold:<id>    str   a 429's retry_after for that chat (ms)
 *   pause        str   a global 429 pause (ms)
 *   r429         zset  chats that got a 429 in the last second (to tell a global flood)
 *   dead         stream dead letters and uncertain sends, for operators
 *   bc:<id>      hash  a broadcast's counters;  bcs  zset  broadcast ids by creation time
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Broadcast bookkeeping shared by the scripts that end a message. */
const BROADCAST_DONE = `
local function broadcastDone(base, bc, field, now)
  if not bc or bc == '' then return end
  local bk = base .. 'bc:' .. bc
  if redis.call('EXISTS', bk) == 0 then return end
  local queued = redis.call('HINCRBY', bk, 'queued', -1)
  redis.call('HINCRBY', bk, field, 1)
  if queued <= 0 then
    local h = redis.call('HMGET', bk, 'total', 'enqueued', 'finished_at')
    if tonumber(h[2] or '0') >= tonumber(h[1] or '0') and (not h[3] or h[3] == '') then
      redis.call('HSET', bk, 'finished_at', now)
    end
  end
end
`;

/** ARGV: base, JSON array of messages. Returns how many were new (a known key is skipped). */
export const ENQUEUE = `
${NOW}
local base = ARGV[1]
local messages = cjson.decode(ARGV[2])
local added = 0
for _, m in ipairs(messages) do
  local mk = base .. 'msg:' .. m.key
  if redis.call('EXISTS', mk) == 0 then
    local lane = m.priority and 'urgent' or 'ready'
    redis.call('HSET', mk, 'chat', m.chatId, 'kind', m.kind, 'text', m.text, 'state', 'queued',
      'lane', lane, 'attempts', 0, 'limited', 0, 'created', now,
      'parse', m.parseMode or '', 'markup', m.markup or '', 'member', m.memberId or '',
      'bc', m.broadcastId or '')
    redis.call('ZADD', base .. lane, now, m.key)
    if m.broadcastId then
      local bk = base .. 'bc:' .. m.broadcastId
      if redis.call('EXISTS', bk) == 1 then
        redis.call('HINCRBY', bk, 'queued', 1)
        local enq = redis.call('HINCRBY', bk, 'enqueued', 1)
        if enq > tonumber(redis.call('HGET', bk, 'total') or '0') then
          redis.call('HSET', bk, 'total', enq)
        end
      end
    end
    added = added + 1
  end
end
return added
`;

/**
 * ARGV: base, worker, spacing ms (float), chat interval ms, horizon ms, claim lease ms, max.
 * Takes up to `max` messages whose time has come, each with its own send slot within the next
 * `horizon` ms; a message whose chat is not free yet is moved to when it is.
 * Returns {now, waitMs, {key, slot, chat, kind, text, parse, markup, member, bc, attempts}...}.
 */
export const CLAIM = `
${NOW}
local base, worker = ARGV[1], ARGV[2]
local spacing, chatInterval = tonumber(ARGV[3]), tonumber(ARGV[4])
local horizon, lease, max = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local pause = tonumber(redis.call('GET', base .. 'pause') or '0')
if pause > now then return {now, pause - now} end
local tat = tonumber(redis.call('GET', base .. 'tat') or '0')
if tat < now then tat = now end
local out = {now, 0}
local claimed, scanned = 0, 0
while claimed < max and tat <= now + horizon and scanned < max * 4 do
  local key, lane
  for _, l in ipairs({'urgent', 'ready'}) do
    local r = redis.call('ZRANGEBYSCORE', base .. l, '-inf', now, 'LIMIT', 0, 1)
    if r[1] then key, lane = r[1], l; break end
  end
  if not key then break end
  scanned = scanned + 1
  local mk = base .. 'msg:' .. key
  local m = redis.call('HMGET', mk, 'chat', 'kind', 'text', 'parse', 'markup', 'member', 'bc',
    'attempts', 'state')
  if not m[1] or m[9] ~= 'queued' then
    redis.call('ZREM', base .. lane, key)
  else
    local slot = math.floor(tat)
    local free = math.max(tonumber(redis.call('GET', base .. 'chat:' .. m[1]) or '0'),
      tonumber(redis.call('GET', base .. 'hold:' .. m[1]) or '0'))
    if free > slot then
      redis.call('ZADD', base .. lane, free, key)
    else
      redis.call('ZREM', base .. lane, key)
      redis.call('SET', base .. 'chat:' .. m[1], slot + chatInterval, 'PX',
        math.floor(slot - now + chatInterval + 1000))
      redis.call('HSET', mk, 'state', 'claimed', 'owner', worker, 'slot', slot)
      redis.call('ZADD', base .. 'inflight', slot + lease, key)
      tat = tat + spacing
      claimed = claimed + 1
      out[#out + 1] = {key, slot, m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]}
    end
  end
end
redis.call('SET', base .. 'tat', string.format('%.3f', tat), 'PX', math.floor(tat - now + 60000))
if claimed == 0 then
  local wait = 1000
  if tat > now + horizon then wait = tat - now - horizon end
  for _, l in ipairs({'urgent', 'ready'}) do
    local first = redis.call('ZRANGE', base .. l, 0, 0, 'WITHSCORES')
    if first[2] then wait = math.min(wait, math.max(0, tonumber(first[2]) - now)) end
  end
  out[2] = math.floor(wait)
end
return out
`;

/**
 * ARGV: base, worker, send lease ms, late ms, spacing ms, chat interval ms, claim lease ms, rate,
 * then the keys (a worker begins every message whose slot has come in one call).
 * Right before the HTTP calls: each claim must still be this worker's; a 429 pause that began
 * since the claim sends the message back to the queue. Then the rate: a message reaches Telegram
 * at some moment between the begin of its send and the arrival of the answer, so a one-second
 * window at Telegram that holds this send can also hold only sends still under way (`flying`) and
 * sends answered within the last second (`answered`). The send goes only while those are fewer
 * than `rate`; otherwise it waits for the oldest answer to leave the second. That holds whatever
 * the delays (a stalled worker, a slow network, a slow Telegram), and no more: the slots only pace
 * the sends. So a worker that reaches its slot late still sends (its missed slot left the room),
 * and one too late for it (a stalled process) gets a fresh slot rather than making up a backlog in
 * a burst. A message sent after its slot moves its chat's next free time on, so the per-chat gap
 * holds from the real send. Then the state becomes `sending`: from here on, a crash leaves the
 * message's fate unknown (see DeliveryWorker).
 * Returns, per key in order, {'go'} | {'lost'} | {'requeued', ms} | {'wait', ms}.
 */
export const BEGIN = `
${NOW}
local base, worker = ARGV[1], ARGV[2]
local sendLease, late, spacing = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local chatInterval, lease, rate = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local pause = tonumber(redis.call('GET', base .. 'pause') or '0')
local fk, ak = base .. 'flying', base .. 'answered'
redis.call('ZREMRANGEBYSCORE', ak, '-inf', now - 1000)
-- A send under way longer than its lease is RECOVER's (this only guards against leftovers).
redis.call('ZREMRANGEBYSCORE', fk, '-inf', now - sendLease - 5000)
local answered = redis.call('ZCARD', ak)
local count = redis.call('ZCARD', fk) + answered
local waiting = 0
local out = {}
for i = 9, #ARGV do
  local key = ARGV[i]
  local mk = base .. 'msg:' .. key
  local m = redis.call('HMGET', mk, 'state', 'owner', 'slot', 'chat', 'lane')
  local r
  if m[1] ~= 'claimed' or m[2] ~= worker then
    r = {'lost'}
  else
    local slot = tonumber(m[3])
    local held = math.max(pause, tonumber(redis.call('GET', base .. 'hold:' .. m[4]) or '0'))
    if held > now then
      redis.call('HSET', mk, 'state', 'queued', 'owner', '')
      redis.call('ZREM', base .. 'inflight', key)
      redis.call('ZADD', base .. m[5], held, key)
      r = {'requeued', held - now}
    elseif now < slot then
      r = {'wait', slot - now}
    else
      if now > slot + late then
        local tat = math.max(tonumber(redis.call('GET', base .. 'tat') or '0'), now)
        slot = math.floor(tat)
        redis.call('SET', base .. 'tat', string.format('%.3f', tat + spacing), 'PX',
          math.floor(tat + spacing - now + 60000))
        redis.call('SET', base .. 'chat:' .. m[4], slot + chatInterval, 'PX',
          math.floor(slot - now + chatInterval + 1000))
        redis.call('HSET', mk, 'slot', slot)
        redis.call('ZADD', base .. 'inflight', slot + lease, key)
        if slot > now then r = {'wait', slot - now} end
      end
      if not r and count >= rate then
        -- When there is room for this one: once enough answers are over a second old, each
        -- waiter of this call one answer later than the one before (so they do not all come back
        -- at once); if the sends under way are the rate's worth by themselves, after a while (a
        -- slow Telegram: asking again every few ms would only load the worker and Redis).
        local leaving = count - rate + waiting
        waiting = waiting + 1
        local ms = 50 + waiting
        if leaving < answered then
          local oldest = redis.call('ZRANGE', ak, leaving, leaving, 'WITHSCORES')
          ms = math.max(1, math.floor(tonumber(oldest[2]) + 1000 - now + 1))
        end
        r = {'wait', ms}
      end
      if not r then
        if now > slot then
          local ck = base .. 'chat:' .. m[4]
          if tonumber(redis.call('GET', ck) or '0') < now + chatInterval then
            redis.call('SET', ck, now + chatInterval, 'PX', chatInterval + 1000)
          end
        end
        redis.call('ZADD', fk, now, key)
        count = count + 1
        redis.call('HSET', mk, 'state', 'sending')
        redis.call('ZADD', base .. 'inflight', now + sendLease, key)
        r = {'go'}
      end
    end
  end
  out[#out + 1] = r
end
redis.call('PEXPIRE', fk, sendLease + 60000)
return out
`;

/**
 * ARGV: base, key, worker, outcome, retention ms, reason, answer age ms, extra.
 * outcome: sent | blocked | failed | retry (extra = delay ms, after ARGV[9] = max attempts)
 *        | limited (extra = retry_after ms; ARGV[9] = max 429s; ARGV[10] = chats for a global pause)
 * Only the worker whose `sending` it is may finish a message: a recovered one is left alone.
 * Whatever the outcome, the send counts for the rate (see BEGIN) until a second after its answer
 * arrived (`answer age` ms ago).
 * Returns {result, kind, chat, member, bc} with result sent | blocked | failed | retry | limited |
 * paused (a 429 that paused everything) | lost.
 */
export const FINISH = `
${NOW}
${BROADCAST_DONE}
local base, key, worker, outcome = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local retention, reason, age = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
local extra = tonumber(ARGV[8] or '0')
local mk = base .. 'msg:' .. key
local m = redis.call('HMGET', mk, 'state', 'owner', 'kind', 'chat', 'member', 'bc', 'lane',
  'attempts', 'limited')
if m[1] ~= 'sending' or m[2] ~= worker then return {'lost'} end
if redis.call('ZREM', base .. 'flying', key) == 1 then
  local answeredAt = now - math.max(0, age)
  redis.call('ZADD', base .. 'answered', answeredAt, key .. ':' .. answeredAt)
  redis.call('PEXPIRE', base .. 'answered', 2000)
end
local info = {m[3], m[4], m[5], m[6]}
local function final(state, counter)
  redis.call('HSET', mk, 'state', state, 'owner', '', 'error', reason, 'done', now)
  redis.call('HDEL', mk, 'text', 'markup')
  redis.call('PEXPIRE', mk, retention)
  redis.call('ZREM', base .. 'inflight', key)
  broadcastDone(base, m[6], counter, now)
end
local function dead(why)
  final('failed', 'failed')
  redis.call('XADD', base .. 'dead', 'MAXLEN', '~', 10000, '*', 'key', key, 'chat', m[4],
    'kind', m[3], 'member', m[5], 'outcome', 'failed', 'reason', why,
    'attempts', redis.call('HGET', mk, 'attempts'))
end
local function requeue(at)
  redis.call('HSET', mk, 'state', 'queued', 'owner', '', 'error', reason)
  redis.call('ZREM', base .. 'inflight', key)
  redis.call('ZADD', base .. m[7], at, key)
end
local result = outcome
if outcome == 'sent' then
  final('sent', 'sent')
elseif outcome == 'blocked' then
  final('blocked', 'blocked')
elseif outcome == 'failed' then
  dead(reason)
elseif outcome == 'retry' then
  local attempts = redis.call('HINCRBY', mk, 'attempts', 1)
  if attempts >= tonumber(ARGV[9]) then
    dead(reason)
    result = 'failed'
  else
    requeue(now + extra)
  end
elseif outcome == 'limited' then
  local limited = redis.call('HINCRBY', mk, 'limited', 1)
  local resume = now + extra
  local hk = base .. 'hold:' .. m[4]
  if tonumber(redis.call('GET', hk) or '0') < resume then
    redis.call('SET', hk, resume, 'PX', extra + 1000)
  end
  -- Telegram does not say whether a 429 is about one chat or the whole bot; 429s for several
  -- chats within a second mean the bot as a whole is over the limit: everything waits.
  local rk = base .. 'r429'
  redis.call('ZADD', rk, now, m[4])
  redis.call('ZREMRANGEBYSCORE', rk, '-inf', now - 1000)
  redis.call('PEXPIRE', rk, 2000)
  if redis.call('ZCARD', rk) >= tonumber(ARGV[10]) then
    local pk = base .. 'pause'
    if tonumber(redis.call('GET', pk) or '0') < resume then
      redis.call('SET', pk, resume, 'PX', extra + 1000)
      result = 'paused'
    end
  end
  if limited >= tonumber(ARGV[9]) then
    dead(reason)
    result = 'failed'
  else
    requeue(resume)
  end
end
return {result, info[1], info[2], info[3], info[4]}
`;

/**
 * ARGV: base, retention ms, max. Leases that ran out: a `claimed` message was never handed to
 * Telegram, so it goes back to the queue; a `sending` one may or may not have reached Telegram (its
 * worker died during the HTTP call). That one is not sent again (at most once): it is counted as
 * sent and recorded in the dead-letter stream as `uncertain` for operators.
 * Returns {{key, 'requeued' | 'uncertain', kind, chat}...}.
 */
export const RECOVER = `
${NOW}
${BROADCAST_DONE}
local base, retention, max = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', base .. 'inflight', '-inf', now, 'LIMIT', 0, max)
local out = {}
for _, key in ipairs(expired) do
  local mk = base .. 'msg:' .. key
  local m = redis.call('HMGET', mk, 'state', 'lane', 'kind', 'chat', 'member', 'bc', 'owner')
  redis.call('ZREM', base .. 'inflight', key)
  if m[1] == 'claimed' then
    redis.call('HSET', mk, 'state', 'queued', 'owner', '')
    redis.call('ZADD', base .. m[2], now, key)
    out[#out + 1] = {key, 'requeued', m[3], m[4]}
  elseif m[1] == 'sending' then
    -- No answer will come: it counts for the rate as if answered now.
    if redis.call('ZREM', base .. 'flying', key) == 1 then
      redis.call('ZADD', base .. 'answered', now, key .. ':' .. now)
      redis.call('PEXPIRE', base .. 'answered', 2000)
    end
    redis.call('HSET', mk, 'state', 'sent', 'owner', '', 'error', 'uncertain', 'done', now)
    redis.call('HDEL', mk, 'text', 'markup')
    redis.call('PEXPIRE', mk, retention)
    broadcastDone(base, m[6], 'sent', now)
    redis.call('XADD', base .. 'dead', 'MAXLEN', '~', 10000, '*', 'key', key, 'chat', m[4],
      'kind', m[3], 'member', m[5], 'outcome', 'uncertain',
      'reason', 'worker ' .. (m[7] or '?') .. ' stopped during the send: delivered or not, unknown')
    out[#out + 1] = {key, 'uncertain', m[3], m[4]}
  end
end
return out
`;

/** ARGV: base, id, kind, event id, title, total, keep (broadcasts listed), retention ms. */
export const START_BROADCAST = `
${NOW}
local base, id = ARGV[1], ARGV[2]
local bk = base .. 'bc:' .. id
-- A caller-chosen id started again (a redelivered event): the broadcast goes on as it is.
if redis.call('EXISTS', bk) == 1 then return now end
redis.call('HSET', bk, 'kind', ARGV[3], 'event_id', ARGV[4], 'title', ARGV[5], 'created', now,
  'total', ARGV[6], 'enqueued', 0, 'queued', 0, 'sent', 0, 'failed', 0, 'blocked', 0)
redis.call('PEXPIRE', bk, tonumber(ARGV[8]))
redis.call('ZADD', base .. 'bcs', now, id)
redis.call('ZREMRANGEBYRANK', base .. 'bcs', 0, -1 - tonumber(ARGV[7]))
if tonumber(ARGV[6]) == 0 then redis.call('HSET', bk, 'finished_at', now) end
return now
`;

/**
 * ARGV: base, retention ms, keys... Records keys as already answered (a member got the message
 * another way, e.g. as the reply to their button press): a later enqueue of them is a no-op. A key
 * already in the queue stays as it is. Returns how many were recorded.
 */
export const MARK_ANSWERED = `
local base, retention = ARGV[1], tonumber(ARGV[2])
local marked = 0
for i = 3, #ARGV do
  local mk = base .. 'msg:' .. ARGV[i]
  if redis.call('EXISTS', mk) == 0 then
    redis.call('HSET', mk, 'state', 'answered')
    redis.call('PEXPIRE', mk, retention)
    marked = marked + 1
  end
end
return marked
`;
