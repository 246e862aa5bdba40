"""Django serves the web app: index.html for app paths, hashed assets cached for a year."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_scopes import scope

from crm.core import spa
from tests.conftest import PASSWORD, client_for


@pytest.fixture
def built(tmp_path, settings):
    (tmp_path / "index.html").write_text('<!doctype html><div id="app"></div>', encoding="utf-8")
    settings.FRONTEND_DIST = tmp_path
    spa._cache.clear()
    return tmp_path


def test_app_paths_answer_with_index_html_and_a_csrf_cookie(client, built):
    for path in ("/", "/leads", "/leads/12", "/customers/3?x=1", "/notifications"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'<div id="app">' in response.content
        assert response["Cache-Control"] == "no-cache"
    assert "csrftoken" in response.cookies


def test_api_admin_and_unknown_assets_are_not_the_app(client, built):
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert client.get("/api/v1/nope/").status_code == 404
    assert client.get("/assets/missing-abcdefgh.js").status_code == 404
    assert client.get("/admin/").status_code == 302
    assert client.post("/leads").status_code == 405


def test_without_a_build_the_app_path_explains_how_to_build(client, tmp_path, settings):
    settings.FRONTEND_DIST = tmp_path / "missing"
    spa._cache.clear()
    response = client.get("/leads")
    assert response.status_code == 503
    assert "make run" in response.content.decode()


def test_vite_assets_are_immutable_and_index_is_not():
    immutable = settings.WHITENOISE_IMMUTABLE_FILE_TEST
    assert immutable("", "/assets/index-DOZdRI6t.js")
    assert immutable("", "assets/BrowsePage-CLP4M5wg.css")
    assert not immutable("", "/index.html")
    assert not immutable("", "/assets/logo.png")


@pytest.mark.django_db
def test_session_login_answers_with_the_user_inside_the_tenant_scope(admin):
    """The web UI's login (the test body's disabled scopes must not hide a missing scope)."""
    client = client_for(None)
    with scope():  # scopes enabled with no tenant: an unscoped query raises
        response = client.post(
            "/api/v1/auth/login/", {"username": admin.username, "password": PASSWORD}, format="json"
        )
    assert response.status_code == 200, response.content
    assert "leads.view" in response.json()["permissions"]
