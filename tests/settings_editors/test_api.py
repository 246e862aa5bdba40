"""The editors of issue 17, item 3: the API they rely on.

Dictionary values in use refuse deletion (409 naming where they are used) and
are deactivated instead; values are reordered in one request; the settings
page reads each setting's module, unit and limits, without switched-off
modules; the role editor's codes carry their module and readable group; the
working calendar tells when official holidays are missing.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from crm.core.models import AuditEntry, DictionaryItem
from tests.conftest import client_for, make_user
from tests.sales import factories as f

pytestmark = pytest.mark.django_db


def _item(tenant, kind="industry", code="manufacturing"):
    return DictionaryItem.objects.get(tenant=tenant, kind=kind, code=code)


# --- dictionary -------------------------------------------------------------------------


def test_dictionary_value_in_use_cannot_be_deleted(admin, api):
    industry = _item(admin.tenant)
    customer = f.customer(admin, name="用行业的客户", industry=industry)
    response = api.delete(f"/api/v1/dictionary/{industry.pk}/")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "protected"
    assert industry.label in body["detail"]
    assert body["blockers"] == [{"model": "客户", "count": 1}] or body["blockers"][0]["count"] == 1
    assert DictionaryItem.objects.filter(pk=industry.pk, active=True).exists()
    # Deactivation is what is offered: the value leaves the choices, the record keeps it.
    response = api.patch(f"/api/v1/dictionary/{industry.pk}/", {"active": False}, format="json")
    assert response.status_code == 200, response.content
    choices = api.get(
        "/api/v1/dictionary/", {"kind": "industry", "active": "true", "page_size": 200}
    )
    assert industry.pk not in [row["id"] for row in choices.json()["results"]]
    shown = api.get(f"/api/v1/customers/{customer.pk}/").json()
    assert shown["industry"] == industry.pk
    assert shown["industry_label"] == industry.label


def test_dictionary_value_used_by_a_hidden_relation_is_in_use(admin, api):
    """A pool level rule points at a level with related_name="+": still counted."""
    from crm.customers.models import PoolLevelRule

    level = _item(admin.tenant, "level", "a")
    PoolLevelRule.objects.create(tenant=admin.tenant, level=level, idle_days=10)
    response = api.delete(f"/api/v1/dictionary/{level.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409, response.content
    assert PoolLevelRule.objects.filter(level=level).exists()
    # The count and its noun agree (was "1 pool rules per level").
    assert "(1 pool rule per level)" in response.json()["detail"], response.json()


def test_dictionary_usage_counts_agree_with_their_nouns(admin, api):
    industry = _item(admin.tenant)
    f.customer(admin, name="行业客户一", industry=industry)
    response = api.delete(f"/api/v1/dictionary/{industry.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409, response.content
    assert "(1 customer)" in response.json()["detail"], response.json()
    f.customer(admin, name="行业客户二", industry=industry)
    response = api.delete(f"/api/v1/dictionary/{industry.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "(2 customers)" in response.json()["detail"], response.json()


def test_unused_dictionary_value_is_deleted_and_audited(admin, api):
    created = api.post(
        "/api/v1/dictionary/",
        {"kind": "industry", "code": "mining", "label": "采矿业"},
        format="json",
    ).json()
    response = api.delete(f"/api/v1/dictionary/{created['id']}/")
    assert response.status_code == 204, response.content
    assert not DictionaryItem.objects.filter(pk=created["id"]).exists()
    assert AuditEntry.objects.filter(object_id=created["id"], action="delete").count() == 1


def test_dictionary_reorder(admin, api, django_assert_max_num_queries):
    ids = list(
        DictionaryItem.objects.filter(tenant=admin.tenant, kind="industry")
        .order_by("order", "id")
        .values_list("id", flat=True)
    )
    wanted = list(reversed(ids))
    with django_assert_max_num_queries(12 + len(ids)):
        response = api.post(
            "/api/v1/dictionary/reorder/", {"kind": "industry", "ids": wanted}, format="json"
        )
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()] == wanted
    listed = api.get("/api/v1/dictionary/", {"kind": "industry", "page_size": 200}).json()
    assert [row["id"] for row in listed["results"]] == wanted


def test_dictionary_reorder_refuses_a_partial_or_foreign_list(admin, api, other_admin):
    ids = list(
        DictionaryItem.objects.filter(tenant=admin.tenant, kind="industry").values_list(
            "id", flat=True
        )
    )
    before = dict(DictionaryItem.objects.filter(pk__in=ids).values_list("id", "order"))
    foreign = _item(other_admin.tenant).pk
    for body in (
        {"kind": "industry", "ids": ids[:-1]},
        {"kind": "industry", "ids": [*ids[:-1], foreign]},
        {"kind": "industry", "ids": [*ids, ids[0]]},
    ):
        response = api.post("/api/v1/dictionary/reorder/", body, format="json")
        assert response.status_code == 400, response.content
        assert "ids" in response.json()["fields"]
    response = api.post("/api/v1/dictionary/reorder/", {"kind": "nope", "ids": ids}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()["fields"]
    assert dict(DictionaryItem.objects.filter(pk__in=ids).values_list("id", "order")) == before


def test_dictionary_reorder_needs_the_edit_code(admin, rep):
    ids = list(
        DictionaryItem.objects.filter(tenant=admin.tenant, kind="industry").values_list(
            "id", flat=True
        )
    )
    response = client_for(rep).post(
        "/api/v1/dictionary/reorder/", {"kind": "industry", "ids": ids}, format="json"
    )
    assert response.status_code == 403


# --- settings described -------------------------------------------------------------------


def test_setting_fields_carry_module_unit_and_limits(admin, api):
    rows = api.get("/api/v1/settings/fields/").json()
    by_key = {row["key"]: row for row in rows}
    pool = by_key["pool_idle_days"]
    assert (pool["module"], pool["unit"], pool["min"], pool["max"]) == ("leads", "days", 1, 365)
    assert pool["value"] == admin.tenant.setting("pool_idle_days")
    assert by_key["complaint_ack_hours_critical"]["unit"] == "hours"
    assert by_key["complaint_ack_hours_critical"]["module"] == "service"
    assert by_key["task_reminder_minutes"]["unit"] == "minutes"
    assert by_key["daily_claim_cap"]["unit"] == "count"
    assert all(row["label"] and row["module_label"] for row in rows)
    # Grouped: each module's settings come together.
    modules = [row["module"] for row in rows]
    assert modules == sorted(modules, key=modules.index)


def test_setting_fields_hide_a_switched_off_module(admin, api):
    assert api.patch("/api/v1/modules/", {"service": False}, format="json").status_code == 200
    keys = {row["key"] for row in api.get("/api/v1/settings/fields/").json()}
    assert "complaint_ack_hours_critical" not in keys
    assert "pool_idle_days" in keys
    api.patch("/api/v1/modules/", {"service": True}, format="json")
    keys = {row["key"] for row in api.get("/api/v1/settings/fields/").json()}
    assert "complaint_ack_hours_critical" in keys


def test_out_of_range_setting_names_the_field(api):
    response = api.patch("/api/v1/settings/", {"pool_idle_days": 9999}, format="json")
    assert response.status_code == 400
    assert "pool_idle_days" in response.json()["fields"]


# --- role editor codes ----------------------------------------------------------------------


def test_codes_carry_their_module_and_group_label(api):
    from django.utils import translation

    with translation.override("zh-hans"):
        rows = api.get("/api/v1/roles/codes/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    by_code = {row["code"]: row for row in rows}
    approve = by_code["transition:contract.approve"]
    assert approve["transition"] is True
    assert approve["app_module"] == "sales"
    assert approve["module_label"] == "合同"
    assert by_code["sales.contract.view"]["app_module"] == "sales"
    assert by_code["users.view"]["app_module"] == "system"
    assert by_code["users.view"]["transition"] is False


def test_codes_of_a_switched_off_module_are_hidden(api):
    api.patch("/api/v1/modules/", {"marketing": False}, format="json")
    rows = api.get("/api/v1/roles/codes/").json()
    assert not [row for row in rows if row["app_module"] == "marketing"]
    assert any(row["app_module"] == "sales" for row in rows)


# --- working calendar -----------------------------------------------------------------------


def test_working_hours_tell_the_years_without_official_holidays(api):
    body = api.get("/api/v1/calendar/working-hours/").json()
    year = timezone.localdate().year
    from workflows.calendar import unpublished_years

    expected = unpublished_years(date(year, 1, 1), date(year + 1, 12, 31))
    assert body["missing_official_years"] == expected


def test_a_day_off_moves_the_deadline(api):
    start = "2026-06-01T09:00:00+08:00"  # a Monday
    before = api.get("/api/v1/calendar/add-hours/", {"start": start, "hours": 12}).json()
    assert before["deadline"].startswith("2026-06-02")
    created = api.post(
        "/api/v1/calendar/days/",
        {"date": "2026-06-02", "is_workday": False, "note": "公司团建"},
        format="json",
    )
    assert created.status_code == 201, created.content
    after = api.get("/api/v1/calendar/add-hours/", {"start": start, "hours": 12}).json()
    assert after["deadline"].startswith("2026-06-03")


def test_service_user_sees_but_cannot_edit_settings_fields(admin):
    service = make_user(admin, "客服")
    client = client_for(service)
    assert client.get("/api/v1/settings/fields/").status_code == 200
    response = client.patch("/api/v1/settings/", {"pool_idle_days": 20}, format="json")
    assert response.status_code == 403
