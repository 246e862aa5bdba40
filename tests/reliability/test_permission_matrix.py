"""Every endpoint × method × {anonymous, other company, role without the code,
role with it}: 401 / 404 / 403 / 2xx.

Built from ``crm.api_router.router`` (every viewset, its standard and extra
actions), the ``/api/v1/`` URL patterns and the permission registry, so a new
collection or action is covered as soon as it is routed. The matrix needs to
know how to make a record and a valid body: see ``specs.py``; an endpoint it
cannot build a request for FAILS with a message saying what to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver
from rest_framework.test import APIClient

from crm.api_router import router
from crm.core.api.permissions import required_code
from crm.core.models import Role
from crm.core.permissions import registry
from tests.conftest import client_for, make_company, make_user
from tests.reliability import specs
from tests.reliability.specs import ACTIONS, PATHS, RESOURCES, ActionSpec, Ctx

STANDARD = [
    ("list", "get", False, 200),
    ("create", "post", False, 201),
    ("retrieve", "get", True, 200),
    ("update", "put", True, 200),
    ("partial_update", "patch", True, 200),
    ("destroy", "delete", True, 204),
]
SPECS_FILE = "tests/reliability/specs.py"


@dataclass
class Endpoint:
    basename: str
    prefix: str
    viewset: type
    action: str
    method: str
    detail: bool
    status: int
    url_path: str = ""
    initkwargs: dict = field(default_factory=dict)
    extra: bool = False

    def __str__(self) -> str:
        detail = "{id}/" if self.detail else ""
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", self.url_path)
        path = f"{path}/" if path else ""
        return f"{self.method.upper()} /api/v1/{self.prefix}/{detail}{path}"

    @property
    def code(self) -> str | None:
        view = self.viewset(**self.initkwargs)
        view.action = self.action
        view.request = None
        if getattr(view, "public_read", False) and self.action in ("list", "retrieve"):
            return None
        return required_code(view)


def router_endpoints() -> list[Endpoint]:
    out = []
    for prefix, viewset, basename in router.registry:
        specs.PREFIXES[basename] = prefix
        allowed = set(getattr(viewset, "http_method_names", []))
        for action, method, detail, status in STANDARD:
            if hasattr(viewset, action) and method in allowed:
                out.append(Endpoint(basename, prefix, viewset, action, method, detail, status))
        for extra in viewset.get_extra_actions():
            for method, func_name in extra.mapping.items():
                if method in ("head", "options"):
                    continue
                out.append(
                    Endpoint(
                        basename,
                        prefix,
                        viewset,
                        func_name,
                        method,
                        extra.detail,
                        200,
                        url_path=extra.url_path,
                        initkwargs=dict(extra.kwargs),
                        extra=True,
                    )
                )
    return out


ENDPOINTS = router_endpoints()


def api_v1_paths() -> list[tuple[str, str, object]]:
    """(url name, method, pattern) of every non-router endpoint under /api/v1/."""
    from crm import urls

    out = []
    for pattern in urls.api_v1:
        if isinstance(pattern, URLResolver):  # the router's include
            continue
        assert isinstance(pattern, URLPattern)
        view = getattr(pattern.callback, "cls", None) or getattr(
            pattern.callback, "view_class", None
        )
        for method in ("get", "post", "put", "patch", "delete"):
            if view is not None and hasattr(view, method):
                out.append((pattern.name or str(pattern.pattern), method, pattern))
    return out


PATH_ENDPOINTS = api_v1_paths()


# --- actors -------------------------------------------------------------------


def user_with_codes(admin, codes, *, label: str):
    """A user of the admin's company whose only role holds ``codes`` (data scope: all)."""
    role = Role.objects.create(
        tenant=admin.tenant,
        name=f"{label}-{Role.objects.count()}",
        permissions=sorted(codes),
        data_scope="all",
    )
    return make_user(admin, role.name)


def all_codes_but(admin, code: str):
    return user_with_codes(admin, set(registry.codes()) - {code}, label="无权限")


# --- building requests ------------------------------------------------------------


def resource_spec(ep: Endpoint) -> dict:
    spec = RESOURCES.get(ep.basename)
    if spec is None or not ({"create", "make"} & set(spec)):
        pytest.fail(
            f"The permission matrix cannot build a request for {ep}: add "
            f'RESOURCES["{ep.basename}"] to {SPECS_FILE} with "create" (a valid POST body '
            f'builder) or "make" (a record factory).'
        )
    return spec


def action_spec(ep: Endpoint) -> ActionSpec:
    spec = ACTIONS.get((ep.basename, ep.action)) or ACTIONS.get(("*", ep.action))
    if spec is None and ep.method != "get":
        pytest.fail(
            f"The permission matrix cannot build a request for {ep} (@action {ep.action}): "
            f'add ACTIONS[("{ep.basename}", "{ep.action}")] = ActionSpec(kwargs=..., body=..., '
            f"extra_codes=...) to {SPECS_FILE}."
        )
    spec = spec or ActionSpec()
    missing = [g for g in re.findall(r"\(\?P<(\w+)>", ep.url_path) if g not in spec.kwargs]
    if missing:
        pytest.fail(
            f"The permission matrix needs URL kwargs {missing} for {ep}: set "
            f'ACTIONS[("{ep.basename}", "{ep.action}")].kwargs in {SPECS_FILE}.'
        )
    return spec


def make_target(ep: Endpoint, ctx: Ctx, user) -> int:
    spec = resource_spec(ep)
    if "make" in spec:
        return spec["make"](ctx, user)
    return ctx.create(ep.basename)


def url_for(ep: Endpoint, pk: int | None, spec: ActionSpec | None) -> str:
    url = f"/api/v1/{ep.prefix}/"
    if ep.detail:
        url += f"{pk}/"
    if ep.url_path:
        path = ep.url_path
        for key, value in (spec.kwargs if spec else {}).items():
            path = re.sub(rf"\(\?P<{key}>[^)]*\)", value, path)
        url += f"{path}/"
    return url


def body_for(ep: Endpoint, ctx: Ctx, spec: ActionSpec | None):
    if ep.extra or (spec is not None and spec.body is not None):
        body = spec.body if spec else None
        return body(ctx) if callable(body) else body
    resource = resource_spec(ep)
    if ep.action in ("create", "update"):
        if "create" not in resource:
            pytest.fail(f'{ep}: add a "create" body builder to RESOURCES["{ep.basename}"].')
        return resource["create"](ctx)
    if ep.action == "partial_update":
        return resource.get("update", lambda ctx: {})(ctx)
    return None


def call(client: APIClient, ep: Endpoint, url: str, body, spec: ActionSpec | None = None):
    method = getattr(client, ep.method)
    if body is None:
        return method(url)
    return method(url, body, format=spec.format if spec else "json")


# --- the matrix -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("ep", ENDPOINTS, ids=str)
def test_router_endpoint(ep: Endpoint):
    admin = make_company()
    ctx = Ctx(admin=admin, tenant=admin.tenant, api=client_for(admin))
    # A standard action may have an ACTIONS entry too (more codes, a multipart body).
    spec = action_spec(ep) if ep.extra else ACTIONS.get((ep.basename, ep.action))
    codes = {c for c in (ep.code, *(spec.extra_codes if spec else ())) if c}
    for code in codes:
        assert code in registry, f"{ep} requires {code!r}, which is not in the registry"
    allowed = user_with_codes(admin, codes, label="有权限")
    target = make_target(ep, ctx, allowed) if ep.detail else None
    url = url_for(ep, target, spec)

    # Anonymous: 401.
    response = call(APIClient(), ep, url, body_for(ep, ctx, spec), spec)
    assert response.status_code == 401, (str(ep), "anonymous", response.content)

    # Another company: a detail route answers 404; its list never shows our rows.
    other = make_company("另一家公司")
    other_client = client_for(other)
    if ep.detail:
        response = call(other_client, ep, url, body_for(ep, ctx, spec), spec)
        assert response.status_code == 404, (str(ep), "other tenant", response.content)
    elif ep.method == "get" and not ep.extra:
        mine = make_target(ep, ctx, allowed)
        response = other_client.get(url, {"page_size": 200})
        assert response.status_code == 200, (str(ep), "other tenant", response.content)
        ids = [row["id"] for row in response.json()["results"]]
        assert mine not in ids, (str(ep), "other tenant sees our row")

    # A role without each needed code: 403.
    for code in sorted(codes):
        refused = all_codes_but(admin, code)
        response = call(client_for(refused), ep, url, body_for(ep, ctx, spec), spec)
        assert response.status_code == 403, (str(ep), f"without {code}", response.content)
        assert response.json()["code"] in ("permission_denied", "permission_refused")

    # A role with exactly the needed codes: success.
    if ep.detail and (ep.method != "get"):
        target = make_target(ep, ctx, allowed)  # a fresh record: writes may consume it
        url = url_for(ep, target, spec)
    if not ep.detail and ep.method == "get" and not ep.extra:
        expected_row = make_target(ep, ctx, allowed)
    else:
        expected_row = None
    response = call(client_for(allowed), ep, url, body_for(ep, ctx, spec), spec)
    status = spec.status if spec else ep.status
    assert response.status_code == status, (str(ep), f"with {sorted(codes)}", response.content)
    if expected_row is not None:
        response = client_for(allowed).get(url, {"page_size": 200})
        assert expected_row in [row["id"] for row in response.json()["results"]], str(ep)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,method", [(n, m) for n, m, _ in PATH_ENDPOINTS], ids=lambda v: str(v)
)
def test_api_path(name: str, method: str):
    spec = PATHS.get(name, {}).get(method)
    if spec is None:
        pytest.fail(
            f"The permission matrix has no entry for {method.upper()} /api/v1/ endpoint "
            f"{name!r}: add PATHS[{name!r}][{method!r}] = PathSpec(...) to {SPECS_FILE}."
        )
    pattern = next(p for n, m, p in PATH_ENDPOINTS if n == name and m == method)
    url = "/api/v1/" + str(pattern.pattern)
    admin = make_company()
    ctx = Ctx(admin=admin, tenant=admin.tenant, api=client_for(admin))

    def body():
        return spec.body(ctx) if callable(spec.body) else spec.body

    def send(client):
        fn = getattr(client, method)
        data = body()
        return fn(url) if data is None else fn(url, data, format="json")

    response = send(APIClient())
    if spec.anonymous:
        assert response.status_code < 500 and response.status_code != 401, (name, method)
        return
    assert response.status_code == 401, (name, method, "anonymous", response.content)
    if spec.code:
        response = send(client_for(all_codes_but(admin, spec.code)))
        assert response.status_code == 403, (name, method, f"without {spec.code}")
    allowed = user_with_codes(admin, {spec.code} if spec.code else set(), label="有权限")
    response = send(client_for(allowed))
    assert response.status_code == spec.status, (name, method, response.content)


def test_every_router_collection_has_a_spec():
    """One readable failure listing every collection the matrix cannot build yet."""
    missing = sorted({ep.basename for ep in ENDPOINTS if ep.basename not in RESOURCES})
    assert not missing, f"add RESOURCES entries to {SPECS_FILE} for: {', '.join(missing)}"
