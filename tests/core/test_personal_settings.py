"""Personal settings: profile fields with validation, the avatar, and revoking a
token or a session signs that client out."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_profile_fields_are_validated_and_saved(api, admin):
    ok = api.patch(
        "/api/v1/me/",
        {
            "full_name": "管理员甲",
            "mobile": "138 1234 5678",
            "page_size": 50,
            "email_signature": "商慧科技 管理员甲\n电话 010-1234",
            "language": "en",
        },
        format="json",
    )
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["mobile"] == "+8613812345678" and body["page_size"] == 50
    assert body["email_signature"].startswith("商慧科技") and body["language"] == "en"
    admin.refresh_from_db()
    assert (admin.full_name, admin.page_size) == ("管理员甲", 50)

    for field, value in (
        ("mobile", "12345"),
        ("page_size", 5),
        ("page_size", 1000),
        ("email_signature", "x" * 2001),
        ("language", "fr"),
    ):
        bad = api.patch("/api/v1/me/", {field: value}, format="json")
        assert bad.status_code == 400 and field in bad.json()["fields"], (field, bad.content)
    admin.refresh_from_db()
    assert admin.page_size == 50 and admin.mobile == "+8613812345678"
    # Read-only fields stay.
    api.patch("/api/v1/me/", {"username": "hijack"}, format="json")
    admin.refresh_from_db()
    assert admin.username != "hijack"


def test_avatar_upload_read_and_remove(api, admin):
    bad = api.post(
        "/api/v1/me/avatar/",
        {"avatar": SimpleUploadedFile("a.png", b"not an image")},
        format="multipart",
    )
    assert bad.status_code == 400 and "avatar" in bad.json()["fields"]
    ok = api.post(
        "/api/v1/me/avatar/", {"avatar": SimpleUploadedFile("a.png", PNG)}, format="multipart"
    )
    assert ok.status_code == 200 and ok.json()["avatar_url"].startswith("/api/v1/me/avatar/")
    image = api.get("/api/v1/me/avatar/")
    assert image.status_code == 200 and b"".join(image.streaming_content) == PNG
    assert api.delete("/api/v1/me/avatar/").status_code == 204
    assert api.get("/api/v1/me/avatar/").status_code == 404
    assert api.get("/api/v1/me/").json()["avatar_url"] is None


def test_revoking_a_token_signs_that_client_out(api, admin):
    phone = client_for(admin)  # a second client of the same user, with its own token
    assert phone.get("/api/v1/me/").status_code == 200
    tokens = api.get("/api/v1/me/tokens/").json()
    tokens = tokens["results"] if isinstance(tokens, dict) else tokens
    theirs = [t for t in tokens if not t["current"]]
    assert len(theirs) == 1
    assert api.delete(f"/api/v1/me/tokens/{theirs[0]['id']}/").status_code == 204
    assert phone.get("/api/v1/me/").status_code == 401
    assert api.get("/api/v1/me/").status_code == 200  # the revoking client stays in


def test_revoking_a_session_signs_that_browser_out(admin):
    browser = APIClient(enforce_csrf_checks=False)
    assert browser.login(username=admin.username, password=PASSWORD)
    assert browser.get("/api/v1/me/").status_code == 200
    api = client_for(admin)
    sessions = api.get("/api/v1/me/sessions/").json()
    sessions = sessions["results"] if isinstance(sessions, dict) else sessions
    assert len(sessions) == 1
    assert api.delete(f"/api/v1/me/sessions/{sessions[0]['id']}/").status_code == 204
    assert browser.get("/api/v1/me/").status_code in (401, 403)
