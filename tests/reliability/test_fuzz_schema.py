"""schemathesis over /api/schema/: every operation, as a tenant admin, against
the WSGI app. No response may be a server error, and every documented response
must conform to the schema (body, content type).

Reproducible: hypothesis runs derandomized (a fixed seed derived from the test,
no example database), so every run generates the same cases; a failure prints
the falsifying case (method, path, body), schemathesis' curl line to replay it,
and hypothesis' ``@reproduce_failure`` blob. ``FUZZ_MAX_EXAMPLES`` raises the
number of cases per operation for a deeper local run.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Verbosity, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.conftest import client_for

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Endpoints that end the caller's session or mint companies are fuzzed without
# breaking the rest: logout would not matter (token auth), sign-up creates rows.
SKIP = {("POST", "/api/v1/auth/logout/")}


def _schema():
    if os.environ.get("FUZZ_SCHEMA_FILE"):  # fuzz a saved schema (e.g. a subset) instead
        return schemathesis.openapi.from_path(os.environ["FUZZ_SCHEMA_FILE"])
    response = Client(raise_request_exception=True).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200, response.content[:500]
    return schemathesis.openapi.from_dict(response.json())


def _operations():
    """Every operation of the schema; if the schema itself cannot be built, one
    failing entry that says why (instead of a collection error)."""
    try:
        schema = _schema()
    except Exception as exc:  # the schema view failing is itself the finding
        return [SchemaBroken(exc)]
    out = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIP:
            out.append(operation)
    return out


class SchemaBroken:
    method = "GET"
    path = "/api/schema/"

    def __init__(self, exc: Exception):
        self.exc = exc


OPERATIONS = _operations()


@pytest.fixture
def seeded(admin, api):
    """A few rows so detail routes and filters have something to hit."""
    customer = api.post("/api/v1/customers/", {"name": "北京科技"}, format="json").json()
    api.post("/api/v1/contacts/", {"customer": customer["id"], "name": "张三"}, format="json")
    lead = api.post("/api/v1/leads/", {"company_name": "上海贸易", "need": "CRM"}, format="json")
    api.post(
        "/api/v1/activities/",
        {"kind": "call", "subject": "电话", "lead": lead.json()["id"]},
        format="json",
    )
    return admin


@pytest.fixture
def wsgi_app():
    """The WSGI app, with connections kept open across requests as Django's test
    client does (the handler would close the test database's connection)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{o.method.upper()} {o.path}" for o in OPERATIONS]
)
def test_operation_never_fails_and_conforms(operation, seeded, wsgi_app):
    if isinstance(operation, SchemaBroken):
        pytest.fail(f"/api/schema/ cannot be generated: {operation.exc!r}")
    app = wsgi_app
    token = client_for(seeded)._credentials["HTTP_AUTHORIZATION"]

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,  # the same cases on every run and machine
        database=None,  # no examples replayed from an earlier run's local database
        print_blob=True,
        verbosity=Verbosity.normal,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(app=app, headers={"Authorization": token}, checks=CHECKS)

    run()
