"""Bad input: oversized bodies (413), hostile strings stored and returned intact,
brute-force lockout on the login and token endpoints (django-axes)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import RequestDataTooBig
from rest_framework.test import APIClient

from crm.core.api.errors import exception_handler
from crm.core.validators import strip_invisible
from crm.customers.models import Customer, Lead
from tests.conftest import PASSWORD

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>&amp;&lt;",
    "'; DROP TABLE customers_lead; --",
    "1' OR '1'='1",
    "Robert'); DELETE FROM core_user WHERE ('1'='1",
    "😀👨‍👩‍👧‍👦🇨🇳 emoji 𠮷野家",
    "控制\x01字符\x07中\x1b[31m间\x7f",
    "tab\tnew\nline\rcarriage",
    "‮右到左 override ‭ zero\u200bwidth",
    "%s %(name)s {0} ${jndi:ldap://x} {{7*7}}",
    "\\x00 literal backslashes \\\\ \\n",
]


# --- request size -------------------------------------------------------------------


@pytest.mark.django_db
def test_body_over_the_limit_is_refused_with_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"company_name": "大公司", "need": "x" * 20_000})
    response = api.post("/api/v1/leads/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "MB" in response.json()["detail"]
    assert not Lead.objects.exists()


@pytest.mark.django_db
def test_default_limit_refuses_a_six_megabyte_body(api):
    body = json.dumps({"company_name": "大公司", "need": "x" * (6 * 1024 * 1024)})
    response = api.post("/api/v1/leads/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.django_db
def test_body_under_the_limit_passes(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = api.post(
        "/api/v1/leads/", {"company_name": "小公司", "need": "x" * 5_000}, format="json"
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_multipart_upload_has_its_own_limit(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    settings.FILE_UPLOAD_LIMIT = 50_000
    from django.core.files.uploadedfile import SimpleUploadedFile

    small = SimpleUploadedFile("a.csv", b"x" * 5_000)
    response = api.post("/api/v1/leads/", {"company_name": "文件", "file": small})
    assert response.status_code != 413  # a file under the upload limit is not refused
    big = SimpleUploadedFile("b.csv", b"x" * 60_000)
    response = api.post("/api/v1/leads/", {"company_name": "文件", "file": big})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_request_data_too_big_raised_in_a_view_is_413():
    response = exception_handler(RequestDataTooBig("too big"), {})
    assert response.status_code == 413
    assert response.data["code"] == "too_large"


# --- hostile strings -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_are_stored_and_returned_intact(api, text):
    """Intact, except that text drops invisible characters (zero-width, bidi
    controls: issue 12), so names compare as people see them."""
    line = strip_invisible(text)
    created = api.post("/api/v1/customers/", {"name": text, "address": text}, format="json")
    assert created.status_code == 201, created.content
    assert created["Content-Type"].startswith("application/json")
    customer = Customer.objects.get(pk=created.json()["id"])
    assert customer.name == line and customer.address == line
    fetched = api.get(f"/api/v1/customers/{customer.pk}/").json()
    assert fetched["name"] == line and fetched["address"] == line

    lead = api.post("/api/v1/leads/", {"company_name": text, "need": text}, format="json")
    assert lead.status_code == 201, lead.content
    detail = api.get(f"/api/v1/leads/{lead.json()['id']}/").json()
    assert detail["company_name"] == line and detail["need"] == line

    # Searching for it is a parameter, never SQL: 200 and the row found.
    found = api.get("/api/v1/customers/", {"search": text})
    assert found.status_code == 200
    assert customer.pk in [row["id"] for row in found.json()["results"]]
    assert Customer.objects.count() == 1  # nothing dropped, nothing deleted


@pytest.mark.django_db
def test_ten_thousand_character_text_round_trips(api):
    need = ("需求" * 2500 + "x" * 5000)[:10_000]
    assert len(need) == 10_000
    lead = api.post("/api/v1/leads/", {"company_name": "长文本", "need": need}, format="json")
    assert lead.status_code == 201, lead.content
    lead_id = lead.json()["id"]
    assert api.get(f"/api/v1/leads/{lead_id}/").json()["need"] == need
    changed = need[::-1]
    response = api.patch(f"/api/v1/leads/{lead_id}/", {"need": changed}, format="json")
    assert response.status_code == 200
    assert Lead.objects.get(pk=lead_id).need == changed


@pytest.mark.django_db
def test_ten_thousand_characters_in_a_short_field_is_a_field_error(api):
    response = api.post("/api/v1/customers/", {"name": "名" * 10_000}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "name" in response.json()["fields"]


@pytest.mark.django_db
def test_nul_character_is_refused_not_a_server_error(api):
    response = api.post("/api/v1/customers/", {"name": "a\x00b"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"ordering": "'; DROP TABLE x; --"},
        {"ordering": "-tenant__name"},
        {"page": "-1"},
        {"page_size": "100000000000000000000"},
        {"owner": "1 OR 1=1"},
        {"status": "<script>"},
        {"created_at_after": "not-a-date"},
        {"search": "%_%\\"},
    ],
)
def test_hostile_query_parameters_never_fail_the_server(api, params):
    response = api.get("/api/v1/leads/", params)
    assert response.status_code in (200, 400, 404), response.content
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_malformed_json_is_a_400(api):
    response = api.post("/api/v1/leads/", "{not json", content_type="application/json")
    assert response.status_code == 400
    response = api.post("/api/v1/leads/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400


# --- lockout (django-axes) -------------------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.25  # hours


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/auth/login/"])
def test_repeated_failures_lock_the_account_out(admin, axes_on, path):
    client = APIClient()
    wrong = {"username": admin.username, "password": "wrong-password"}
    for _ in range(2):
        response = client.post(path, wrong, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
    response = client.post(path, wrong, format="json")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out"
    assert "15" in body["detail"] and "锁定" in body["detail"]

    # Even the right password is refused during the cool-off.
    right = {"username": admin.username, "password": PASSWORD}
    response = client.post(path, right, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"

    english = client.post(path, right, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    assert "Too many failed sign-in attempts" in english.json()["detail"]
    assert "15 min" in english.json()["detail"]


@pytest.mark.django_db
def test_lockout_is_per_account(admin, other_admin, axes_on):
    client = APIClient()
    for _ in range(3):
        client.post("/api/v1/auth/token/", {"username": admin.username, "password": "x"})
    assert (
        client.post(
            "/api/v1/auth/token/", {"username": admin.username, "password": PASSWORD}
        ).status_code
        == 429
    )
    other = client.post(
        "/api/v1/auth/token/", {"username": other_admin.username, "password": PASSWORD}
    )
    assert other.status_code == 200 and other.json()["token"]


@pytest.mark.django_db
def test_success_resets_the_failure_count(admin, axes_on):
    client = APIClient()
    wrong = {"username": admin.username, "password": "wrong"}
    right = {"username": admin.username, "password": PASSWORD}
    for _ in range(2):
        assert client.post("/api/v1/auth/token/", wrong).status_code == 400
    assert client.post("/api/v1/auth/token/", right).status_code == 200
    for _ in range(2):
        assert client.post("/api/v1/auth/token/", wrong).status_code == 400
    assert client.post("/api/v1/auth/token/", right).status_code == 200


@pytest.mark.django_db
def test_lockout_is_off_in_the_suite_by_default(admin):
    client = APIClient()
    for _ in range(8):
        client.post("/api/v1/auth/token/", {"username": admin.username, "password": "x"})
    right = {"username": admin.username, "password": PASSWORD}
    assert client.post("/api/v1/auth/token/", right).status_code == 200
