"""A user's roles, read once per process until the company's roles change.

Every API request needs the user's permission codes and data scope, which come
from their roles: one query per request. The company row (read with the token,
one query) carries ``roles_version``, bumped whenever a role is saved or
deleted or anyone's roles change; the roles are cached per process under
``(user, company, roles_version)``, so a change is seen by the very next request
in every process, and an unchanged company costs no query.
"""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

MAX_ENTRIES = 20_000

_cache: dict[tuple[int, int, int], list] = {}


def roles_for(user, load) -> list:
    """``load()`` (the query) unless this user's roles at this version are cached."""
    tenant = user._state.fields_cache.get("tenant")
    if tenant is None or user.pk is None:
        return load()  # the company row is not in hand: asking for it would cost a query
    key = (user.pk, tenant.pk, tenant.roles_version)
    rows = _cache.get(key)
    if rows is None:
        if len(_cache) >= MAX_ENTRIES:
            _cache.clear()
        rows = _cache[key] = load()
    return rows


def bump(tenant_id: int | None) -> None:
    """The company's roles changed: every process reads them again."""
    if tenant_id is None:
        return
    from crm.core.models import Tenant

    Tenant.objects.filter(pk=tenant_id).update(roles_version=F("roles_version") + 1)


def _role_changed(sender, instance, **kwargs) -> None:
    bump(instance.tenant_id)


def _membership_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    bump(instance.tenant_id)  # a user (roles.add) or a role (users.add): both carry it


def connect() -> None:
    """Called from ``CoreConfig.ready()``."""
    from crm.core.models import Role, User

    post_save.connect(_role_changed, sender=Role, dispatch_uid="crm.core.role_cache.save")
    post_delete.connect(_role_changed, sender=Role, dispatch_uid="crm.core.role_cache.delete")
    m2m_changed.connect(
        _membership_changed, sender=User.roles.through, dispatch_uid="crm.core.role_cache.members"
    )
