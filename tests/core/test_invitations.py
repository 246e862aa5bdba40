"""Invitations by e-mail and password resets: one-time links that expire."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from crm.core.models import AuditEntry, Invitation, Role, User
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Fresh-start-2468!"


def _key(message) -> str:
    return re.search(r"/invite/([\w-]+)", message.body).group(1)


def _invite(api, tenant, *emails, django_capture_on_commit_callbacks):
    rep_role = Role.objects.get(tenant=tenant, name="销售代表")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/users/invite/", {"emails": list(emails), "roles": [rep_role.pk]}, format="json"
        )
    return response


def test_an_invited_user_sets_a_password_once(
    api, tenant, admin, django_capture_on_commit_callbacks
):
    response = _invite(
        api,
        tenant,
        "Zhang@Example.cn",
        "li@example.cn",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 201, response.content
    assert [u["username"] for u in response.json()] == ["zhang@example.cn", "li@example.cn"]
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["zhang@example.cn"]
    user = User.objects.get(username="zhang@example.cn")
    assert user.tenant == tenant and not user.has_usable_password()
    assert {r.name for r in user.roles.all()} == {"销售代表"}
    key = _key(mail.outbox[0])
    assert Invitation.objects.filter(user=user).count() == 1
    assert key not in Invitation.objects.get(user=user).digest  # only a digest is stored

    public = APIClient()
    info = public.get(f"/api/v1/invitations/{key}/")
    assert info.status_code == 200
    assert info.json()["username"] == "zhang@example.cn" and info.json()["kind"] == "invite"
    assert info.json()["company"] == tenant.name

    weak = public.post(f"/api/v1/invitations/{key}/accept/", {"password": "123"}, format="json")
    assert weak.status_code == 400 and "password" in weak.json()["fields"]
    ok = public.post(
        f"/api/v1/invitations/{key}/accept/",
        {"password": NEW_PASSWORD, "full_name": "张三"},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and user.full_name == "张三"
    signed_in = public.post(
        "/api/v1/auth/token/",
        {"username": "zhang@example.cn", "password": NEW_PASSWORD},
        format="json",
    )
    assert signed_in.status_code == 200

    # Single use.
    again = public.post(
        f"/api/v1/invitations/{key}/accept/", {"password": "Other-pass-1357!"}, format="json"
    )
    assert again.status_code == 400 and "token" in again.json()["fields"]
    assert public.get(f"/api/v1/invitations/{key}/").status_code == 400
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="invitation_accepted", object_id=user.pk).exists()


def test_an_invitation_expires(api, tenant, django_capture_on_commit_callbacks):
    _invite(
        api,
        tenant,
        "late@example.cn",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    key = _key(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = APIClient().post(
        f"/api/v1/invitations/{key}/accept/", {"password": NEW_PASSWORD}, format="json"
    )
    assert expired.status_code == 400 and "token" in expired.json()["fields"]
    assert not User.objects.get(username="late@example.cn").has_usable_password()
    assert APIClient().get("/api/v1/invitations/not-a-key/").status_code == 400


def test_invitations_refuse_bad_addresses_and_need_the_right(
    api, admin, tenant, sales_team, django_capture_on_commit_callbacks
):
    bad = api.post("/api/v1/users/invite/", {"emails": ["not-an-address"]}, format="json")
    assert bad.status_code == 400 and "emails" in bad.json()["fields"]
    taken = api.post("/api/v1/users/invite/", {"emails": [admin.email]}, format="json")
    assert taken.status_code == 400 and "emails" in taken.json()["fields"]
    empty = api.post("/api/v1/users/invite/", {"emails": []}, format="json")
    assert empty.status_code == 400
    rep = make_user(admin, "销售代表", team=sales_team)
    denied = client_for(rep).post(
        "/api/v1/users/invite/", {"emails": ["x@example.cn"]}, format="json"
    )
    assert denied.status_code == 403
    assert not User.objects.filter(username="x@example.cn").exists() and not mail.outbox


def test_an_administrator_sends_a_reset_link(
    api, admin, tenant, sales_team, django_capture_on_commit_callbacks
):
    rep = make_user(admin, "销售代表", team=sales_team)
    rep_api = client_for(rep)
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"/api/v1/users/{rep.pk}/reset-password/")
    assert first.status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/users/{rep.pk}/reset-password/")
    assert len(mail.outbox) == 2 and mail.outbox[1].to == [rep.email]
    old_key, key = _key(mail.outbox[0]), _key(mail.outbox[1])
    # The newer link voids the older one.
    assert (
        APIClient()
        .post(f"/api/v1/invitations/{old_key}/accept/", {"password": NEW_PASSWORD}, format="json")
        .status_code
        == 400
    )
    assert APIClient().get(f"/api/v1/invitations/{key}/").json()["kind"] == "reset"
    done = APIClient().post(
        f"/api/v1/invitations/{key}/accept/", {"password": NEW_PASSWORD}, format="json"
    )
    assert done.status_code == 200
    rep.refresh_from_db()
    assert rep.check_password(NEW_PASSWORD)
    # A new password signs the user's other clients out.
    assert rep_api.get("/api/v1/me/").status_code == 401
    assert AuditEntry.objects.filter(action="password_reset_sent", object_id=rep.pk).exists()
    # A deactivated user gets no link.
    other = make_user(admin, "销售代表")
    api.delete(f"/api/v1/users/{other.pk}/")
    assert api.post(f"/api/v1/users/{other.pk}/reset-password/").status_code == 400
