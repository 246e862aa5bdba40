"""The company profile (issue 17): GET/PATCH /api/v1/company/ and its logo."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.core.models import AuditEntry
from tests.conftest import client_for

# A 16x16 green PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000010000000100802000000909168360000001649444154789c63d0eb0e"
    "2709318c6a18d5307c3500007270101085e1ee270000000049454e44ae426082"
)
VALID_CODE = "91350100M000100Y43"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.django_db
def test_defaults(api, admin):
    body = api.get("/api/v1/company/").json()
    assert body["name"] == admin.tenant.name
    assert body["time_zone"] == "Asia/Shanghai"
    assert body["fiscal_year_start"] == 1
    assert body["currency_display"] == "symbol"
    assert body["logo_url"] is None


@pytest.mark.django_db
def test_admin_fills_the_profile_audited(api, admin):
    response = api.patch(
        "/api/v1/company/",
        {
            "short_name": "青禾",
            "credit_code": VALID_CODE.lower(),
            "address": "杭州市西湖区文三路 1 号",
            "phone": "0571-88886666",
            "time_zone": "Asia/Urumqi",
            "fiscal_year_start": 4,
            "currency_display": "code",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["credit_code"] == VALID_CODE  # normalised by the shared validator
    assert (body["short_name"], body["time_zone"], body["fiscal_year_start"]) == (
        "青禾",
        "Asia/Urumqi",
        4,
    )
    entry = AuditEntry.objects.filter(tenant=admin.tenant, action="company").get()
    assert entry.changes["fiscal_year_start"] == [1, 4]


@pytest.mark.django_db
def test_bad_values_are_refused_by_field(api, admin):
    response = api.patch(
        "/api/v1/company/",
        {
            "credit_code": "91350100M000100Y44",  # wrong check character
            "time_zone": "Mars/Olympus",
            "phone": "call me",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"credit_code", "time_zone", "phone"}
    response = api.patch("/api/v1/company/", {"fiscal_year_start": 13}, format="json")
    assert response.status_code == 400 and "fiscal_year_start" in response.json()["fields"]
    response = api.patch("/api/v1/company/", {"name": "  "}, format="json")
    assert response.status_code == 400 and "name" in response.json()["fields"]
    assert not AuditEntry.objects.filter(tenant=admin.tenant, action="company").exists()


@pytest.mark.django_db
def test_only_an_admin_changes_it_everyone_reads_it(rep):
    client = client_for(rep)
    assert client.get("/api/v1/company/").status_code == 200
    assert client.patch("/api/v1/company/", {"short_name": "x"}, format="json").status_code == 403


@pytest.mark.django_db
def test_logo_upload_served_to_the_company_only(api, admin, other_admin):
    upload = SimpleUploadedFile("logo.exe", PNG, content_type="application/octet-stream")
    response = api.patch("/api/v1/company/", {"logo": upload}, format="multipart")
    assert response.status_code == 200, response.content
    url = response.json()["logo_url"]
    assert url.startswith("/api/v1/company/logo/")
    served = api.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert client_for(other_admin).get(url).status_code == 404  # theirs has none
    assert api.get("/api/v1/me/").json()["company_logo"] == url  # the header shows it

    response = api.patch("/api/v1/company/", {"remove_logo": True}, format="json")
    assert response.json()["logo_url"] is None
    assert api.get(url).status_code == 404


@pytest.mark.django_db
def test_a_logo_that_is_not_an_image_is_refused(api):
    fake = SimpleUploadedFile("logo.png", b"MZ\x90\x00" + b"\x00" * 300, content_type="image/png")
    response = api.patch("/api/v1/company/", {"logo": fake}, format="multipart")
    assert response.status_code == 400
    assert "logo" in response.json()["fields"]
