"""Tenant settings: the keys, their defaults, limits and labels.

Stored in ``Tenant.settings`` (JSON); ``Tenant.setting(key)`` falls back to the
default. Each module registers its own integer settings with ``register`` (and
any rule across several of them with ``register_check``) when its app loads;
the ``/api/v1/settings/`` endpoint serves and validates all of them, and
``/api/v1/settings/fields/`` describes them (module, unit, limits) for the
settings page. Core registers none: it knows no module's settings.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

DEFAULTS: dict[str, int] = {}
LIMITS: dict[str, tuple[int, int]] = {}
LABELS: dict[str, object] = {}
#: The module key (``registries.AppModule.key``) a setting belongs to: the settings
#: page groups by it and hides the settings of a module switched off.
MODULES: dict[str, str] = {}
#: What a setting's number counts, for the page: one of ``UNITS_KNOWN`` or "".
UNITS: dict[str, str] = {}
UNITS_KNOWN = ("hours", "days", "minutes", "hour_of_day", "count", "percent", "mb", "switch")
# A key's ending -> its unit, when the module does not say.
_UNIT_SUFFIXES = (
    ("_hours", "hours"),
    ("_days", "days"),
    ("_minutes", "minutes"),
    ("_hour", "hour_of_day"),
    ("_mb", "mb"),
    ("_cap", "count"),
)


def _caller_module() -> str:
    """The app label of the module calling ``register`` (``crm.sales.conf`` -> sales)."""
    name = sys._getframe(2).f_globals.get("__name__", "")
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "crm" else "system"


def _guess_unit(key: str, limits: tuple[int, int]) -> str:
    if limits == (0, 1):
        return "switch"
    if "probability" in key:
        return "percent"
    return next((unit for end, unit in _UNIT_SUFFIXES if key.endswith(end) or f"{end}_" in key), "")


# (every setting's value after the change) -> per-key reasons, keyed by name.
_CHECKS: dict[str, Callable[[dict], dict[str, list[str]]]] = {}
# (the tenant, every setting's value after the change) -> per-key reasons: rules
# between a tenant's settings and its records (a level's own pool idle days).
_TENANT_CHECKS: dict[str, Callable[[object, dict], dict[str, list[str]]]] = {}


def register(
    key: str,
    default: int,
    limits: tuple[int, int],
    label,
    *,
    module: str | None = None,
    unit: str | None = None,
) -> None:
    """Register an integer setting. ``module`` defaults to the calling app's label
    (``crm.sales.conf`` -> "sales"), ``unit`` to what the key's ending says
    (``_hours``, ``_days``, ``_minutes``, ``_hour``, ``_mb``, ``_cap``)."""
    DEFAULTS[key] = default
    LIMITS[key] = limits
    LABELS[key] = label
    MODULES[key] = module or _caller_module()
    UNITS[key] = _guess_unit(key, limits) if unit is None else unit


def register_check(name: str, check: Callable[[dict], dict[str, list[str]]]) -> None:
    """A rule across settings: ``check(values)`` gets every setting's value as it
    would be stored and returns per-key reasons (empty when the values are fine)."""
    _CHECKS[name] = check


def register_tenant_check(name: str, check: Callable[[object, dict], dict[str, list[str]]]) -> None:
    """A rule between settings and a tenant's records: ``check(tenant, values)``
    gets the tenant and every setting's value as it would be stored, and returns
    per-key reasons. Run when a tenant's settings change (not on a backup's
    restore, whose records come after its settings)."""
    _TENANT_CHECKS[name] = check


def settings_errors(
    values: dict, current: dict | None = None, *, tenant=None
) -> dict[str, list[str]]:
    """Per-key reasons ``values`` cannot be stored (the API, the service and a
    backup's restore check alike): a whole number within the key's limits, and
    the modules' registered rules across settings (with ``tenant``, its records'
    rules too). Unknown keys are refused."""
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
    for check in _CHECKS.values():
        for key, reasons in check(merged).items():
            errors.setdefault(key, []).extend(reasons)
    if tenant is not None and not errors:
        for tenant_check in _TENANT_CHECKS.values():
            for key, reasons in tenant_check(tenant, merged).items():
                errors.setdefault(key, []).extend(reasons)
    return errors
