"""The workflow engine: one transition() for every process."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.utils import translation

from crm.core.errors import (
    Conflict,
    GuardFailed,
    InvalidTransition,
    NotFound,
    PermissionRefused,
)
from crm.core.models import AuditEntry
from crm.customers.models import Lead
from tests.conftest import client_for, make_user, uses_postgres
from tests.customers.leads import lead_in_state, log_call, move, new_lead, role_without
from workflows import lead as lead_process
from workflows.engine import available_transitions, transition
from workflows.models import TransitionLog


@pytest.fixture(autouse=True)
def _english():
    """Engine messages are checked in their English source form."""
    with translation.override("en"):
        yield


def run(lead, name, actor, **kwargs):
    return transition(model=Lead, pk=lead.pk, name=name, tenant=lead.tenant, actor=actor, **kwargs)


# --- the engine itself --------------------------------------------------------------


@pytest.mark.django_db
def test_transition_saves_logs_audits_and_bumps_the_version(admin):
    lead = new_lead(admin)
    moved = run(lead, "disqualify", admin, inputs={"reason": "重复线索", "comment": "查重"})
    assert (moved.status, moved.version, moved.disqualify_reason) == ("disqualified", 2, "重复线索")
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.status, stored.version) == ("disqualified", 2)
    log = TransitionLog.objects.get(process="lead", object_id=lead.pk)
    assert (log.transition, log.source, log.target, log.actor, log.comment) == (
        "disqualify",
        "new",
        "disqualified",
        admin,
        "查重",
    )
    entry = AuditEntry.objects.get(object_id=lead.pk, action="transition:disqualify")
    assert entry.actor == admin
    assert entry.changes == {"status": ["new", "disqualified"], "reason": "重复线索"}


@pytest.mark.django_db
def test_the_status_field_cannot_be_set_directly(admin):
    lead = new_lead(admin)
    with pytest.raises(AttributeError):
        lead.status = "converted"


@pytest.mark.django_db
def test_unknown_step_and_wrong_state(admin):
    lead = new_lead(admin)
    with pytest.raises(InvalidTransition) as unknown:
        run(lead, "fly", admin)
    assert "fly" in str(unknown.value.detail)
    with pytest.raises(InvalidTransition):
        run(lead, "qualify", admin)
    assert Lead.objects.get(pk=lead.pk).version == 1


@pytest.mark.django_db
def test_stale_expected_version_is_a_conflict(admin):
    lead = new_lead(admin)
    with pytest.raises(Conflict):
        run(lead, "pool", admin, expected_version=7)
    assert run(lead, "pool", admin, expected_version=1).status == "pooled"


@pytest.mark.django_db
def test_permission_is_checked_for_people_not_for_the_system(admin):
    user = make_user(admin, role_without(admin, "transition:lead.pool").name)
    lead = new_lead(admin)
    with pytest.raises(PermissionRefused):
        run(lead, "pool", user)
    assert run(lead, "pool", None).status == "pooled"
    log = TransitionLog.objects.get(process="lead", object_id=lead.pk)
    assert log.actor is None


@pytest.mark.django_db
def test_guard_failed_lists_missing_inputs_then_every_guard(admin):
    lead = lead_in_state(admin, "contacted", mobile="", email="", need="")
    with pytest.raises(GuardFailed) as failed:
        run(lead, "qualify", admin)
    assert failed.value.reasons == [
        "Enter a mobile number or an e-mail address first.",
        "Describe the lead's need first.",
    ]
    with pytest.raises(GuardFailed) as no_reason:
        run(lead, "disqualify", admin, inputs={"reason": ""})
    assert no_reason.value.reasons == ["Give the reason for disqualifying."]


@pytest.mark.django_db
def test_the_system_cannot_claim(admin):
    lead = lead_in_state(admin, "pooled")
    with pytest.raises(GuardFailed) as failed:
        run(lead, "claim", None)
    assert failed.value.reasons == ["Only a person can claim a lead."]


@pytest.mark.django_db
def test_stray_inputs_are_ignored_not_a_crash(admin):
    lead = new_lead(admin)
    assert run(lead, "pool", admin, inputs={"reason": "x", "unknown": 1}).status == "pooled"


@pytest.mark.django_db
def test_another_tenants_record_cannot_be_moved(admin, other_admin):
    lead = new_lead(other_admin)
    with pytest.raises(NotFound):  # 404, as for a row deleted meanwhile
        transition(model=Lead, pk=lead.pk, name="pool", tenant=admin.tenant, actor=admin)
    assert Lead.objects.get(pk=lead.pk).status == "new"


@pytest.mark.django_db
def test_side_effects_run_only_after_commit(admin, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    step = lead_process.STEPS["pool"]
    monkeypatch.setattr(step, "after_commit", [calls.append])
    lead = new_lead(admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run(lead, "pool", admin)
        assert calls == []
    assert calls == []
    for callback in callbacks:
        callback()
    assert calls == [lead.pk]


@pytest.mark.django_db
def test_a_failing_in_transaction_step_rolls_everything_back(admin, monkeypatch):
    def boom(obj, ctx):
        raise RuntimeError("disk full")

    monkeypatch.setattr(lead_process.STEPS["pool"], "in_transaction", [boom])
    lead = new_lead(admin)
    with pytest.raises(RuntimeError):
        run(lead, "pool", admin)
    lead.refresh_from_db()
    assert (lead.status, lead.version, lead.owner) == ("new", 1, admin)
    assert not TransitionLog.objects.filter(process="lead", object_id=lead.pk).exists()


@pytest.mark.django_db
def test_available_transitions_for_a_user(admin):
    lead = new_lead(admin)
    names = {t["name"]: t for t in available_transitions(lead, admin)}
    assert set(names) == {"contact", "disqualify", "pool"}
    assert names["contact"]["allowed"] is False
    assert names["disqualify"] == {
        "name": "disqualify",
        "label": "Disqualify",
        "allowed": True,
        "reasons": [],
        "irreversible": True,
        "inputs": [
            {
                "name": "reason",
                "label": "disqualification reason",
                "required": True,
                "type": "textarea",
                "max_length": 300,
            }
        ],
    }
    log_call(lead, admin)
    lead.refresh_from_db()
    assert all(t["allowed"] for t in available_transitions(lead, admin))


# --- optimistic locking through the API -----------------------------------------------


@pytest.mark.django_db
def test_if_match_on_update(api, admin):
    lead = new_lead(admin)
    url = f"/api/v1/leads/{lead.pk}/?lang=en"
    first = api.get(url)
    assert first["ETag"] == '"1"'
    ok = api.patch(url, {"need": "新需求"}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == 2 and ok["ETag"] == '"2"'
    stale = api.patch(url, {"need": "旧页面的修改"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert stale.json() == {
        "code": "conflict",
        "detail": "The record was changed by someone else. Reload it and try again.",
    }
    lead.refresh_from_db()
    assert lead.need == "新需求"
    weak = api.patch(url, {"need": "第三次"}, format="json", HTTP_IF_MATCH='W/"2"')
    assert weak.status_code == 200
    bad = api.patch(url, {"need": "x"}, format="json", HTTP_IF_MATCH="banana")
    assert bad.status_code == 400
    assert "If-Match" in bad.json()["fields"]


@pytest.mark.django_db
def test_if_match_on_a_transition(api, admin):
    lead = new_lead(admin)
    url = f"/api/v1/leads/{lead.pk}/transitions/pool/?lang=en"
    stale = api.post(url, {}, format="json", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert Lead.objects.get(pk=lead.pk).status == "new"
    fresh = api.post(url, {}, format="json", HTTP_IF_MATCH='"1"')
    assert fresh.status_code == 200
    assert fresh.json()["version"] == 2


@pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): row locks (SELECT ... FOR UPDATE) "
    "exist on PostgreSQL only; SQLite serialises writes",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step", ["contact", "pool"])
def test_two_simultaneous_transitions_one_wins_one_gets_409(admin, monkeypatch, step):
    lead = new_lead(admin)
    log_call(lead, admin)
    clients = [client_for(admin), client_for(make_user(admin, "管理员"))]
    # Widen the window between the state check and the save: without the row lock both
    # requests would pass their checks.
    real = lead_process.has_logged_activity

    def slow_guard(obj, ctx):
        time.sleep(0.3)
        return real(obj, ctx)

    monkeypatch.setattr(lead_process.STEPS[step], "guards", [slow_guard])
    barrier = threading.Barrier(2)
    results: list[tuple[int, str | None]] = []

    def attempt(client):
        try:
            barrier.wait(timeout=10)
            response = client.post(
                f"/api/v1/leads/{lead.pk}/transitions/{step}/?lang=en", {}, format="json"
            )
            results.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r[0] for r in results) == [200, 409], results
    assert next(code for status, code in results if status == 409) in (
        "invalid_transition",
        "conflict",
    )
    assert TransitionLog.objects.filter(process="lead", object_id=lead.pk).count() == 1
    assert Lead.objects.get(pk=lead.pk).version == 2


@pytest.mark.django_db
def test_move_helper_uses_the_engine(admin):
    """Sanity: the helpers used across these tests go through transition()."""
    lead = new_lead(admin)
    move(lead, "pool", admin)
    assert TransitionLog.objects.filter(process="lead", object_id=lead.pk).count() == 1
