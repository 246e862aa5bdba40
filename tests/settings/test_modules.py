"""Modules on and off (issue 17): one registry, enforced in one place.

The route walks are generated from the API router and the module registry, so a
new collection or a new module is covered without touching this file.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType

from crm.activities.models import Notification
from crm.api_router import extra_urlpatterns, router
from crm.core.models import AuditEntry, Tenant
from crm.core.modules import route_module
from crm.core.registries import modules
from crm.customers.models import Lead
from tasks import scheduler
from tests.conftest import client_for, make_user
from tests.customers.leads import new_lead
from workflows import reminders
from workflows.models import Reminder

SWITCHABLE = [m.key for m in modules() if not m.locked]


def api_paths() -> list[str]:
    """One concrete path per registered API route (ids filled with 1)."""
    paths = set()
    for url in router.urls:
        pattern = str(url.pattern)
        if "format" in pattern or pattern == "^$":
            continue
        path = re.sub(r"\(\?P<pk>[^)]*\)", "1", pattern.strip("^$"))
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "a", path)  # a step's name
        paths.add(f"/api/v1/{path}")
    for url in extra_urlpatterns:
        if "format" in str(url.pattern):
            continue
        paths.add("/api/v1/" + re.sub(r"<(?:\w+:)?\w+>", "1", str(url.pattern)))
    return sorted(paths)


def switch(client, **values):
    return client.patch("/api/v1/modules/", values, format="json")


def body_code(response) -> str | None:
    try:
        return response.json().get("code")
    except (ValueError, AttributeError):
        return None


@pytest.mark.django_db
def test_the_list_names_every_module_locked_ones_always_on(api):
    response = api.get("/api/v1/modules/")
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.json()}
    for key in ("customers", "system"):
        assert rows[key]["locked"] is True and rows[key]["enabled"] is True
    for key in ("leads", "sales", "service", "marketing", "activities", "imports", "reports"):
        assert rows[key] == {**rows[key], "enabled": True, "locked": False}
        assert rows[key]["label"]
    assert "/stock-items" in rows["marketing"]["paths"]


@pytest.mark.django_db
def test_every_switchable_module_owns_a_registered_route():
    owners = {route_module(path).key for path in api_paths() if route_module(path)}
    assert set(SWITCHABLE) <= owners


@pytest.mark.django_db
def test_an_admin_switches_a_module_off_and_on_audited(admin, api):
    response = switch(api, marketing=False)
    assert response.status_code == 200
    assert {r["key"]: r["enabled"] for r in response.json()}["marketing"] is False
    admin.tenant.refresh_from_db()
    assert admin.tenant.modules_off == ["marketing"]
    entry = AuditEntry.objects.filter(tenant=admin.tenant, action="modules").get()
    assert entry.changes == {"marketing": [True, False]}
    assert entry.actor_id == admin.pk
    assert switch(api, marketing=True).status_code == 200
    admin.tenant.refresh_from_db()
    assert admin.tenant.modules_off == []
    # The same value again changes nothing and writes no entry.
    switch(api, marketing=True)
    assert AuditEntry.objects.filter(tenant=admin.tenant, action="modules").count() == 2


@pytest.mark.django_db
def test_locked_unknown_and_non_boolean_values_are_refused(api):
    response = switch(api, customers=False, nonsense=False, sales="no")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"customers", "nonsense", "sales"}


@pytest.mark.django_db
def test_only_an_admin_switches(admin, rep):
    response = switch(client_for(rep), marketing=False)
    assert response.status_code == 403
    admin.tenant.refresh_from_db()
    assert admin.tenant.modules_off == []
    assert client_for(rep).get("/api/v1/modules/").status_code == 200


@pytest.mark.django_db
def test_every_route_of_a_disabled_module_answers_404_module_disabled(admin, api, other_admin):
    assert switch(api, **dict.fromkeys(SWITCHABLE, False)).status_code == 200
    walked = {key: 0 for key in SWITCHABLE}
    for path in api_paths():
        module = route_module(path)
        response = api.get(path)
        if module is not None and not module.locked:
            walked[module.key] += 1
            assert response.status_code == 404, path
            assert body_code(response) == "module_disabled", path
        else:
            assert body_code(response) != "module_disabled", path
    assert all(walked.values()), walked
    # Writes too, and only this company: another company still uses marketing.
    assert api.post("/api/v1/stock-items/", {}, format="json").status_code == 404
    assert client_for(other_admin).get("/api/v1/stock-items/").status_code == 200


@pytest.mark.django_db
def test_no_route_answers_module_disabled_when_everything_is_on(api):
    for path in api_paths():
        assert body_code(api.get(path)) != "module_disabled", path


@pytest.mark.django_db
@pytest.mark.parametrize("key", SWITCHABLE)
def test_a_disabled_module_leaves_the_menu_and_the_role_editor(admin, api, key):
    module = next(m for m in modules() if m.key == key)
    before = api.get("/api/v1/menu/").json()
    if module.menu:
        assert key in {group["key"] for group in before}
    codes_before = [row["code"] for row in api.get("/api/v1/roles/codes/").json()]
    if module.codes:
        assert any(c.startswith(module.codes) for c in codes_before)

    switch(api, **{key: False})
    menu = api.get("/api/v1/menu/").json()
    assert key not in {group["key"] for group in menu}
    paths = {entry["path"] for group in menu for entry in group["entries"]}
    assert not paths & {entry.path for entry in module.menu}
    codes = [row["code"] for row in api.get("/api/v1/roles/codes/").json()]
    assert not [c for c in codes if module.codes and c.startswith(module.codes)]
    assert "customers.view" in codes  # the others stay
    me = api.get("/api/v1/me/").json()  # the web app's menu and routes read these
    assert me["modules_off"] == [key]
    assert not [c for c in me["permissions"] if module.codes and c.startswith(module.codes)]
    assert "customers.view" in me["permissions"]
    panels = api.get("/api/v1/workbench/").json()["panels"]
    assert not set(panels) & set(module.panels)


@pytest.mark.django_db
def test_the_workbench_drops_a_disabled_modules_panels(api):
    assert "approvals" in api.get("/api/v1/workbench/").json()["panels"]
    switch(api, sales=False)
    panels = api.get("/api/v1/workbench/").json()["panels"]
    assert "approvals" not in panels
    assert "won_amount" not in panels.get("figures", {})  # the 360 sections go with it
    assert "notifications" in panels


@pytest.mark.django_db
def test_data_stays_while_a_module_is_off(admin, api):
    lead = new_lead(admin, owner=admin)
    switch(api, leads=False)
    assert api.get(f"/api/v1/leads/{lead.pk}/").status_code == 404
    switch(api, leads=True)
    response = api.get(f"/api/v1/leads/{lead.pk}/")
    assert response.status_code == 200 and response.json()["id"] == lead.pk


def lead_reminder(lead) -> Reminder:
    return Reminder.objects.get(
        content_type=ContentType.objects.get_for_model(Lead),
        object_id=lead.pk,
        rule="lead.first_contact",
    )


@pytest.mark.django_db
def test_reminders_are_held_while_off_and_delivered_after(admin, api, rep):
    lead = new_lead(admin, owner=rep)
    reminder = lead_reminder(lead)
    due = reminder.due_at + dt.timedelta(seconds=1)
    switch(api, leads=False)

    # The scheduler leaves it pending (not claimed, not dropped) ...
    assert scheduler.tick(now=due) == {"due": 0, "stale": 0}
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING
    # ... and a claim already in flight goes back to pending undelivered.
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.CLAIMED)
    assert reminders.deliver(reminder.pk) == reminders.HELD
    assert reminders.deliver_many([reminder.pk]) == {reminder.pk: reminders.HELD}
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING
    assert not Notification.objects.filter(reminder=reminder).exists()
    # Another company's reminders are not held.
    assert Tenant.objects.exclude(modules_off=[]).count() == 1

    switch(api, leads=True)
    assert scheduler.tick(now=due) == {"due": 1, "stale": 0}
    assert reminders.deliver(reminder.pk) == "sent"
    assert Notification.objects.filter(reminder=reminder, recipient=rep).count() == 1


@pytest.mark.django_db
def test_a_held_reminder_does_not_hold_another_companys(admin, api, other_admin):
    rep_elsewhere = make_user(other_admin, "销售代表")
    theirs = lead_reminder(new_lead(other_admin, owner=rep_elsewhere))
    mine = lead_reminder(new_lead(admin, owner=admin))
    switch(api, leads=False)
    later = max(theirs.due_at, mine.due_at) + dt.timedelta(seconds=1)
    assert scheduler.tick(now=later) == {"due": 1, "stale": 0}
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.status == Reminder.Status.CLAIMED
    assert mine.status == Reminder.Status.PENDING
