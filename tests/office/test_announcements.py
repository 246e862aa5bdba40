"""Announcements: draft -> published -> archived, audience, read receipts, and the
audience notified after commit in one bulk insert."""

from __future__ import annotations

import pytest

from crm.activities.models import Notification
from crm.office.models import Announcement
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def create(api, **data):
    r = api.post(
        "/api/v1/announcements/",
        {"title": "五一放假通知", "body": "5月1日至5日放假", **data},
        format="json",
    )
    assert r.status_code == 201, r.json()
    return r.json()


def step(api, pk, name, **body):
    return api.post(f"/api/v1/announcements/{pk}/transitions/{name}/", body, format="json")


def test_publish_notifies_the_audience_after_commit_in_one_insert(
    admin, api, rep, sales_team, django_capture_on_commit_callbacks
):
    service = make_user(admin, "客服", name="赵客服")
    a = create(api, pinned=True)
    assert a["status"] == "draft"
    assert [t["name"] for t in a["transitions"] if t["allowed"]] == ["publish"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = step(api, a["id"], "publish")
        assert r.status_code == 200, r.json()
        assert not Notification.objects.exists()  # nothing before commit
    for callback in callbacks:
        callback()
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert {rep.pk, sales_team.leader_id, service.pk} <= recipients
    assert admin.pk not in recipients  # the author
    note = Notification.objects.get(recipient=rep)
    assert note.title == "五一放假通知" and note.link == f"/announcements/{a['id']}"


def test_notifying_uses_one_insert_whatever_the_audience(admin, sales_team, rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.office.services import announcement_notify
    from workflows.engine import transition

    for _ in range(5):
        make_user(admin, "销售代表", team=sales_team)
    a = Announcement.objects.create(tenant=admin.tenant, title="通知", author=admin)
    transition(model=Announcement, pk=a.pk, name="publish", tenant=admin.tenant, actor=admin)
    with CaptureQueriesContext(connection) as ctx:
        made = announcement_notify(announcement_id=a.pk)
    assert made >= 7
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1


def test_team_audience_sees_and_others_do_not(admin, api, rep, sales_team):
    other_team_user = make_user(admin, "销售代表", name="外部门")
    a = create(api, audience="teams", teams=[sales_team.pk])
    draft_seen = client_for(rep).get(f"/api/v1/announcements/{a['id']}/")
    assert draft_seen.status_code == 404  # a draft is its author's
    assert step(api, a["id"], "publish").status_code == 200
    assert client_for(rep).get(f"/api/v1/announcements/{a['id']}/").status_code == 200
    assert client_for(other_team_user).get(f"/api/v1/announcements/{a['id']}/").status_code == 404
    assert not Notification.objects.filter(recipient=other_team_user).exists()


def test_team_audience_without_teams_cannot_publish(api):
    a = create(api, audience="teams")
    r = step(api, a["id"], "publish")
    assert r.status_code == 400
    assert r.json()["code"] == "guard_failed"
    assert "团队" in r.json()["reasons"][0]  # zh-hans, the default language


def test_read_receipts_and_archive(admin, api, rep, sales_team):
    a = create(api)
    step(api, a["id"], "publish")
    rep_api = client_for(rep)
    assert rep_api.get(f"/api/v1/announcements/{a['id']}/").json()["read"] is False
    r = rep_api.post(f"/api/v1/announcements/{a['id']}/read/")
    assert r.status_code == 200 and r.json()["read"] is True
    rep_api.post(f"/api/v1/announcements/{a['id']}/read/")  # idempotent
    receipts = api.get(f"/api/v1/announcements/{a['id']}/receipts/").json()
    assert [p["user"] for p in receipts["read"]] == [rep.pk]
    assert sales_team.leader_id in [p["user"] for p in receipts["unread"]]
    assert receipts["read_count"] == 1
    # Receipts are for the author and editors only.
    assert rep_api.get(f"/api/v1/announcements/{a['id']}/receipts/").status_code == 403
    # Published: not editable; archived afterwards.
    r = api.patch(f"/api/v1/announcements/{a['id']}/", {"title": "改"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "frozen"
    r = step(api, a["id"], "archive", reason="过期")
    assert r.status_code == 200 and r.json()["status"] == "archived"
    assert step(api, a["id"], "publish").status_code == 409


def test_rep_cannot_write_announcements(rep):
    r = client_for(rep).post("/api/v1/announcements/", {"title": "x"}, format="json")
    assert r.status_code == 403


def test_only_the_targeted_list_is_kept(admin, api, sales_team):
    """The form offers audience, teams and roles together: an audience of everyone
    kept the teams and roles sent with it (and those left from an earlier choice),
    reading as if it were targeted. The lists the audience does not target are
    emptied on save; the targeted one is kept."""
    from crm.core.models import Role

    role = Role.objects.filter(tenant=admin.tenant).first()
    everyone = create(api, audience="all", teams=[sales_team.pk], roles=[role.pk])
    assert (everyone["teams"], everyone["roles"]) == ([], [])
    stored = Announcement.objects.get(pk=everyone["id"])
    assert not stored.teams.exists() and not stored.roles.exists()

    targeted = create(api, audience="teams", teams=[sales_team.pk], roles=[role.pk])
    assert (targeted["teams"], targeted["roles"]) == ([sales_team.pk], [])
    url = f"/api/v1/announcements/{targeted['id']}/"
    # Switched to everyone with the team still picked in the form: the team goes.
    body = {"audience": "all", "teams": [sales_team.pk], "roles": []}
    r = api.patch(url, body, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["audience"], r.json()["teams"], r.json()["roles"]) == ("all", [], [])
    assert not Announcement.objects.get(pk=targeted["id"]).teams.exists()
    # Switched to roles without sending the lists: the teams go, the roles are set.
    api.patch(url, {"audience": "teams", "teams": [sales_team.pk]}, format="json")
    r = api.patch(url, {"audience": "roles", "roles": [role.pk]}, format="json")
    assert (r.json()["teams"], r.json()["roles"]) == ([], [role.pk])
    # An edit that leaves the audience alone keeps its list.
    r = api.patch(url, {"title": "改了标题"}, format="json")
    assert r.status_code == 200 and r.json()["roles"] == [role.pk]


def test_an_archived_announcement_takes_no_new_read_receipt(admin, api, rep, sales_team):
    """Withdrawn, it keeps the receipts of the time it was out: opening it later
    answers the reader's state as it is (no error for the reader, no new receipt)."""
    from crm.office.models import AnnouncementRead

    a = create(api)
    step(api, a["id"], "publish")
    reader = make_user(admin, "销售代表", name="已读者", team=sales_team)
    assert client_for(reader).post(f"/api/v1/announcements/{a['id']}/read/").status_code == 200
    assert step(api, a["id"], "archive", reason="过期").status_code == 200

    late = client_for(rep).post(f"/api/v1/announcements/{a['id']}/read/")
    assert late.status_code == 200, late.content
    assert (late.json()["status"], late.json()["read"]) == ("archived", False)
    assert not AnnouncementRead.objects.filter(announcement_id=a["id"], user=rep).exists()
    again = client_for(reader).post(f"/api/v1/announcements/{a['id']}/read/")
    assert again.status_code == 200 and again.json()["read"] is True
    receipts = api.get(f"/api/v1/announcements/{a['id']}/receipts/").json()
    assert [p["user"] for p in receipts["read"]] == [reader.pk]
