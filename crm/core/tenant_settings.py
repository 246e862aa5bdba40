"""Tenant settings: the keys, their defaults, limits and labels.

Stored in ``Tenant.settings`` (JSON); ``Tenant.setting(key)`` falls back to the
default. Each module registers its own integer settings with ``register`` (and
any rule across several of them with ``register_check``) when its app loads;
the ``/api/v1/settings/`` endpoint serves and validates all of them. Core
registers none: it knows no module's settings.
"""

from __future__ import annotations

from collections.abc import Callable

DEFAULTS: dict[str, int] = {}
LIMITS: dict[str, tuple[int, int]] = {}
LABELS: dict[str, object] = {}
# (every setting's value after the change) -> per-key reasons, keyed by name.
_CHECKS: dict[str, Callable[[dict], dict[str, list[str]]]] = {}


def register(key: str, default: int, limits: tuple[int, int], label) -> None:
    DEFAULTS[key] = default
    LIMITS[key] = limits
    LABELS[key] = label


def register_check(name: str, check: Callable[[dict], dict[str, list[str]]]) -> None:
    """A rule across settings: ``check(values)`` gets every setting's value as it
    would be stored and returns per-key reasons (empty when the values are fine)."""
    _CHECKS[name] = check


def settings_errors(values: dict, current: dict | None = None) -> dict[str, list[str]]:
    """Per-key reasons ``values`` cannot be stored (the API, the service and a
    backup's restore check alike): a whole number within the key's limits, and
    the modules' registered rules across settings. Unknown keys are refused."""
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
    return errors
