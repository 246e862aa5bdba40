"""The workbench's target gauge (registered from ``TargetsConfig.ready``)."""

from __future__ import annotations


def targets_panel(request) -> dict | None:
    """My targets of this month, quarter and year with their attainment."""
    from crm.reports.api import as_json
    from crm.reports.selectors.targets import my_progress
    from crm.targets.permissions import REPORT

    if not request.user.has_code(REPORT):
        return None
    rows = my_progress(request.user)
    return {"count": len(rows), "results": as_json(rows), "link": "/targets/report"}
