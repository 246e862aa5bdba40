"""Tenant isolation over EVERY collection registered on the API router.

The walker reads ``crm.api_router.router.registry``, so a viewset added by any
module is covered the moment it is registered. Rows are created by the
factory registry (tests/core/factories.py): a model without a factory FAILS
with a message saying where to add one.
"""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from rest_framework.relations import ManyRelatedField, RelatedField

from crm.api_router import router
from crm.core.api.viewsets import TenantScopedMixin
from tests.conftest import client_for
from tests.core import factories

# Collections with no tenant rows behind them: prefix -> why (keep it explicit).
NON_MODEL_ENDPOINTS: dict[str, str] = {
    # Per user, not per company: the rows are the caller's own (another user's token or
    # session answers 404: tests/core/test_auth_hardening.py and the permission matrix).
    "me/tokens": "the signed-in user's own API tokens",
    "me/sessions": "the signed-in user's own browser sessions",
}
# Relation fields of which a body gives exactly one (prefix -> fields): the walker's
# body for one of them leaves the others out of the payload.
#: What a body must also say for a field to be kept at all: an announcement keeps
#: only the list its audience targets.
FIELD_CONTEXT: dict[tuple[str, str], dict] = {
    ("announcements", "teams"): {"audience": "teams"},
    ("announcements", "roles"): {"audience": "roles"},
}

ONE_OF_FIELDS: dict[str, tuple[str, ...]] = {
    "follow-ups": ("lead", "customer", "complaint", "opportunity", "contract"),
    "targets": ("user", "team"),
    "attachments": (
        "customer",
        "contact",
        "lead",
        "opportunity",
        "quote",
        "contract",
        "payment",
        "complaint",
    ),
}

ROUTES = [(prefix, viewset) for prefix, viewset, _basename in router.registry]
ROUTE_IDS = [prefix for prefix, _viewset in ROUTES]
MODEL_ROUTES = [(p, v) for p, v in ROUTES if p not in NON_MODEL_ENDPOINTS]


METHOD_OF = {
    "list": "get",
    "retrieve": "get",
    "create": "post",
    "update": "patch",
    "partial_update": "patch",
    "destroy": "delete",
}


def _has(viewset, action: str) -> bool:
    """The viewset has the action and lets its HTTP method through."""
    return hasattr(viewset, action) and METHOD_OF[action] in viewset.http_method_names


def _detail_actions(viewset):
    """(url_path, http methods) of the extra ``detail=True`` actions (history, transitions...)."""
    for extra in viewset.get_extra_actions():
        if extra.detail:
            yield extra.url_path, list(extra.mapping)


def _step_name(model) -> str:
    from workflows.process import get_process

    try:
        process = get_process(model)
    except KeyError:
        return "x"
    return next(iter(process.steps))


def _fill(url_path: str, model) -> str:
    """Fill the named groups of an action's url_path (``transitions/(?P<name>...)``)."""
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _step_name(model), url_path)


def _list_ids(client, prefix: str) -> set[int]:
    ids: set[int] = set()
    url = f"/api/v1/{prefix}/?page_size=200"
    while url:
        response = client.get(url)
        assert response.status_code == 200, (prefix, response.content)
        body = response.json()
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        ids |= {row["id"] for row in rows}
        url = body.get("next") if isinstance(body, dict) else None
    return ids


def _still_there(obj) -> None:
    fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
    assert fresh is not None, f"{obj!r} was deleted through another tenant"
    if hasattr(fresh, "is_active"):
        assert fresh.is_active, f"{obj!r} was deactivated through another tenant"


def test_every_registered_collection_is_tenant_scoped():
    """Every viewset on the router is a tenant viewset with a model (or explicitly exempt)."""
    problems = [
        f"/api/v1/{prefix}/ ({viewset.__name__})"
        for prefix, viewset in ROUTES
        if prefix not in NON_MODEL_ENDPOINTS
        and not (issubclass(viewset, TenantScopedMixin) and viewset.model is not None)
    ]
    assert not problems, (
        "These collections are not TenantScopedMixin viewsets with `model` set, so tenant "
        f"isolation is not applied: {problems}. Base them on crm.core.api.viewsets, or list "
        "them in NON_MODEL_ENDPOINTS in tests/core/test_isolation.py with the reason."
    )
    assert {"leads", "customers", "contacts", "activities", "users", "roles", "teams"} <= set(
        ROUTE_IDS
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "viewset"), MODEL_ROUTES, ids=[p for p, _ in MODEL_ROUTES])
def test_other_tenants_rows_answer_404_and_never_list(prefix, viewset, admin, other_admin):
    model = viewset.model
    theirs = factories.make(model, other_admin)
    mine = factories.make(model, admin)
    me, them = client_for(admin), client_for(other_admin)
    detail = f"/api/v1/{prefix}/{theirs.pk}/"

    # Positive controls: the row is visible to its own company, and mine to me.
    if _has(viewset, "list"):
        assert theirs.pk in _list_ids(them, prefix)
        my_ids = _list_ids(me, prefix)
        assert mine.pk in my_ids
        assert theirs.pk not in my_ids
    if _has(viewset, "retrieve"):
        assert them.get(detail).status_code == 200
        assert me.get(f"/api/v1/{prefix}/{mine.pk}/").status_code == 200
        response = me.get(detail)
        assert response.status_code == 404, response.content
        assert response.json()["code"] == "not_found"
    if _has(viewset, "update"):
        assert me.patch(detail, {}, format="json").status_code == 404
        assert me.put(detail, {}, format="json").status_code == 404
    if _has(viewset, "destroy"):
        assert me.delete(detail).status_code == 404
    for url_path, methods in _detail_actions(viewset):
        url = f"{detail}{_fill(url_path, model)}/"
        for method in methods:
            response = getattr(me, method)(url, {}, format="json")
            assert response.status_code == 404, (method, url, response.content)
    _still_there(theirs)


# --- foreign keys in request bodies ---------------------------------------------


def _relation_fields(viewset):
    """Writable relation fields of the create serializer: (name, related model, filters, many)."""
    view = viewset(action="create", request=None, format_kwarg=None, kwargs={})
    serializer = view.get_serializer_class()(context={"tenant": None})
    with scopes_disabled():  # plain ModelSerializer relations touch the scoped manager
        fields = dict(serializer.fields)
    for name, field in fields.items():
        if field.read_only:
            continue
        many = isinstance(field, ManyRelatedField)
        relation = field.child_relation if many else field
        if not isinstance(relation, RelatedField):
            continue
        model = getattr(relation, "model", None) or relation.queryset.model
        yield name, model, dict(getattr(relation, "filters", {}) or {}), many


FK_CASES = [
    pytest.param(prefix, viewset, name, model, filters, many, id=f"{prefix}.{name}")
    for prefix, viewset in MODEL_ROUTES
    if _has(viewset, "create")
    for name, model, filters, many in _relation_fields(viewset)
]


def _row_for(model, user, filters):
    """A row of ``model`` in ``user``'s company that the field's filters accept."""
    rows = model._base_manager.filter(tenant_id=user.tenant_id, **filters)
    if model._meta.label == "core.User":
        rows = rows.filter(is_active=True)
    row = rows.order_by("pk").first()
    if row is None:
        # The factory may make the accepted row beside the one it returns (a requisition
        # factory makes an issued one first, the row a stock return's field accepts).
        made = factories.make(model, user)
        row = rows.order_by("pk").first()
        assert row is not None, (
            f"the factory of {model._meta.label} makes rows the field's filters {filters} "
            f"refuse ({made!r})"
        )
    return row


def _payload(viewset, admin, prefix: str = "", name: str = "") -> dict:
    factory = factories.get(viewset.model)
    if factory.payload is None:
        pytest.fail(
            f"The factory of {viewset.model._meta.label} has no `payload=`: the walker needs a "
            "valid POST body for its collection (tests/<area>/factories.py).",
            pytrace=False,
        )
    group = ONE_OF_FIELDS.get(prefix, ())
    others = set(group) - {name} if name in group else set()
    body = {k: v for k, v in factory.payload(admin).items() if k not in others}
    return {**body, **FIELD_CONTEXT.get((prefix, name), {})}


def test_relation_walker_found_the_foundation_fields():
    found = {case.id for case in FK_CASES}
    assert {
        "users.roles",
        "users.team",
        "teams.parent",
        "teams.leader",
        "customers.owner",
        "customers.industry",
        "contacts.customer",
        "leads.owner",
        "leads.source",
        "activities.lead",
        "activities.customer",
    } <= found


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "viewset", "name", "model", "filters", "many"), FK_CASES)
def test_foreign_keys_to_another_tenant_are_refused(
    prefix, viewset, name, model, filters, many, admin, other_admin
):
    me = client_for(admin)
    theirs = _row_for(model, other_admin, filters)
    mine = _row_for(model, admin, filters)

    def value(row):
        return [row.pk] if many else row.pk

    url = f"/api/v1/{prefix}/"
    refused = me.post(
        url, {**_payload(viewset, admin, prefix, name), name: value(theirs)}, format="json"
    )
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "invalid"
    assert name in refused.json()["fields"], refused.json()

    accepted = me.post(
        url, {**_payload(viewset, admin, prefix, name), name: value(mine)}, format="json"
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()[name] == value(mine)

    if _has(viewset, "partial_update"):
        existing = factories.make(viewset.model, admin)
        patched = me.patch(f"{url}{existing.pk}/", {name: value(theirs)}, format="json")
        assert patched.status_code == 400, patched.content
        assert name in patched.json()["fields"]
