"""Issue 12, defect 6: sign-up throttle, per-address sign-in limit, revocable and
expiring tokens, session list, CSRF on session login, the last administrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.test import APIClient

from crm.core import credentials
from crm.core.models import ApiToken, Role, Tenant, User, UserSession
from tests.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-new-pass-5678!"


def signup(n: int, address: str = "203.0.113.7"):
    body = {
        "company": f"节流测试公司{n}",
        "username": f"throttle{n}",
        "password": PASSWORD,
        "email": f"t{n}@example.cn",
    }
    return APIClient().post("/api/v1/signup/?lang=en", body, format="json", REMOTE_ADDR=address)


def token_client(user: User) -> tuple[APIClient, ApiToken]:
    token, key = credentials.issue_token(user=user, client="pytest")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, token


def session_client(user: User, password: str = PASSWORD) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/v1/auth/login/")
    response = client.post(
        "/api/v1/auth/login/",
        {"username": user.username, "password": password},
        format="json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        HTTP_USER_AGENT="Firefox/140 pytest",
    )
    assert response.status_code == 200, response.content
    return client


# --- sign-up throttle -------------------------------------------------------------------


def test_signup_is_limited_per_address_with_retry_after():
    for n in range(5):  # the default SIGNUP_THROTTLE_RATE: 5/hour
        assert signup(n).status_code == 201
    refused = signup(5)
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "throttled"
    assert body["detail"].startswith("Too many sign-ups from your network address")
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert not Tenant.objects.filter(name="节流测试公司5").exists()
    # Another address is not affected.
    assert signup(6, address="198.51.100.9").status_code == 201


def test_signup_rate_is_a_setting(settings):
    settings.SIGNUP_THROTTLE_RATE = "1/day"
    assert signup(1).status_code == 201
    refused = signup(2)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 3600


# --- failed sign-ins per address across usernames -----------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/auth/login/"])
def test_failures_from_one_address_refuse_every_username(admin, settings, path):
    settings.LOGIN_FAILURES_PER_ADDRESS = 30
    client = APIClient()
    attacker = {"REMOTE_ADDR": "203.0.113.50"}
    for n in range(30):  # one try per username: django-axes alone never locks any
        wrong = {"username": f"guess{n}", "password": "wrong-Pass-1"}
        response = client.post(path, wrong, format="json", **attacker)
        assert response.status_code == 400, (n, response.content)
    right = {"username": admin.username, "password": PASSWORD}
    refused = client.post(path + "?lang=en", right, format="json", **attacker)
    assert refused.status_code == 429
    assert refused.json()["code"] == "locked_out"
    assert "from your network address" in refused.json()["detail"]
    assert int(refused["Retry-After"]) == 15 * 60
    # The same account from another address signs in.
    ok = client.post(path, right, format="json", REMOTE_ADDR="198.51.100.1")
    assert ok.status_code == 200, ok.content


def test_the_address_limit_counts_only_failures(admin, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    client = APIClient()
    right = {"username": admin.username, "password": PASSWORD}
    for _ in range(5):
        assert client.post("/api/v1/auth/token/", right, format="json").status_code == 200
    for _ in range(3):
        wrong = {"username": admin.username, "password": "nope-Nope-1"}
        assert client.post("/api/v1/auth/token/", wrong, format="json").status_code == 400
    assert client.post("/api/v1/auth/token/", right, format="json").status_code == 429


# --- tokens: several per user, hashed, expiring --------------------------------------------


def test_each_sign_in_issues_its_own_token_stored_as_a_digest(admin):
    client = APIClient()
    body = {"username": admin.username, "password": PASSWORD}
    first = client.post("/api/v1/auth/token/", body, format="json").json()["token"]
    second = client.post("/api/v1/auth/token/", body, format="json").json()["token"]
    assert first != second and len(first) == 40
    tokens = ApiToken.objects.filter(user=admin)
    stored = {t.digest for t in tokens} | {t.prefix for t in tokens}
    assert first not in stored and second not in stored  # the key itself is not stored
    for key in (first, second):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get("/api/v1/me/").status_code == 200
    token = ApiToken.objects.get(prefix=first[:8])
    expected = timezone.now() + timedelta(days=30)
    assert abs((token.expires_at - expected).total_seconds()) < 60


def test_a_user_keeps_at_most_the_newest_hundred_tokens(admin):
    first, _ = token_client(admin)
    for _n in range(credentials.MAX_TOKENS_PER_USER):
        credentials.issue_token(user=admin)
    assert ApiToken.objects.filter(user=admin).count() == credentials.MAX_TOKENS_PER_USER
    assert first.get("/api/v1/me/").status_code == 401  # the oldest went


def test_an_expired_token_answers_401_with_a_clear_detail(admin):
    client, token = token_client(admin)
    assert client.get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me/?lang=en")
    assert response.status_code == 401
    assert response.json() == {
        "code": "token_expired",
        "detail": "This token has expired: sign in again to get a new one.",
    }


def test_token_lifetime_is_a_setting(admin, settings):
    settings.API_TOKEN_TTL_DAYS = 2
    token, _key = credentials.issue_token(user=admin)
    assert timedelta(days=2) - (token.expires_at - token.created_at) < timedelta(seconds=5)


def test_the_token_list_shows_prefixes_and_the_current_one(admin, rep):
    client, mine = token_client(admin)
    other, _key = credentials.issue_token(user=admin, client="curl/8.5")
    foreign, _ = credentials.issue_token(user=rep)
    body = client.get("/api/v1/me/tokens/").json()
    rows = {row["id"]: row for row in body["results"]}
    assert set(rows) >= {mine.pk, other.pk} and foreign.pk not in rows
    row = rows[other.pk]
    assert set(row) == {
        "id",
        "prefix",
        "client",
        "created_at",
        "last_used_at",
        "expires_at",
        "current",
    }
    assert row["client"] == "curl/8.5" and len(row["prefix"]) == 8 and not row["current"]
    assert rows[mine.pk]["current"] is True


def test_revoking_a_token_ends_it_and_another_users_token_is_404(admin, rep):
    client, _mine = token_client(admin)
    victim_client, victim = token_client(admin)
    foreign_client, foreign = token_client(rep)
    assert client.delete(f"/api/v1/me/tokens/{victim.pk}/").status_code == 204
    assert victim_client.get("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/me/").status_code == 200
    assert client.delete(f"/api/v1/me/tokens/{foreign.pk}/").status_code == 404
    assert foreign_client.get("/api/v1/me/").status_code == 200


# --- revocation on password change, reset, deactivation -------------------------------------


def test_changing_the_password_revokes_every_other_token_and_session(admin, rep):
    current, _ = token_client(rep)
    other_token, _ = token_client(rep)
    browser = session_client(rep)
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert current.post("/api/v1/me/password/", body, format="json").status_code == 204
    assert current.get("/api/v1/me/").status_code == 200  # the one that changed it stays
    assert other_token.get("/api/v1/me/").status_code == 401
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    assert ApiToken.objects.filter(user=rep).count() == 1
    assert not UserSession.objects.filter(user=rep).exists()


def test_a_session_changing_its_password_stays_signed_in_alone(rep):
    browser = session_client(rep)
    other_browser = session_client(rep)
    token, _ = token_client(rep)
    response = browser.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )
    assert response.status_code == 204, response.content
    assert browser.get("/api/v1/me/").status_code == 200
    assert other_browser.get("/api/v1/me/").status_code in (401, 403)
    assert token.get("/api/v1/me/").status_code == 401
    sessions = browser.get("/api/v1/me/sessions/").json()["results"]
    assert len(sessions) == 1 and sessions[0]["current"] is True


def test_an_administrators_reset_revokes_the_users_tokens_and_sessions(api, rep):
    token, _ = token_client(rep)
    browser = session_client(rep)
    response = api.patch(f"/api/v1/users/{rep.pk}/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    assert token.get("/api/v1/me/").status_code == 401
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    assert not ApiToken.objects.filter(user=rep).exists()
    assert not UserSession.objects.filter(user=rep).exists()


def test_deactivation_deletes_the_users_tokens_and_sessions(api, rep):
    token_client(rep)
    session_client(rep)
    assert UserSession.objects.filter(user=rep).exists()
    assert api.delete(f"/api/v1/users/{rep.pk}/").status_code == 204
    assert not ApiToken.objects.filter(user=rep).exists()
    assert not UserSession.objects.filter(user=rep).exists()


def test_a_password_or_deactivation_saved_outside_the_api_revokes_too(rep, admin):
    """What the admin site and ``manage.py changepassword`` do: set_password() + save()."""
    token, _ = token_client(rep)
    browser = session_client(rep)
    rep.full_name = "改名"
    rep.save()  # an unrelated change keeps them
    assert token.get("/api/v1/me/").status_code == 200
    rep.set_password(NEW_PASSWORD)
    rep.save()
    assert token.get("/api/v1/me/").status_code == 401
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    admin_token, _ = token_client(admin)
    admin.is_active = False
    admin.save()
    assert not ApiToken.objects.filter(user=admin).exists()
    assert admin_token.get("/api/v1/me/").status_code == 401


# --- sessions ------------------------------------------------------------------------


def test_sessions_are_listed_and_revocable(rep, admin):
    laptop = session_client(rep)
    phone = session_client(rep)
    session_client(admin)
    rows = laptop.get("/api/v1/me/sessions/").json()["results"]
    assert len(rows) == 2  # the admin's session is not listed
    assert {"id", "client", "ip_address", "created_at", "expires_at", "current"} == set(rows[0])
    assert [r["current"] for r in rows].count(True) == 1
    assert rows[0]["client"] == "Firefox/140 pytest"
    phone_row = next(r for r in rows if not r["current"])
    token = laptop.cookies["csrftoken"].value
    response = laptop.delete(f"/api/v1/me/sessions/{phone_row['id']}/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 204
    assert phone.get("/api/v1/me/").status_code in (401, 403)
    assert laptop.get("/api/v1/me/").status_code == 200
    admins = UserSession.objects.get(user=admin)
    refused = laptop.delete(f"/api/v1/me/sessions/{admins.pk}/", HTTP_X_CSRFTOKEN=token)
    assert refused.status_code == 404
    assert Session.objects.filter(pk=admins.session_id).exists()


def test_admin_site_sign_ins_are_tracked_too(client, admin):
    User.objects.filter(pk=admin.pk).update(is_staff=True)
    client.post("/admin/login/", {"username": admin.username, "password": PASSWORD})
    tracked = UserSession.objects.get(user=admin)
    session = Session.objects.get(pk=tracked.session_id)
    assert session.get_decoded()[SESSION_KEY] == str(admin.pk)


# --- CSRF on session login ---------------------------------------------------------------


def test_session_login_needs_the_csrf_token(admin):
    client = APIClient(enforce_csrf_checks=True)
    body = {"username": admin.username, "password": PASSWORD}
    refused = client.post("/api/v1/auth/login/?lang=en", body, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert "reload the page" in refused.json()["detail"]
    assert client.get("/api/v1/me/").status_code in (401, 403)
    client.get("/api/v1/auth/login/")
    ok = client.post(
        "/api/v1/auth/login/",
        body,
        format="json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert ok.status_code == 200


# --- the last administrator ---------------------------------------------------------------


def admin_role(tenant) -> Role:
    return Role.objects.get(tenant=tenant, name="管理员")


def test_the_last_administrator_cannot_drop_their_own_admin_role(admin, api):
    rep_role = Role.objects.get(tenant=admin.tenant, name="销售代表")
    response = api.patch(
        f"/api/v1/users/{admin.pk}/?lang=en", {"roles": [rep_role.pk]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"
    assert "manage users and roles" in response.json()["detail"]
    assert list(admin.roles.all()) == [admin_role(admin.tenant)]


def test_the_last_admin_role_cannot_lose_user_or_role_administration(admin, api):
    role = admin_role(admin.tenant)
    kept = [c for c in role.permissions if c != "roles.edit"]
    response = api.patch(f"/api/v1/roles/{role.pk}/", {"permissions": kept}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"
    role.refresh_from_db()
    assert "roles.edit" in role.permissions
    # Other edits of the role still pass.
    response = api.patch(f"/api/v1/roles/{role.pk}/", {"data_scope": "all"}, format="json")
    assert response.status_code == 200


def test_the_last_administrator_cannot_be_deactivated_by_a_user_manager(admin):
    manager_role = Role.objects.create(
        tenant=admin.tenant, name="人事", permissions=["users.view", "users.delete"]
    )
    manager = make_user(admin, "销售代表")
    manager.roles.set([manager_role])
    response = client_for(manager).delete(f"/api/v1/users/{admin.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"
    admin.refresh_from_db()
    assert admin.is_active


def test_with_a_second_administrator_the_first_may_step_down(admin, api):
    second = make_user(admin, "管理员")
    rep_role = Role.objects.get(tenant=admin.tenant, name="销售代表")
    response = api.patch(f"/api/v1/users/{admin.pk}/", {"roles": [rep_role.pk]}, format="json")
    assert response.status_code == 200, response.content
    # Now ``second`` is the last one: removing their role is refused.
    response = client_for(second).patch(
        f"/api/v1/users/{second.pk}/", {"roles": [rep_role.pk]}, format="json"
    )
    assert response.status_code == 409
