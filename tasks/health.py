"""The broker's line in ``GET /health/`` (registered with core in ``TasksConfig.ready``)."""

from __future__ import annotations


def broker_health() -> dict[str, str]:
    from tasks import broker  # at call time: the broker is configured after app loading

    return {
        "broker": "ok" if broker.ping() else "down",
        "broker_kind": "in-process" if broker.is_in_process() else "redis",
    }
