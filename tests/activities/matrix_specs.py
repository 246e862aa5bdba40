"""Permission-matrix entries for tasks, events, plans and the timeline (hooked into
``tests/reliability/specs.py`` with one import line)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.reliability.specs import ACTIONS, PATHS, RESOURCES, ActionSpec, PathSpec

_days = iter(range(1, 100_000))


def _plan(ctx) -> dict:
    period = dt.date(2026, 1, 1) + dt.timedelta(days=next(_days))
    return {"kind": "daily", "period": period.isoformat(), "items": [{"text": "拜访客户"}]}


RESOURCES.update(
    {
        "task": {
            "create": lambda ctx: {"title": ctx.unique("任务"), "priority": "high"},
            "update": lambda ctx: {"priority": "low"},
        },
        "event": {
            "create": lambda ctx: {
                "title": ctx.unique("日程"),
                "start": (timezone.now() + dt.timedelta(days=2)).isoformat(),
            },
            "update": lambda ctx: {"location": "上海"},
        },
        "plan": {"create": _plan, "update": lambda ctx: {"items": [{"text": "改过的计划"}]}},
    }
)

ACTIONS.update(
    {
        ("task", "transitions"): ActionSpec(
            kwargs={"name": "start"}, body={}, extra_codes=("transition:task.start",)
        ),
        ("task", "bulk_complete"): ActionSpec(body={"ids": [1]}),
        ("event", "transitions"): ActionSpec(
            kwargs={"name": "cancel"}, body={}, extra_codes=("transition:event.cancel",)
        ),
        ("plan", "transitions"): ActionSpec(
            kwargs={"name": "submit"}, body={}, extra_codes=("transition:plan.submit",)
        ),
    }
)

# Without a record named the timeline answers 400 (the matrix calls it bare); the
# record's own code and scope are tested in tests/activities/test_timeline.py.
PATHS["timeline"] = {"get": PathSpec(status=400)}
