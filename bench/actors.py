"""The no-op actor: the baseline of worker throughput on the same Redis and workers."""

import dramatiq

COUNTER = "shanghui-bench:noop"


@dramatiq.actor(queue_name="bench", max_retries=0)
def noop() -> None:
    # One INCR so the benchmark sees completions; dramatiq itself makes several
    # Redis round trips per message, so this is a small share of the work.
    dramatiq.get_broker().client.incr(COUNTER)
