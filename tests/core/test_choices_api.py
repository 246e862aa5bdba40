"""GET /api/v1/choices/: every collection's fixed choices with their labels.

The web app takes its select options, filters and labels of fields like a
customer's kind or a complaint's severity from here instead of copies.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from crm.customers.models import Customer
from crm.service.models import Complaint
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def choices(client, lang: str) -> dict:
    response = client.get(f"/api/v1/choices/?lang={lang}")
    assert response.status_code == 200, response.content
    return response.json()


def labels(entries: list[dict]) -> dict[str, str]:
    return {e["value"]: e["label"] for e in entries}


def test_lists_each_collections_choice_fields_in_the_models_order(api):
    data = choices(api, "en")
    kinds = data["customers"]["kind"]
    assert [k["value"] for k in kinds] == [
        str(v) for v, _ in Customer._meta.get_field("kind").choices
    ]
    severity = data["complaints"]["severity"]
    assert [s["value"] for s in severity] == [
        str(v) for v, _ in Complaint._meta.get_field("severity").choices
    ]
    assert set(data["complaints"]) >= {"channel", "category", "severity", "status"}
    assert {"kind"} <= set(data["activities"])
    assert labels(data["roles"]["data_scope"])["own"]
    assert "contacts" not in data  # no choice fields, no entry


def test_labels_follow_the_callers_language(api):
    en = labels(choices(api, "en")["customers"]["kind"])
    zh = labels(choices(api, "zh-hans")["customers"]["kind"])
    assert en.keys() == zh.keys()
    assert en["company"] != zh["company"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["company"])


def test_any_signed_in_user_may_read_it_and_it_may_be_cached(admin):
    rep = make_user(admin, "销售代表")
    response = client_for(rep).get("/api/v1/choices/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    assert APIClient().get("/api/v1/choices/").status_code == 401


def test_a_list_of_choices_and_narrowed_choices_are_listed(api):
    """A field holding several choices (a lead form's shown fields) lists its item
    choices; a suppression offers only the channels that carry marketing."""
    from crm.customers.models import LeadForm

    data = choices(api, "zh-hans")
    shown = data["lead-forms"]["shown_fields"]
    assert [s["value"] for s in shown] == [str(v) for v, _ in LeadForm.Field.choices]
    assert [k["value"] for k in data["suppressions"]["channel_kind"]] == ["sms", "email"]
    assert labels(data["suppressions"]["channel_kind"])["sms"] == "短信"
