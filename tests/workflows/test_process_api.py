"""GET /api/v1/processes/: the states and steps of every process, labelled.

The web app builds its status filters, form options and status labels from
this list instead of hand-copied ones, so it must name every state of every
process in the caller's language.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from crm.customers.models import Lead
from tests.conftest import client_for, make_user
from workflows.process import all_processes

pytestmark = pytest.mark.django_db


def processes(client, lang: str) -> dict[str, dict]:
    response = client.get(f"/api/v1/processes/?lang={lang}")
    assert response.status_code == 200, response.content
    return {p["name"]: p for p in response.json()}


def test_every_process_lists_every_state_and_step(api):
    listed = processes(api, "en")
    assert set(listed) == {p.name for p in all_processes()}
    for process in all_processes():
        field = process.model._meta.get_field(process.field_name)
        entry = listed[process.name]
        assert [s["value"] for s in entry["states"]] == [str(v) for v, _ in field.choices]
        assert all(s["label"] for s in entry["states"])
        assert [s["name"] for s in entry["steps"]] == list(process.steps)
        assert entry["field"] == process.field_name


def test_lead_states_in_the_callers_language(api):
    en = processes(api, "en")["lead"]
    zh = processes(api, "zh-hans")["lead"]
    assert en["collection"] == "leads"
    assert [s["value"] for s in en["states"]] == [
        v for v, _ in Lead._meta.get_field("status").choices
    ]
    with translation.override("en"):
        english = {str(v): str(label) for v, label in Lead._meta.get_field("status").choices}
    assert {s["value"]: s["label"] for s in en["states"]} == english
    zh_labels = {s["value"]: s["label"] for s in zh["states"]}
    assert zh_labels["pooled"] != english["pooled"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh_labels["pooled"])
    assert {s["name"]: s["label"] for s in en["steps"]}["qualify"] == "Qualify"


def test_any_signed_in_user_may_read_it_and_it_may_be_cached(admin):
    clerk = make_user(admin, "销售代表")
    response = client_for(clerk).get("/api/v1/processes/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    assert APIClient().get("/api/v1/processes/").status_code == 401
