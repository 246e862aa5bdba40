"""Every report lives in crm/reports: its query in ``crm.reports.selectors``, its
endpoint in ``crm.reports.api`` (the service reports used to sit in crm/service)."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, resolve, reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

REPORTS = (
    "funnel",
    "receivables-aging",
    "won-by-owner",
    "won-by-month",
    "sla",
    "follow-ups",
    "satisfaction",
    "usage",
    "targets",
    *(
        f"customers-{name}{suffix}"
        for name in (
            "by-level",
            "by-industry",
            "by-region",
            "by-source",
            "by-owner",
            "new-by-month",
            "idle",
            "pool-flow",
        )
        for suffix in ("", "-export")
    ),
    *(
        f"marketing-{name}{suffix}"
        for name in (
            "stock-on-hand",
            "stock-movements",
            "requisitions",
            "event-roi",
            "channel-roi",
        )
        for suffix in ("", "-export")
    ),
)


def test_every_report_endpoint_is_served_from_crm_reports():
    names = sorted(
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and name.startswith("report-")
    )
    assert names == sorted(f"report-{r}" for r in REPORTS)
    for name in names:
        view = resolve(reverse(name)).func.view_class
        assert view.__module__.startswith("crm.reports."), (name, view.__module__)


def test_report_queries_have_one_home():
    import importlib.util

    from crm.reports import selectors

    assert importlib.util.find_spec("crm.service.reports") is None
    for query in (
        "funnel",
        "receivables_aging",
        "won_by_owner",
        "won_by_month",
        "sla_report",
        "followup_report",
        "satisfaction_report",
    ):
        assert getattr(selectors, query).__module__.startswith("crm.reports.selectors.")


@pytest.mark.parametrize("report", ["sla", "follow-ups", "satisfaction"])
@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-01-01&to=9999-12-31", "to"), ("from=0001-01-01&to=2026-12-31", "from")],
)
def test_service_reports_refuse_dates_at_the_calendars_edges(admin, report, query, field):
    """``to=9999-12-31`` overflowed (500) when the end was made exclusive: a 400 now."""
    response = client_for(admin).get(f"/api/v1/reports/{report}/?{query}")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [field]
