"""Modules on and off: what a switched-off module hides, decided in one place.

The modules themselves are registered by their apps (``registries.register_module``
from ``AppConfig.ready``); a tenant's switched-off keys are ``Tenant.modules_off``.
The API base viewset asks ``route_module`` which module owns a path and answers
404 ``module_disabled`` when it is off; the menu, the role editor's codes, the
workbench panels and the reminder scheduler filter through the helpers below.
Data stays: switching a module back on shows everything again.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.core import audit
from crm.core.errors import DomainError, Invalid
from crm.core.registries import AppModule, get_module, modules

API_PREFIX = "/api/v1/"


class ModuleDisabled(DomainError):
    status = 404
    code = "module_disabled"
    default_detail = _("This module is switched off for your company.")


def disabled_keys(tenant) -> set[str]:
    """The keys of the modules ``tenant`` switched off (locked modules never are)."""
    if tenant is None:
        return set()
    off = set(tenant.modules_off or ())
    return {key for key in off if (m := get_module(key)) is not None and not m.locked}


def is_enabled(tenant, key: str) -> bool:
    return key not in disabled_keys(tenant)


def route_module(path: str) -> AppModule | None:
    """The module owning an API path (``/api/v1/leads/3/``), by its longest prefix."""
    if not path.startswith(API_PREFIX):
        return None
    rest = path[len(API_PREFIX) :]
    best, length = None, -1
    for module in modules():
        for prefix in module.routes:
            if rest.startswith(prefix) and len(prefix) > length:
                best, length = module, len(prefix)
    return best


def check_route(tenant, path: str) -> None:
    """Raise ``ModuleDisabled`` when ``path`` belongs to a module ``tenant`` switched off."""
    module = route_module(path)
    if module is not None and module.key in disabled_keys(tenant):
        raise ModuleDisabled()


def route_enabled(tenant, path: str) -> bool:
    module = route_module(path)
    return module is None or module.key not in disabled_keys(tenant)


def code_module(code: str) -> AppModule | None:
    """The module a permission code belongs to, by its longest code prefix (None:
    core's own codes, users, roles, settings...)."""
    best, length = None, -1
    for module in modules():
        for prefix in module.codes:
            if code.startswith(prefix) and len(prefix) > length:
                best, length = module, len(prefix)
    return best


def code_hidden(code: str, off: set[str]) -> bool:
    """Whether a permission code belongs to one of the modules ``off``."""
    for key in off:
        module = get_module(key)
        if module is not None and any(code.startswith(p) for p in module.codes):
            return True
    return False


def panel_hidden(name: str, off: set[str]) -> bool:
    return any(name in (get_module(key).panels if get_module(key) else ()) for key in off)


def module_list(tenant) -> list[dict]:
    off = disabled_keys(tenant)
    return [
        {
            "key": m.key,
            "label": str(m.label),
            "enabled": m.key not in off,
            "locked": m.locked,
            "paths": [e.path for e in m.menu],
        }
        for m in modules()
    ]


def menu(user) -> list[dict]:
    """The menu of ``user``: each enabled module with the entries their codes allow."""
    off = disabled_keys(user.tenant)
    out = []
    for module in modules():
        if module.key in off:
            continue
        entries = [
            {"path": e.path, "label": str(e.label)}
            for e in module.menu
            if e.code is None or user.has_code(e.code)
        ]
        if entries:
            out.append({"key": module.key, "label": str(module.label), "entries": entries})
    return out


def set_modules(*, tenant, actor, values: dict) -> list[dict]:
    """Switch modules on (True) or off (False); audited. Locked and unknown keys are refused."""
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        module = get_module(key)
        if module is None:
            errors[key] = [gettext("Unknown module.")]
        elif not isinstance(value, bool):
            errors[key] = [gettext("Must be true or false.")]
        elif module.locked and not value:
            errors[key] = [gettext("This module is always on.")]
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        tenant = type(tenant).objects.select_for_update().get(pk=tenant.pk)
        before = disabled_keys(tenant)
        after = set(before)
        for key, value in values.items():
            (after.discard if value else after.add)(key)
        if after != before:
            tenant.modules_off = sorted(after)
            tenant.save(update_fields=["modules_off"])
            changes = {key: [key not in before, key not in after] for key in sorted(before ^ after)}
            audit.record(tenant=tenant, actor=actor, action="modules", obj=tenant, changes=changes)
    return module_list(tenant)


def held_reminders_q(tenants=None) -> Q | None:
    """Reminders of switched-off modules, to leave pending (not claimed, not dropped):
    they are delivered when the module is back on. None when nothing is held."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from crm.core.models import Tenant

    rows = tenants
    if rows is None:
        rows = Tenant.objects.exclude(modules_off=[]).only("id", "modules_off")
    q = Q()
    held = False
    for tenant in rows:
        ids = [
            ContentType.objects.get_for_model(apps.get_model(label)).pk
            for key in disabled_keys(tenant)
            for label in get_module(key).reminder_models
        ]
        if ids:
            q |= Q(tenant_id=tenant.pk, content_type_id__in=ids)
            held = True
    return q if held else None
