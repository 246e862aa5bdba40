"""The per-company, per-channel send rate, shared by every worker through Redis.

A channel's ``options["rate_per_second"]`` (0 or absent: no limit) caps its
sends. The limit is a fixed one-second window counted in Redis by one Lua
script (atomic, the window taken from Redis's own clock, so workers on hosts
with skewed clocks still share one window): ``INCR`` the window's key; within
the limit the send goes at once, else the script answers how many ms remain in
the window and the worker sleeps that long and asks again. Without Redis (the
in-process broker of development and tests) a process-local window does the
same for one process.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

SCRIPT = """
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local key = KEYS[1] .. ':' .. math.floor(now_ms / 1000)
local n = redis.call('INCR', key)
if n == 1 then redis.call('PEXPIRE', key, 2000) end
if n <= tonumber(ARGV[1]) then return 0 end
return 1000 - (now_ms % 1000)
"""

# A reservation of up to ARGV[2] sends in one call: {granted, ms to wait when none,
# ms left in the window the grant belongs to}.
# What is not granted is given back, so the window counts only real sends.
BATCH_SCRIPT = """
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local key = KEYS[1] .. ':' .. math.floor(now_ms / 1000)
local limit = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local n = redis.call('INCRBY', key, want)
if n == want then redis.call('PEXPIRE', key, 2000) end
local before = n - want
local granted = math.max(0, math.min(want, limit - before))
if granted < want then redis.call('DECRBY', key, want - granted) end
if granted > 0 then return {granted, 0, 1000 - (now_ms % 1000)} end
return {0, 1000 - (now_ms % 1000), 0}
"""

_client = None
_script = None
_batch_script = None
_lock = threading.Lock()
_local: dict[str, tuple[int, int]] = {}


def rate_of(channel) -> int:
    try:
        return max(0, int((channel.options or {}).get("rate_per_second") or 0))
    except (TypeError, ValueError):
        return 0


def _redis_script():
    global _client, _script
    if _script is None:
        import redis

        _client = redis.Redis.from_url(settings.REDIS_URL)
        _script = _client.register_script(SCRIPT)
    return _script


def _local_wait(key: str, limit: int) -> int:
    with _lock:
        now_ms = int(time.time() * 1000)
        window = now_ms // 1000
        seen_window, count = _local.get(key, (window, 0))
        if seen_window != window:
            count = 0
        count += 1
        _local[key] = (window, count)
        return 0 if count <= limit else 1000 - now_ms % 1000


def wait_ms(channel, limit: int) -> int:
    """Take one send of ``channel``'s window: 0 (go) or the ms to wait before asking again."""
    key = f"shanghui:rate:{channel.tenant_id}:{channel.pk}"
    if getattr(settings, "REDIS_URL", ""):
        return int(_redis_script()(keys=[key], args=[limit]))
    return _local_wait(key, limit)


def take(channel, sleep=time.sleep) -> None:
    """Block until ``channel`` may send one more message (returns at once without a limit)."""
    limit = rate_of(channel)
    if not limit:
        return
    while True:
        wait = wait_ms(channel, limit)
        if not wait:
            return
        sleep(wait / 1000 + 0.001)


def _redis_batch_script():
    global _batch_script
    if _batch_script is None:
        _redis_script()
        _batch_script = _client.register_script(BATCH_SCRIPT)
    return _batch_script


def _local_reserve(key: str, limit: int, want: int) -> tuple[int, int, int]:
    with _lock:
        now_ms = int(time.time() * 1000)
        window = now_ms // 1000
        seen_window, count = _local.get(key, (window, 0))
        if seen_window != window:
            count = 0
        granted = max(0, min(want, limit - count))
        _local[key] = (window, count + granted)
        left = 1000 - now_ms % 1000
        return granted, 0 if granted else left, left if granted else 0


def reserve(channel, want: int, sleep=time.sleep) -> tuple[int, float]:
    """Block until ``channel`` may send at least one more message; returns how many of
    ``want`` it may send now (all of them without a limit) and until when (a
    ``time.monotonic()`` value: the end of the window they were counted in). One Redis
    call answers for a batch; a worker asks for a small share of the window (a tenth
    of the limit) and drops what it has not sent when the window ends: a grant used in
    the next window would add to that window's own sends."""
    limit = rate_of(channel)
    if not limit or want <= 0:
        return max(want, 0), float("inf")
    want = min(want, max(1, limit // 10))
    key = f"shanghui:rate:{channel.tenant_id}:{channel.pk}"
    while True:
        asked = time.monotonic()
        if getattr(settings, "REDIS_URL", ""):
            answer = _redis_batch_script()(keys=[key], args=[limit, want])
            granted, wait, left = (int(x) for x in answer)
        else:
            granted, wait, left = _local_reserve(key, limit, want)
        if granted:
            return granted, asked + left / 1000
        sleep(wait / 1000 + 0.001)
