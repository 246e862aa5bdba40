"""Issue 12, defect 5: bad input answers 400 naming the field, never a 500.

Every request here once answered 500 (found by sending it): JSON nested very
deep, NUL characters, dates at the edges of the calendar, a duplicate team
name on PUT, OPTIONS on an approval band.
"""

from __future__ import annotations

import pytest
from rest_framework import serializers

from crm.core.models import DictionaryItem, Team
from crm.customers.models import Customer
from tests.conftest import client_for
from tests.sales.factories import customer, opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin):
    client = client_for(admin)
    client.raise_request_exception = False  # a 500 is an answer to assert on, not a crash
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def refused(response, field: str, code: str = "invalid") -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    assert body["code"] == code, body
    assert field in body.get("fields", {}), body
    assert body["fields"][field] and all(isinstance(m, str) for m in body["fields"][field])
    return body


# --- JSON nested very deep ---------------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 1_000])
def test_json_nested_very_deep_is_a_400(api, depth):
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    response = api.post("/api/v1/customers/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    data = response.json()
    assert data["code"] == "parse_error"
    assert "deep" in data["detail"]
    assert Customer.objects.count() == 0


def test_json_of_ordinary_depth_still_parses(api):
    response = api.post(
        "/api/v1/customers/", {"name": "正常客户", "address": "上海"}, format="json"
    )
    assert response.status_code == 201, response.content


# --- NUL characters ----------------------------------------------------------------------


def test_nul_in_a_text_field_names_the_field(api):
    refused(
        api.post("/api/v1/customers/", {"name": "ok", "remark": "a\x00b"}, format="json"), "remark"
    )
    refused(
        api.post("/api/v1/leads/", {"company_name": "公司", "need": "\x00"}, format="json"), "need"
    )


def test_nul_in_a_transition_comment_names_the_field(api, admin):
    cust = customer(admin)
    opp = opportunity(admin, cust=cust)
    reason = DictionaryItem.objects.filter(
        tenant=admin.tenant, kind=DictionaryItem.Kind.LOSS_REASON
    ).first()
    response = api.post(
        f"/api/v1/opportunities/{opp.pk}/transitions/lost/",
        {"comment": "bad\x00comment", "reason": reason.code},
        format="json",
    )
    refused(response, "comment")
    opp.refresh_from_db()
    assert opp.status != "lost"


def test_nul_in_a_search_or_filter_is_not_a_500(api):
    for params in ({"search": "a\x00b"}, {"name": "a\x00b"}, {"ordering": "\x00"}):
        response = api.get("/api/v1/customers/", params)
        assert response.status_code in (200, 400), (params, response.content[:300])


# --- dates at the edges ------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_aging_as_of_at_the_edges_names_the_field(api, as_of):
    refused(api.get("/api/v1/reports/receivables-aging/", {"as_of": as_of}), "as_of")


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_expected_close_date_at_the_edges_names_the_field(api, admin, value):
    cust = customer(admin)
    response = api.post(
        "/api/v1/opportunities/",
        {"name": "边界日期", "customer": cust.pk, "amount": "10.00", "expected_close_date": value},
        format="json",
    )
    refused(response, "expected_close_date")


@pytest.mark.parametrize("value", ["9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00Z"])
def test_follow_up_due_at_at_the_edges_names_the_field(api, admin, value):
    cust = customer(admin)
    response = api.post(
        "/api/v1/follow-ups/",
        {"kind": "care", "subject": "回访", "customer": cust.pk, "due_at": value},
        format="json",
    )
    refused(response, "due_at")


@pytest.mark.parametrize("value", ["9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00Z"])
def test_activity_and_complaint_times_at_the_edges_name_the_field(api, admin, value):
    cust = customer(admin)
    refused(
        api.post(
            "/api/v1/activities/",
            {"kind": "call", "subject": "电话", "customer": cust.pk, "occurred_at": value},
            format="json",
        ),
        "occurred_at",
    )
    refused(
        api.post(
            "/api/v1/complaints/",
            {"customer": cust.pk, "description": "投诉", "received_at": value},
            format="json",
        ),
        "received_at",
    )


def test_dates_inside_the_range_are_accepted(api, admin):
    cust = customer(admin)
    response = api.post(
        "/api/v1/opportunities/",
        {
            "name": "正常日期",
            "customer": cust.pk,
            "amount": "10.00",
            "expected_close_date": "2199-12-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["expected_close_date"] == "2199-12-31"


# --- teams, approval bands -----------------------------------------------------------------


def test_put_of_a_team_with_an_existing_name_names_the_field(api, admin):
    first = api.post("/api/v1/teams/", {"name": "华东一部"}, format="json")
    second = api.post("/api/v1/teams/", {"name": "华东二部"}, format="json")
    assert first.status_code == second.status_code == 201
    team_id = second.json()["id"]
    response = api.put(f"/api/v1/teams/{team_id}/", {"name": "华东一部"}, format="json")
    refused(response, "name")
    assert Team.objects.get(pk=team_id).name == "华东二部"
    patch = api.patch(f"/api/v1/teams/{team_id}/", {"name": "华东一部"}, format="json")
    refused(patch, "name")
    again = api.post("/api/v1/teams/", {"name": "华东一部"}, format="json")
    refused(again, "name")


def test_options_on_an_approval_band_answers(api):
    bands = api.get("/api/v1/approval-bands/")
    assert bands.status_code == 200
    band_id = bands.json()["results"][0]["id"]
    response = api.options(f"/api/v1/approval-bands/{band_id}/")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["name"]
    assert api.options("/api/v1/approval-bands/").status_code == 200


@pytest.mark.parametrize(
    "params", [{"from": "0001-01-01"}, {"to": "0001-01-01"}, {"to": "9999-12-30"}]
)
@pytest.mark.parametrize("report", ["sla", "follow-ups", "satisfaction"])
def test_service_report_periods_at_the_edges_name_the_field(api, report, params):
    refused(api.get(f"/api/v1/reports/{report}/", params), next(iter(params)))


def test_marketing_expense_dates_at_the_edges_name_the_field():
    from crm.marketing.serializers import EventExpenseSerializer

    field = EventExpenseSerializer().fields["spent_on"]
    with pytest.raises(serializers.ValidationError):
        field.run_validation("0001-01-01")
    assert field.run_validation("2026-05-01").year == 2026


def test_a_unique_violation_that_slips_past_the_checks_is_a_400_naming_the_field(admin):
    """Two requests racing past a service's duplicate check: the database's unique
    constraint decides, and the loser gets 400 naming the field, not a 500."""
    from django.db import IntegrityError, transaction

    from crm.core.api.errors import exception_handler

    Team.objects.create(tenant=admin.tenant, name="并发一部")
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Team.objects.create(tenant=admin.tenant, name="并发一部")
    response = exception_handler(caught.value, {})
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert list(response.data["fields"]) == ["name"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/contacts/bulk-delete/",
        "/api/v1/customers/bulk-delete/",
        "/api/v1/leads/bulk-delete/",
        "/api/v1/tasks/bulk-complete/",
    ],
)
def test_an_id_beyond_any_database_id_in_a_bulk_action_names_the_field(api, path):
    """SQLite cannot bind an integer past 2**63 - 1 (OverflowError, a 500): such an id
    is refused by the serializer on every backend."""
    refused(api.post(path, {"ids": [2**63]}, format="json"), "ids")
    # The largest id is accepted and found unknown (400, or one refused row of 200).
    assert api.post(path, {"ids": [2**63 - 1]}, format="json").status_code in (200, 400)


@pytest.mark.parametrize("field", ["mapping", "ignore_columns"])
@pytest.mark.parametrize("wrap", ["{}", '"{}"'])
def test_deep_json_in_a_form_field_names_the_field(api, field, wrap):
    """Multipart JSON fields are parsed by the serializer, not the body parser: the
    same nesting limit applies there (RecursionError answered 500)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.csv", "客户名称\n甲公司\n".encode(), content_type="text/csv")
    deep = wrap.format("[" * 100_000 + "]" * 100_000)
    response = api.post(
        "/api/v1/imports/",
        {"resource": "customers", "file": upload, field: deep, "dry_run": "true"},
        format="multipart",
    )
    refused(response, field)
