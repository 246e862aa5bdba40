"""Health, the OpenAPI schema and the offline API docs."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from tests.conftest import uses_redis

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker():
    response = APIClient().get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == body["database"] == body["broker"] == "ok"
    assert body["broker_kind"] == ("redis" if uses_redis() else "in-process")
    assert body["database_vendor"] in ("sqlite", "postgresql")


def test_health_says_down_when_the_broker_is_down(monkeypatch):
    monkeypatch.setattr("tasks.broker.ping", lambda: False)
    response = APIClient().get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "down" and response.json()["broker"] == "down"


def test_openapi_schema():
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Shanghui CRM API"
    paths = schema["paths"]
    for path in (
        "/api/v1/leads/",
        "/api/v1/leads/{id}/",
        "/api/v1/leads/{id}/transitions/convert/",  # one operation per step
        "/api/v1/leads/{id}/history/",
        "/api/v1/customers/",
        "/api/v1/signup/",
        "/api/v1/auth/token/",
        "/api/v1/settings/",
        "/api/v1/notifications/",
    ):
        assert path in paths, path
    lead = schema["components"]["schemas"]["LeadDetail"]["properties"]
    assert "transitions" in lead


def test_api_docs_are_served_without_a_cdn():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)
    assert external == [], external
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis"):
        assert cdn not in html
    assert "/api/schema/" in html
    # the assets it references are served locally
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html):
        assert APIClient().get(asset).status_code == 200, asset
