"""Tenant settings: the keys, their defaults, limits and labels.

Stored in ``Tenant.settings`` (JSON); ``Tenant.setting(key)`` falls back to the
default. Each module registers its own integer settings with ``register``; the
``/api/v1/settings/`` endpoint serves and validates all of them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DEFAULTS: dict[str, int] = {}
LIMITS: dict[str, tuple[int, int]] = {}
LABELS: dict[str, object] = {}


def register(key: str, default: int, limits: tuple[int, int], label) -> None:
    DEFAULTS[key] = default
    LIMITS[key] = limits
    LABELS[key] = label


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


def settings_errors(values: dict, current: dict | None = None) -> dict[str, list[str]]:
    """Per-key reasons ``values`` cannot be stored (the API, the service and a
    backup's restore check alike): a whole number within the key's limits, and
    the warning before the return to the pool. Unknown keys are refused."""
    from django.utils.translation import gettext

    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if key not in LIMITS:
            errors[key] = [gettext("Unknown setting.")]
            continue
        low, high = LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[key] = [
                gettext("Enter a value from %(low)d to %(high)d.") % {"low": low, "high": high}
            ]
    if errors:
        return errors
    merged = {**DEFAULTS, **(current or {}), **values}
    if merged["pool_warning_days"] >= merged["pool_idle_days"]:
        errors["pool_warning_days"] = [
            gettext("The warning must come before the return to the pool.")
        ]
    return errors
