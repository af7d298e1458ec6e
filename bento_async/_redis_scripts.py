"""The two server-side Lua scripts of the Redis limiter backend, and how to read their replies.

Both read the time from Redis itself (``TIME``), so the clocks of the machines sharing a
quota never matter. Times are seconds since 2023-11-14 (``EPOCH``), kept to the
microsecond in a double, and stored with 17 significant digits so nothing is rounded.

``RESERVE`` (keys: the family's gate, its bucket, the email log) decides one request:

1. The gate. While a cooldown runs, the answer is "wait" with the seconds left. After a
   cooldown, the first request through becomes the probe (it holds a lease until it
   settles, or the lease runs out); the others wait until the probe's answer was not a 429.
2. The departure time ``T``: the earliest moment at which both the family's leaky bucket
   (capacity ``burst``, draining ``(limit - burst) / period`` per second, the in-process
   rule) has room for one more request and the email log (every email sent in the last
   ``period``, the server's own sliding-window rule) has room for ``emails`` more. A
   bucket's state may lie in the future (requests already booked); ``T`` never comes
   before it, so departures are booked first come, first served.
3. If ``T - now`` exceeds ``max_wait``, nothing is booked and the answer is "refused"
   with the wait; otherwise the request and its emails are booked at ``T`` and the
   answer is "go in ``T - now`` seconds". The caller sleeps that long and, when it had
   to wait, asks ``RESERVE`` again in ``admit`` mode (the gate only) before sending.

Booking each request and its emails at the moment it leaves keeps the in-process
argument intact across processes: at every departure the bucket's level is at most its
capacity, so no window of ``period`` sees more than ``limit`` requests, and the email log
never holds more than its limit in any window.

``SETTLE`` (keys: the gate) reports a probe's outcome: any answer but a 429 closes the
episode; a 429 leaves it open (its cooldown was already recorded by ``COOL``).
``COOL`` opens (or extends) a cooldown and asks for a probe when it ends.
"""

from __future__ import annotations

__all__ = ["COOL", "EPOCH", "GO", "REFUSED", "RESERVE", "SETTLE", "WAIT"]

EPOCH = 1_700_000_000
GO, REFUSED, WAIT = 0, 1, 2

_PRELUDE = """
local t = redis.call('TIME')
local now = (tonumber(t[1]) - EPOCH) + tonumber(t[2]) / 1000000
local function f(x) return string.format('%.17g', x) end
""".replace("EPOCH", str(EPOCH))

# KEYS: gate, bucket, emails log.
# ARGV: mode ('reserve' | 'admit'), token, lease, cap, rate, email_limit, email_period,
#       emails, max_wait (negative: none), poll.
RESERVE = (
    _PRELUDE
    + """
local gate, bucket, log = KEYS[1], KEYS[2], KEYS[3]
local mode, token, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local poll = tonumber(ARGV[10])
local g = redis.call('HMGET', gate, 'until', 'needs', 'probe', 'lease')
local untl = tonumber(g[1]) or 0
if untl > now then return {2, f(untl - now), 0} end
local probe = 0
if g[2] == '1' then
  local held = tonumber(g[4]) or 0
  if g[3] == token then
    probe = 1
  elseif g[3] and held > now then
    return {2, f(math.min(poll, held - now)), 0}
  else
    probe = 1
  end
end
if mode == 'admit' then
  if probe == 1 and g[3] ~= token then
    redis.call('HSET', gate, 'probe', token, 'lease', f(now + lease))
  end
  return {0, '0', probe}
end
local cap, rate = tonumber(ARGV[4]), tonumber(ARGV[5])
local elimit, eperiod = tonumber(ARGV[6]), tonumber(ARGV[7])
local emails, max_wait = tonumber(ARGV[8]), tonumber(ARGV[9])
local go = now
local level, ts = 0, now
if rate > 0 then
  local b = redis.call('HMGET', bucket, 'level', 'ts')
  level = tonumber(b[1]) or 0
  ts = tonumber(b[2]) or now
  local base = math.max(now, ts)
  local drained = math.max(0, level - (base - ts) * rate)
  go = math.max(go, base + math.max(0, (drained + 1 - cap) / rate))
end
if emails > 0 and elimit > 0 then
  redis.call('ZREMRANGEBYSCORE', log, '-inf', f(now - eperiod))
  local last = redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')
  if last[2] then go = math.max(go, tonumber(last[2])) end
  local excess = redis.call('ZCARD', log) + math.min(emails, elimit) - elimit
  if excess > 0 then
    local leaving = redis.call('ZRANGE', log, excess - 1, excess - 1, 'WITHSCORES')
    go = math.max(go, tonumber(leaving[2]) + eperiod + 1e-6)
  end
end
local wait = go - now
if max_wait >= 0 and wait > max_wait then return {1, f(wait), 0} end
if rate > 0 then
  local left = math.max(0, level - (go - ts) * rate) + 1
  redis.call('HSET', bucket, 'level', f(left), 'ts', f(go))
  redis.call('PEXPIRE', bucket, math.ceil((wait + left / rate) * 1000) + 1000)
end
if emails > 0 and elimit > 0 then
  local members = {}
  for i = 1, emails do
    members[#members + 1] = f(go)
    members[#members + 1] = token .. ':' .. i
  end
  redis.call('ZADD', log, unpack(members))
  redis.call('PEXPIRE', log, math.ceil((wait + eperiod) * 1000) + 1000)
end
if probe == 1 then
  redis.call('HSET', gate, 'probe', token, 'lease', f(go + lease))
end
return {0, f(wait), probe}
"""
)

# KEYS: gate. ARGV: delay, lease.
COOL = (
    _PRELUDE
    + """
local gate = KEYS[1]
local untl = math.max(tonumber(redis.call('HGET', gate, 'until')) or 0, now + tonumber(ARGV[1]))
redis.call('HSET', gate, 'until', f(untl), 'needs', '1')
redis.call('PEXPIRE', gate, math.ceil((untl - now + tonumber(ARGV[2])) * 1000) + 60000)
return f(untl - now)
"""
)

# KEYS: gate. ARGV: token, outcome ('429' | 'ok' | 'unknown').
SETTLE = """
local gate = KEYS[1]
if redis.call('HGET', gate, 'probe') ~= ARGV[1] then return 0 end
redis.call('HDEL', gate, 'probe', 'lease')
if ARGV[2] == 'ok' then redis.call('HDEL', gate, 'needs') end
return 1
"""
