"""Every report query of the CRM: one home, one module per domain.

Reports are read-only and cut across apps, so they live here rather than in the
apps they read: ``sales`` (funnel, receivables aging, won deals) and ``service``
(SLA, follow-up completion, satisfaction). Each query is aggregated in SQL,
keeps the user's data scope, and runs a number of queries that does not grow
with the rows. The HTTP side is ``crm/reports/api.py``.
"""

from crm.reports.selectors.sales import (
    BUCKETS,
    DEFAULT_MONTHS,
    MAX_MONTHS,
    Filters,
    add_months,
    funnel,
    month_start,
    months_between,
    receivables_aging,
    won_by_month,
    won_by_owner,
    won_period,
)
from crm.reports.selectors.service import followup_report, satisfaction_report, sla_report

__all__ = [
    "BUCKETS",
    "DEFAULT_MONTHS",
    "MAX_MONTHS",
    "Filters",
    "add_months",
    "followup_report",
    "funnel",
    "month_start",
    "months_between",
    "receivables_aging",
    "satisfaction_report",
    "sla_report",
    "won_by_month",
    "won_by_owner",
    "won_period",
]
