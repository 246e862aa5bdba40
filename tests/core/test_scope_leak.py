"""Issue 12, defect 4: a view that raises must not leave its tenant scope behind.

The scope (and the user's language) entered after authentication used to be
left only in ``finalize_response``, which DRF skips when a view raises an
unhandled exception (a 500): the next request served by the same thread then
started inside the previous user's tenant scope. This module is its own
URLconf: the real API plus two probe views.
"""

from __future__ import annotations

import pytest
from django.urls import path
from django.utils import translation
from django_scopes import get_scope
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from crm import urls as crm_urls
from crm.core.api.viewsets import TenantScopedMixin
from crm.core.models import Team
from tests.conftest import client_for


class Boom(RuntimeError):
    pass


class RaisingViewSet(TenantScopedMixin, viewsets.GenericViewSet):
    """Fails after the scope is entered, like any view hitting a bug."""

    model = Team

    def list(self, request):
        assert get_scope().get("tenant") == request.user.tenant_id  # the scope is on
        raise Boom("a bug in a view")


class ScopeProbe(APIView):
    """Reports the scope and language a request starts in (before any scoping)."""

    authentication_classes = []
    permission_classes = []

    def get(self, request):
        current = get_scope()
        return Response(
            {
                "enabled": current.get("_enabled"),
                "tenant": current.get("tenant"),
                "language": translation.get_language(),
            }
        )


urlpatterns = [
    path("probe/raise/", RaisingViewSet.as_view({"get": "list"})),
    path("probe/scope/", ScopeProbe.as_view()),
    *crm_urls.urlpatterns,
]

pytestmark = pytest.mark.urls("tests.core.test_scope_leak")


def test_a_view_that_raises_leaves_no_scope_behind(admin):
    before = dict(get_scope())
    client = client_for(admin)
    client.raise_request_exception = False
    admin.language = "en"
    admin.save(update_fields=["language"])

    response = client.get("/probe/raise/", HTTP_ACCEPT_LANGUAGE="")
    assert response.status_code == 500

    # Same thread, right after the failure: the tenant's scope is gone.
    assert get_scope() == before
    assert get_scope().get("tenant") is None
    # The middleware activated the default (no Accept-Language); the user's own
    # language ("en"), entered after authentication, was left with the scope.
    assert translation.get_language() == "zh-hans"

    # And the next request on this thread starts without any tenant scope.
    probe = client_for(None).get("/probe/scope/?lang=zh-hans")
    assert probe.status_code == 200
    assert probe.json()["tenant"] is None


def test_the_next_tenant_sees_only_its_own_rows_after_a_failure(admin, other_admin):
    failing = client_for(admin)
    failing.raise_request_exception = False
    assert failing.get("/probe/raise/").status_code == 500

    response = client_for(other_admin).get("/api/v1/teams/")
    assert response.status_code == 200
    tenants = {Team.objects.get(pk=row["id"]).tenant_id for row in response.json()["results"]}
    assert tenants <= {other_admin.tenant_id}
    assert get_scope().get("tenant") is None


def test_a_refused_request_also_leaves_the_scope(admin):
    """A handled error (404 for another id) closes the scope as before."""
    response = client_for(admin).get("/api/v1/teams/999999/")
    assert response.status_code == 404
    assert get_scope().get("tenant") is None
