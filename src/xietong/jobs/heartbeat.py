"""The worker's heartbeat: proof, visible on the API's ``/metrics``, that some worker runs jobs.

arq runs a unique cron job once per tick however many workers compete, so the value is "the last
time any worker took a job off the queue", which is what an alert needs: with it stale, nothing
scheduled (deadline sweeps, reminders) is happening.
"""

from __future__ import annotations

import time

from xietong.jobs.queue import HEARTBEAT_KEY, JobContext, registry

FORGET_AFTER_S = 24 * 3600
"""Workers not seen for a day (scaled down, renamed pods) are dropped from the hash."""


@registry.cron("heartbeat", second=0, run_at_startup=True, timeout_s=30)
async def heartbeat(ctx: JobContext) -> float:
    now = time.time()
    await ctx.redis.hset(HEARTBEAT_KEY, ctx.worker_id, repr(now))
    beats = await ctx.redis.hgetall(HEARTBEAT_KEY)
    stale = [worker for worker, seen in beats.items() if now - float(seen) > FORGET_AFTER_S]
    if stale:
        await ctx.redis.hdel(HEARTBEAT_KEY, *stale)
    ctx.metrics.worker_last_heartbeat.set(now)
    return now
