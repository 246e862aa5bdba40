"""Permission codes, default-role grants and tenant settings of customer service.

Default roles:
- 客服 (SERVICE): every service code and transition, except
  ``complaints.escalation`` (the last rung of the SLA ladder is for managers);
- 销售经理 / 销售代表: follow-ups (reps cannot delete), the calendar, and the
  sales manager views complaints and the service reports;
- 管理员 (ADMIN) holds every code, hence also ``complaints.escalation``: the
  admins are "the manager role" the SLA ladder escalates to. A tenant gives the
  code to another role (e.g. a 客服主管 role) to route escalations there.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.core.permissions import SALES_MANAGER, SALES_REP, SERVICE, registry
from crm.core.tenant_settings import register as register_setting
from workflows.complaint import ESCALATION_CODE, Severity

registry.register_crud("complaints", _("complaints"))
registry.register_crud("followups", _("follow-ups and return visits"))
registry.register_crud("tickets", _("service tickets"))
registry.register_crud("projects", _("customer projects"))
registry.register_crud("feedback", _("customer feedback"))
registry.register_crud("calendar", _("company working days"))
registry.register(
    ESCALATION_CODE, _("receive escalations of complaints past their SLA"), "complaints"
)
REPORTS_CODE = registry.register(
    "service.reports", _("view service reports (SLA, follow-ups, satisfaction)"), "service"
)

_SERVICE_MODULES = ("complaints.", "followups.", "tickets.", "projects.", "feedback.")
_SERVICE_TRANSITIONS = (
    "transition:complaint.",
    "transition:followup.",
    "transition:ticket.",
    "transition:project.",
)
registry.grant(SERVICE, *_SERVICE_MODULES, *_SERVICE_TRANSITIONS, "service.", "calendar.view")
registry.deny(SERVICE, ESCALATION_CODE)

_FOLLOW_UPS = ("followups.", "transition:followup.", "calendar.view")
registry.grant(SALES_MANAGER, *_FOLLOW_UPS, "complaints.view", REPORTS_CODE)
registry.grant(SALES_REP, *_FOLLOW_UPS)
registry.deny(SALES_REP, "followups.delete")

# --- tenant settings (integers, served and validated by /api/v1/settings/) ------

_SLA_DEFAULTS = {
    # severity: (acknowledge within, resolve within), in working hours
    Severity.CRITICAL: (1, 8),
    Severity.HIGH: (2, 16),
    Severity.NORMAL: (4, 40),
    Severity.LOW: (8, 80),
}
for _severity, (_ack, _resolve) in _SLA_DEFAULTS.items():
    register_setting(
        f"complaint_ack_hours_{_severity.value}",
        _ack,
        (1, 2000),
        format_lazy(
            _("complaints of severity “{severity}”: acknowledge within (working hours)"),
            severity=_severity.label,
        ),
    )
    register_setting(
        f"complaint_resolve_hours_{_severity.value}",
        _resolve,
        (1, 5000),
        format_lazy(
            _("complaints of severity “{severity}”: resolve within (working hours)"),
            severity=_severity.label,
        ),
    )
register_setting(
    "complaint_warning_hours",
    1,
    (0, 100),
    _("warn the complaint owner this many working hours before a deadline (0: no warning)"),
)
register_setting(
    "complaint_escalation_hours",
    4,
    (1, 500),
    _("working hours after a missed deadline before the managers are told"),
)
register_setting(
    "followup_reminder_hours",
    2,
    (0, 24 * 30),
    _("remind the owner this many hours before a follow-up is due (0: no reminder)"),
)
register_setting(
    "followup_grace_hours",
    24,
    (0, 24 * 30),
    _("hours after its due time before an undone follow-up is marked missed"),
)
