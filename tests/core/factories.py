"""A factory per tenant model, used by the endpoint walkers (tenant isolation, FKs).

Every model behind a registered viewset needs one: ``make(admin)`` creates a
row in ``admin``'s tenant (through the services, as users would) and, for
endpoints that accept POST, ``payload(admin)`` returns a valid request body for
that tenant. Register them with ``@factory(Model, payload=...)`` in
``tests/<area>/factories.py``; every such module is imported automatically by
``load_all()``, so a new module only adds its own file.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models

import tests
from crm.core import services as core
from crm.core.models import DictionaryItem, Role, SavedView, Team, User

_seq = itertools.count(1)
PASSWORD = "Test-pass-1234!"


@dataclass
class Factory:
    make: Callable[[User], models.Model]
    payload: Callable[[User], dict[str, Any]] | None = None


FACTORIES: dict[type[models.Model], Factory] = {}


def factory(model: type[models.Model], *, payload: Callable[[User], dict] | None = None):
    """Register ``make(admin) -> instance`` for ``model`` (decorator)."""

    def register(make: Callable[[User], models.Model]):
        FACTORIES[model] = Factory(make=make, payload=payload)
        return make

    return register


def load_all() -> None:
    """Import ``tests/<area>/factories.py`` of every test package."""
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                importlib.import_module(f"tests.{info.name}.factories")
            except ModuleNotFoundError as exc:
                if exc.name != f"tests.{info.name}.factories":
                    raise


def get(model: type[models.Model]) -> Factory:
    load_all()
    found = FACTORIES.get(model._meta.concrete_model)
    if found is None:
        label = model._meta.label
        pytest.fail(
            f"No test factory for {label}: the tenant-isolation walker cannot create one. "
            f"Add `@factory({model.__name__}, payload=...)` for it in "
            f"tests/<your area>/factories.py (see tests/core/factories.py).",
            pytrace=False,
        )
    return found


def make(model: type[models.Model], admin: User) -> models.Model:
    return get(model).make(admin)


def n() -> int:
    return next(_seq)


# --- the foundation's models ---------------------------------------------------


def _user_payload(admin):
    i = n()
    return {
        "username": f"walker{i}",
        "password": PASSWORD,
        "email": f"walker{i}@example.cn",
        "full_name": f"走查员{i}",
    }


@factory(User, payload=_user_payload)
def make_user(admin):
    data = _user_payload(admin)
    return core.user_create(
        tenant=admin.tenant,
        actor=admin,
        roles=[Role.objects.get(tenant=admin.tenant, name="销售代表")],
        **data,
    )


def _role_payload(admin):
    return {"name": f"角色{n()}", "permissions": ["leads.view"], "data_scope": "own"}


@factory(Role, payload=_role_payload)
def make_role(admin):
    return core.role_create(tenant=admin.tenant, actor=admin, **_role_payload(admin))


def _team_payload(admin):
    return {"name": f"团队{n()}"}


@factory(Team, payload=_team_payload)
def make_team(admin):
    return core.team_create(tenant=admin.tenant, actor=admin, **_team_payload(admin))


def _dictionary_payload(admin):
    i = n()
    return {"kind": "industry", "code": f"code{i}", "label": f"行业{i}"}


@factory(DictionaryItem, payload=_dictionary_payload)
def make_dictionary_item(admin):
    return core.dictionary_create(tenant=admin.tenant, actor=admin, **_dictionary_payload(admin))


def _saved_view_payload(admin):
    return {"collection": "customers", "name": f"视图{n()}", "query": {"q": "上海"}}


@factory(SavedView, payload=_saved_view_payload)
def make_saved_view(admin):
    from crm.core.saved_views import saved_view_create

    return saved_view_create(tenant=admin.tenant, actor=admin, **_saved_view_payload(admin))


def _register_domain() -> None:
    # Imported late: the domain apps' models need the app registry.
    from crm.activities import services as activities
    from crm.activities.models import Activity, Notification
    from crm.customers import services as customers
    from crm.customers.models import Contact, Customer, Lead

    def customer_payload(admin):
        return {"name": f"走查客户{n()}"}

    @factory(Customer, payload=customer_payload)
    def make_customer(admin):
        return customers.customer_create(
            tenant=admin.tenant, actor=admin, **customer_payload(admin)
        )

    def contact_payload(admin):
        return {"customer": make_customer(admin).pk, "name": f"联系人{n()}"}

    @factory(Contact, payload=contact_payload)
    def make_contact(admin):
        return customers.contact_create(
            tenant=admin.tenant, actor=admin, customer=make_customer(admin), name=f"联系人{n()}"
        )

    def lead_payload(admin):
        return {"company_name": f"走查线索{n()}", "contact_name": "张三"}

    @factory(Lead, payload=lead_payload)
    def make_lead(admin):
        return customers.lead_create(tenant=admin.tenant, actor=admin, **lead_payload(admin))

    def activity_payload(admin):
        return {"kind": "call", "subject": f"电话{n()}", "lead": make_lead(admin).pk}

    @factory(Activity, payload=activity_payload)
    def make_activity(admin):
        return activities.activity_create(
            tenant=admin.tenant,
            actor=admin,
            kind="call",
            subject=f"电话{n()}",
            lead=make_lead(admin),
        )

    @factory(Notification)
    def make_notification(admin):
        return activities.notify(
            tenant_id=admin.tenant_id,
            recipient_id=admin.pk,
            title=f"通知{n()}",
            body="",
            link="",
            target=None,
        )


_register_domain()
