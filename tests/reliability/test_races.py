"""Races on one record: exactly one writer wins, the rest are refused (409);
a stale If-Match is refused, never merged."""

from __future__ import annotations

from collections import Counter

import pytest

from crm.customers.models import Lead
from tests.conftest import client_for, uses_postgres
from tests.races import race
from workflows.models import TransitionLog

THREADS = 8
needs_postgres = pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): the races are decided by row locks "
    "(SELECT ... FOR UPDATE), a no-op on SQLite, which serialises writers",
)


@pytest.fixture
def lead(api):
    body = {"company_name": "竞争公司", "need": "CRM"}
    response = api.post("/api/v1/leads/", body, format="json")
    assert response.status_code == 201
    return response.json()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_one_transition_exactly_one_wins(admin, lead):
    clients = [client_for(admin) for _ in range(THREADS)]
    url = f"/api/v1/leads/{lead['id']}/transitions/"
    for round_, step in enumerate(["pool", "claim", "pool", "claim"], start=1):
        responses = race(clients, lambda c, s=step: c.post(f"{url}{s}/", {}, format="json"))
        codes = Counter(r.status_code for r in responses)
        assert codes == {200: 1, 409: THREADS - 1}, (step, codes)
        assert {r.json()["code"] for r in responses if r.status_code == 409} <= {
            "invalid_transition",
            "conflict",
        }
        assert TransitionLog.objects.filter(object_id=lead["id"]).count() == round_
    assert Lead.objects.get(pk=lead["id"]).version == 1 + 4


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_editing_with_the_same_version_one_wins(admin, lead):
    clients = [client_for(admin) for _ in range(THREADS)]
    url = f"/api/v1/leads/{lead['id']}/"
    responses = race(
        clients,
        lambda c: c.patch(
            url, {"need": f"需求 {id(c)}"}, format="json", HTTP_IF_MATCH=f'"{lead["version"]}"'
        ),
    )
    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 1, 409: THREADS - 1}, codes
    winner = next(r for r in responses if r.status_code == 200).json()
    fresh = Lead.objects.get(pk=lead["id"])
    assert fresh.version == lead["version"] + 1 == winner["version"]
    assert fresh.need == winner["need"]


@pytest.mark.django_db
def test_stale_if_match_is_refused(api, lead):
    url = f"/api/v1/leads/{lead['id']}/"
    first = api.get(url)
    assert first["ETag"] == f'"{lead["version"]}"'
    ok = api.patch(url, {"need": "新需求"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert ok.status_code == 200 and ok.json()["version"] == lead["version"] + 1
    stale = api.patch(url, {"need": "旧版本"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    moved = api.post(f"{url}transitions/pool/", {}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert moved.status_code == 409 and moved.json()["code"] == "conflict"
    fresh = Lead.objects.get(pk=lead["id"])
    assert fresh.need == "新需求" and fresh.status == "new"
    weak = api.post(
        f"{url}transitions/pool/", {}, format="json", HTTP_IF_MATCH=f'W/"{fresh.version}"'
    )
    assert weak.status_code == 200


@pytest.mark.django_db
def test_garbage_if_match_is_a_field_error(api, lead):
    response = api.patch(
        f"/api/v1/leads/{lead['id']}/", {"need": "x"}, format="json", HTTP_IF_MATCH="abc"
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["fields"]
