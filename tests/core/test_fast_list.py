"""The compiled list path returns exactly what DRF's own serialisation returns.

Every collection of the router with a ``list`` action is filled (the demo
company, plus records made through each collection's create endpoint by the
permission matrix's builders, so every module has rows) and fetched twice:
once with the fast path and once with DRF's, in both languages; the bodies
must be equal.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.api_router import router
from crm.core.api import fast_list
from crm.core.models import User
from fixtures import demo
from tests.conftest import client_for
from tests.reliability import specs

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    with scopes_disabled():
        demo.load()
        return User.objects.get(username="demo")


def _fill(admin) -> list[str]:
    """Two records in every collection the matrix knows how to make; the list URLs."""
    client = client_for(admin)
    ctx = specs.Ctx(admin=admin, tenant=admin.tenant, api=client)
    urls = []
    for prefix, viewset, basename in router.registry:
        specs.PREFIXES[basename] = prefix
        if not hasattr(viewset, "list"):
            continue
        spec = specs.RESOURCES.get(basename, {})
        for _ in range(2):
            # A "create" body without a create endpoint is a PUT body (campaign members).
            if "create" in spec and "post" in viewset.http_method_names:
                ctx.create(basename)
            elif "make" in spec:
                spec["make"](ctx, admin)
        urls.append(f"/api/v1/{prefix}/?page_size=100")
    return urls


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_list_is_identical_on_both_paths(admin, monkeypatch, language):
    client = client_for(admin)
    empty = []
    compared = 0
    for url in _fill(admin):
        fast = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        monkeypatch.setattr(fast_list, "ENABLED", False)
        slow = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        monkeypatch.setattr(fast_list, "ENABLED", True)
        assert fast.status_code == slow.status_code == 200, (url, slow.content[:300])
        assert fast.json() == slow.json(), url
        body = slow.json()
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        if not rows:
            empty.append(url)
        compared += 1
    assert compared >= 20
    assert not empty, f"lists compared without rows: {empty}"


def test_datetimes_are_written_in_the_current_time_zone(admin):
    body = client_for(admin).get("/api/v1/leads/?page_size=5").json()
    assert body["results"], "the demo company has leads"
    offset = timezone.localtime().strftime("%z")  # e.g. +0800 (Asia/Shanghai)
    assert all(r["created_at"].endswith(offset[:3] + ":" + offset[3:]) for r in body["results"])
