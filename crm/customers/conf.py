"""The customers module's tenant settings: lead deadlines and the public pool.

Registered with core's settings registry when the app loads (``CustomersConfig``);
``/api/v1/settings/`` serves and validates them with everyone else's.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.core.tenant_settings import register, register_check

register(
    "lead_first_contact_sla_hours",
    24,
    (1, 24 * 30),
    _("first-contact deadline for new leads (hours)"),
)
register(
    "lead_escalation_hours",
    8,
    (1, 24 * 30),
    _("hours after the deadline before the team leader is told"),
)
register(
    "pool_idle_days",
    30,
    (1, 365),
    _("days without follow-up before a lead returns to the public pool"),
)
register("pool_warning_days", 3, (0, 364), _("days of warning before the return to the pool"))
register("daily_claim_cap", 20, (0, 10_000), _("leads one user may claim from the pool per day"))


def warning_before_return(values: dict) -> dict[str, list[str]]:
    """The pool warning must come before the lead returns to the pool."""
    if values["pool_warning_days"] >= values["pool_idle_days"]:
        return {
            "pool_warning_days": [gettext("The warning must come before the return to the pool.")]
        }
    return {}


register_check("customers.pool_warning", warning_before_return)
