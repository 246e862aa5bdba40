"""POST /api/v1/me/password/: change your own password."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/password/"


def test_change_own_password_keeps_the_session(admin, sales_team):
    rep = make_user(admin, "销售代表", team=sales_team)
    client = client_for(None)
    assert client.login(username=rep.username, password=PASSWORD)
    response = client.post(
        URL, {"old_password": PASSWORD, "new_password": "New-pass-5678!"}, format="json"
    )
    assert response.status_code == 204
    rep.refresh_from_db()
    assert rep.check_password("New-pass-5678!")
    assert client.get("/api/v1/me/").status_code == 200  # still signed in


def test_wrong_current_password_or_weak_new_one_is_refused_on_the_field(admin):
    client = client_for(None)
    assert client.login(username=admin.username, password=PASSWORD)
    wrong = client.post(
        URL, {"old_password": "nope", "new_password": "New-pass-5678!"}, format="json"
    )
    assert wrong.status_code == 400
    assert "old_password" in wrong.json()["fields"]
    weak = client.post(URL, {"old_password": PASSWORD, "new_password": "123"}, format="json")
    assert weak.status_code == 400
    assert "new_password" in weak.json()["fields"]
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)


def test_anonymous_cannot_change_a_password():
    response = client_for(None).post(URL, {"old_password": "a", "new_password": "b"}, format="json")
    assert response.status_code in (401, 403)
