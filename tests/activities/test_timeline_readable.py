"""A lead's timeline and history read without an English identifier (issue 20 item 7):
a transition names its step and both states by their labels, a field change its
field by the verbose name and the referenced record by its name."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.utils import translation

from crm.activities.services import activity_create
from crm.customers.services import lead_create, lead_update
from crm.marketing import services as marketing
from tests.activities.helpers import move
from tests.conftest import client_for
from workflows.contract import InstallmentStatus
from workflows.lead import LeadStatus
from workflows.task import TaskStatus

pytestmark = pytest.mark.django_db

# A raw code or field name: a run of ASCII lowercase words, e.g. "new", "ad placement".
CODES = {"new", "contacted", "contact", "ad_placement", "ad placement", "Mark contacted"}


def _lead_moved_and_edited(admin):
    lead = lead_create(
        tenant=admin.tenant, actor=admin, company_name="读历史公司", contact_name="王五"
    )
    activity_create(tenant=admin.tenant, actor=admin, kind="call", subject="首次电话", lead=lead)
    move(lead, "contact", admin)
    ad = marketing.ad_placement_create(
        tenant=admin.tenant, actor=admin, name="百度春季推广", cost=D(1000)
    )
    lead.refresh_from_db()
    lead_update(lead, tenant=admin.tenant, actor=admin, ad_placement=ad)
    return lead


def _texts(entry: dict) -> list[str]:
    out = [str(entry.get(k) or "") for k in ("title", "step_label", "source_label", "target_label")]
    for line in entry.get("lines") or []:
        out += [line["label"], line["old"] or "", line["new"]]
    return out


def test_a_lead_timeline_in_chinese_names_steps_states_and_fields(admin):
    lead = _lead_moved_and_edited(admin)
    api = client_for(admin)
    body = api.get("/api/v1/timeline/", {"lead": lead.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    with translation.override("zh-hans"):
        new, contacted = str(LeadStatus.NEW.label), str(LeadStatus.CONTACTED.label)
        field = str(type(lead)._meta.get_field("ad_placement").verbose_name)
    moved = next(e for e in body["results"] if e["kind"] == "transition")
    assert (moved["source"], moved["target"], moved["transition"]) == (
        "new",
        "contacted",
        "contact",
    )
    assert (moved["source_label"], moved["target_label"]) == (new, contacted)
    assert moved["step_label"] == moved["title"]
    edited = next(
        e
        for e in body["results"]
        if e["kind"] == "change" and any(x["field"] == "ad_placement" for x in e["lines"])
    )
    line = next(x for x in edited["lines"] if x["field"] == "ad_placement")
    assert (line["label"], line["old"], line["new"]) == (field, "—", "百度春季推广")
    # Once the catalogs hold them (a check that can fail: the labels are Chinese).
    for text in _texts(moved) + _texts(edited):
        assert text not in CODES, text
    if re.search(r"[\u4e00-\u9fff]", contacted):
        assert re.search(r"[\u4e00-\u9fff]", moved["step_label"]), moved
        assert re.search(r"[\u4e00-\u9fff]", line["label"]), line

    # The record's own history says the same.
    history = api.get(f"/api/v1/leads/{lead.pk}/history/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    step = next(h for h in history if h["kind"] == "transition")
    assert (step["source_label"], step["target_label"]) == (new, contacted)
    assert step["step_label"] == moved["step_label"]


def test_a_lead_timeline_in_english_uses_the_english_labels(admin):
    lead = _lead_moved_and_edited(admin)
    body = client_for(admin).get("/api/v1/timeline/", {"lead": lead.pk}, HTTP_ACCEPT_LANGUAGE="en")
    moved = next(e for e in body.json()["results"] if e["kind"] == "transition")
    with translation.override("en"):
        assert moved["step_label"] == "Mark contacted"
        assert (moved["source_label"], moved["target_label"]) == (
            str(LeadStatus.NEW.label),
            str(LeadStatus.CONTACTED.label),
        )


def test_task_open_and_instalment_open_are_two_messages():
    """Both codes are "open"; each label has its own context so zh can say 待办 and 未收齐."""
    task, instalment = TaskStatus.OPEN.label, InstallmentStatus.OPEN.label
    # pgettext_lazy keeps the context beside the message: the catalogs see two msgids.
    assert task._args == ("task status", "open")
    assert instalment._args == ("instalment status", "open")
    with translation.override("en"):
        assert str(task) == str(instalment) == "open"
