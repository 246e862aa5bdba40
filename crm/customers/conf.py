"""The customers module's tenant settings: lead deadlines and the public pool.

Registered with core's settings registry when the app loads (``CustomersConfig``);
``/api/v1/settings/`` serves and validates them with everyone else's.
"""

from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from crm.core.tenant_settings import register, register_check, register_tenant_check

# The lead deadlines and the lead pool belong to the "leads" module (switched off
# with it); the customer pool stays with the customers module.
LEADS = "leads"

register(
    "lead_first_contact_sla_hours",
    24,
    (1, 24 * 30),
    _("first-contact deadline for new leads (hours)"),
    module=LEADS,
)
register(
    "lead_escalation_hours",
    8,
    (1, 24 * 30),
    _("hours after the deadline before the team leader is told"),
    module=LEADS,
)
register(
    "pool_idle_days",
    30,
    (1, 365),
    _("days without follow-up before a lead returns to the public pool"),
    module=LEADS,
)
register(
    "pool_warning_days",
    3,
    (0, 364),
    _("days of warning before the return to the pool"),
    module=LEADS,
)
register(
    "daily_claim_cap",
    20,
    (0, 10_000),
    _("leads one user may claim from the pool per day"),
    module=LEADS,
)


def warning_before_return(values: dict) -> dict[str, list[str]]:
    """The pool warning must come before the lead returns to the pool."""
    if values["pool_warning_days"] >= values["pool_idle_days"]:
        return {
            "pool_warning_days": [gettext("The warning must come before the return to the pool.")]
        }
    return {}


register_check("customers.pool_warning", warning_before_return)

# The customer pool (客户公海): customers, not only leads.
register(
    "customer_pool_idle_days",
    90,
    (1, 3650),
    _("days without activity before a customer returns to the public pool"),
)
register(
    "customer_pool_warning_days",
    7,
    (0, 3649),
    _("days of warning before a customer returns to the pool"),
)
register(
    "customer_daily_claim_cap",
    10,
    (0, 10_000),
    _("customers one user may claim from the pool per day"),
)


def customer_warning_before_return(values: dict) -> dict[str, list[str]]:
    """The customer pool warning must come before the return to the pool."""
    if values["customer_pool_warning_days"] >= values["customer_pool_idle_days"]:
        return {
            "customer_pool_warning_days": [
                gettext("The warning must come before the return to the pool.")
            ]
        }
    return {}


register_check("customers.customer_pool_warning", customer_warning_before_return)


def level_rules_after_warning(tenant, values: dict) -> dict[str, list[str]]:
    """A level's own idle days (``PoolLevelRule``) must exceed the warning days too,
    as a rule's own check says when the rule is saved: raising the warning to a
    rule's idle days names the rules in the way."""
    from crm.customers.models import PoolLevelRule

    warning = values["customer_pool_warning_days"]
    rules = list(
        PoolLevelRule.objects.filter(tenant_id=tenant.pk, idle_days__lte=warning)
        .select_related("level")
        .order_by("idle_days", "level__order", "level_id")
    )
    if not rules:
        return {}
    days = rules[0].idle_days
    levels = pgettext("list separator", ", ").join(f"“{rule.level.label}”" for rule in rules)
    message = ngettext(
        "The warning must come before the return to the pool: the pool rules per level "
        "return customers of level %(levels)s after as few as %(days)d day. Make the "
        "warning shorter, or give those levels more idle days.",
        "The warning must come before the return to the pool: the pool rules per level "
        "return customers of level %(levels)s after as few as %(days)d days. Make the "
        "warning shorter, or give those levels more idle days.",
        days,
    ) % {"levels": levels, "days": days}
    return {"customer_pool_warning_days": [message]}


register_tenant_check("customers.pool_level_warning", level_rules_after_warning)
