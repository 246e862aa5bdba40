"""How the permission matrix builds a valid request for each endpoint.

The matrix (test_permission_matrix.py) walks ``crm.api_router.router`` and the
``/api/v1/`` URL patterns; for each endpoint it needs a way to make a record
(for detail routes) and, for writes, a valid body. Add an entry here when you
add a collection or an action; a missing entry fails the matrix with a message
naming what to add.

``RESOURCES[basename]``:
  - ``create``: ``(ctx) -> dict``, a valid POST body (the matrix creates records
    through the API as the tenant admin); or
  - ``make``: ``(ctx, user) -> pk``, makes a record the given user can see
    (for collections without a create endpoint, e.g. notifications);
  - ``update``: optional ``(ctx) -> dict``, a valid PATCH body (default ``{}``).
``ACTIONS[(basename, action_name)]`` (or ``("*", action_name)`` for an action
shared by many collections): for an @action that is not a plain GET, or one
that needs more codes than its view's:
  ``kwargs`` (URL kwargs besides the id), ``body``, ``extra_codes`` (codes the
  endpoint needs beyond the view's own code, e.g. the transition code) and
  ``status`` (the success status).
  A standard action (e.g. ``(basename, "create")``) may have an entry too, when
  it needs more codes than its view's or a body its RESOURCES builder cannot
  give: its ``body``, ``extra_codes`` and ``status`` are used, and ``format``
  ("json" or "multipart", for a file upload) says how the body is sent.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

_n = itertools.count(1)


@dataclass
class Ctx:
    """What a request builder may use: the tenant admin and helpers."""

    admin: Any
    tenant: Any
    api: Any  # APIClient authenticated as the admin

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(_n)}"

    def create(self, basename: str) -> int:
        """A new record of ``basename`` made through its create endpoint, as the admin."""
        spec = RESOURCES[basename]
        response = self.api.post(
            f"/api/v1/{PREFIXES[basename]}/", spec["create"](self), format="json"
        )
        assert response.status_code == 201, (basename, response.status_code, response.content)
        return response.json()["id"]


# basename -> URL prefix, filled by the matrix from the router.
PREFIXES: dict[str, str] = {}


def _role(ctx: Ctx) -> dict:
    return {"name": ctx.unique("角色"), "permissions": ["customers.view"], "data_scope": "own"}


def _user(ctx: Ctx) -> dict:
    name = ctx.unique("matrix_user")
    return {
        "username": name,
        "password": "Matrix-pass-9876!",
        "email": f"{name}@example.cn",
        "full_name": "矩阵 用户",
    }


def _notification(ctx: Ctx, user) -> int:
    from crm.activities.services import notify

    return notify(tenant_id=ctx.tenant.pk, recipient_id=user.pk, title="提醒", body="正文").pk


RESOURCES: dict[str, dict[str, Any]] = {
    "user": {"create": _user, "update": lambda ctx: {"full_name": "改名 用户"}},
    "role": {"create": _role, "update": lambda ctx: {"data_scope": "team"}},
    "team": {"create": lambda ctx: {"name": ctx.unique("团队")}},
    "dictionary": {
        "create": lambda ctx: {"kind": "industry", "code": ctx.unique("c"), "label": "制造业"}
    },
    "customer": {
        "create": lambda ctx: {"name": ctx.unique("北京科技有限公司"), "kind": "company"},
        "update": lambda ctx: {"region": "北京"},
    },
    "contact": {
        "create": lambda ctx: {"customer": ctx.create("customer"), "name": "张三"},
        "update": lambda ctx: {"title": "经理"},
    },
    "lead": {
        "create": lambda ctx: {"company_name": ctx.unique("上海贸易"), "need": "CRM 系统"},
        "update": lambda ctx: {"need": "更新的需求"},
    },
    "activity": {
        "create": lambda ctx: {"kind": "call", "subject": "电话", "lead": ctx.create("lead")},
        "update": lambda ctx: {"note": "备注"},
    },
    "notification": {"make": _notification},
}


@dataclass
class ActionSpec:
    kwargs: dict[str, str] = field(default_factory=dict)
    body: Any = None
    extra_codes: tuple[str, ...] = ()
    status: int = 200
    format: str = "json"  # "multipart" for a body with a file


ACTIONS: dict[tuple[str, str], ActionSpec] = {
    ("lead", "transitions"): ActionSpec(
        kwargs={"name": "pool"}, body={"comment": "矩阵"}, extra_codes=("transition:lead.pool",)
    ),
    ("notification", "mark_read"): ActionSpec(body={}),
    # ("*", action): the spec of an action shared by many collections (ExportMixin).
    ("*", "export"): ActionSpec(extra_codes=("imports.export",)),
}


@dataclass
class PathSpec:
    """A non-router endpoint under /api/v1/: who may call it and a valid body."""

    anonymous: bool = False  # reachable without signing in
    code: str | None = None  # the permission code a method needs (None: any tenant user)
    body: Any = None
    status: int = 200
    tenant_scoped: bool = True  # answers for the caller's company


# url name -> {method: PathSpec}. Extra patterns returned by a module's
# ``register_routes`` need an entry here too.
PATHS: dict[str, dict[str, PathSpec]] = {
    "signup": {
        "post": PathSpec(
            anonymous=True,
            body=lambda ctx: {
                "company": ctx.unique("新公司"),
                "username": ctx.unique("signup"),
                "password": "Signup-pass-9876!",
                "email": "new@example.cn",
            },
            status=201,
            tenant_scoped=False,
        )
    },
    "auth-token": {"post": PathSpec(anonymous=True, tenant_scoped=False)},
    "auth-login": {
        "get": PathSpec(anonymous=True, tenant_scoped=False),
        "post": PathSpec(anonymous=True, tenant_scoped=False),
    },
    "auth-logout": {"post": PathSpec(status=204, tenant_scoped=False)},
    "me": {"get": PathSpec(), "patch": PathSpec(body=lambda ctx: {"full_name": "新名字"})},
    "tenant-settings": {
        "get": PathSpec(),
        "patch": PathSpec(code="settings.edit", body=lambda ctx: {"daily_claim_cap": 30}),
    },
}

# Customer service (issue 4): its entries live with its tests.
from tests.service.matrix import register as _register_service  # noqa: E402

_register_service(RESOURCES, ACTIONS, PATHS)
import tests.activities.matrix_specs  # noqa: E402
import tests.care.matrix_specs  # noqa: E402
import tests.core.matrix_specs  # noqa: E402
import tests.customers.matrix_specs  # noqa: E402
import tests.imports.matrix_specs  # noqa: E402
import tests.marketing.matrix_specs  # noqa: E402
import tests.messaging.matrix_specs  # noqa: E402
import tests.office.matrix_specs  # noqa: E402
import tests.sales.matrix_specs  # noqa: E402
import tests.settings.matrix_specs  # noqa: E402
import tests.sync.matrix_specs  # noqa: E402
import tests.targets.matrix_specs  # noqa: E402
import tests.workflows.matrix_specs  # noqa: E402,F401
