"""Tenant settings: the keys, their defaults and their validation limits.

Stored in ``Tenant.settings`` (JSON); ``Tenant.setting(key)`` falls back here.
"""

from django.utils.translation import gettext_lazy as _

DEFAULTS: dict[str, int] = {
    # Hours a new lead may wait for its first contact before the owner is reminded.
    "lead_first_contact_sla_hours": 24,
    # Further hours after that before the owner's team leader is told.
    "lead_escalation_hours": 8,
    # Days without a follow-up before an owned lead returns to the public pool.
    "pool_idle_days": 30,
    # Days before the return to the pool that the owner is warned.
    "pool_warning_days": 3,
    # Leads one user may claim from the pool per day.
    "daily_claim_cap": 20,
}

LIMITS: dict[str, tuple[int, int]] = {
    "lead_first_contact_sla_hours": (1, 24 * 30),
    "lead_escalation_hours": (1, 24 * 30),
    "pool_idle_days": (1, 365),
    "pool_warning_days": (0, 364),
    "daily_claim_cap": (0, 10_000),
}

LABELS = {
    "lead_first_contact_sla_hours": _("first-contact deadline for new leads (hours)"),
    "lead_escalation_hours": _("hours after the deadline before the team leader is told"),
    "pool_idle_days": _("days without follow-up before a lead returns to the public pool"),
    "pool_warning_days": _("days of warning before the return to the pool"),
    "daily_claim_cap": _("leads one user may claim from the pool per day"),
}
