"""Issue 12, defect 5: a damaged backup is refused with a 400 naming the file, the
row and the column, and nothing of it is restored (it answered 500 KeyError or
IntegrityError, or restored settings outside their limits)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from crm.core.models import Team, User
from crm.customers import services as customer_services
from crm.customers.models import Customer
from tests.conftest import client_for, make_company

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def backup(api, tenant, admin) -> dict[str, bytes]:
    """The files of a real backup of a company with a team and a customer."""
    Team.objects.create(tenant=tenant, name="备份一组")
    customer_services.customer_create(tenant=tenant, actor=admin, name="备份公司")
    response = api.get("/api/v1/backup/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name) for name in archive.namelist()}


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def edit_rows(files, name: str, change) -> dict[str, bytes]:
    rows = json.loads(files[name])
    change(rows)
    return {**files, name: json.dumps(rows, ensure_ascii=False).encode()}


def edit_manifest(files, change) -> dict[str, bytes]:
    manifest = json.loads(files["manifest.json"])
    change(manifest)
    return {**files, "manifest.json": json.dumps(manifest, ensure_ascii=False).encode()}


def restore(files: dict[str, bytes]):
    target = make_company("恢复目标公司")
    client = client_for(target)
    client.raise_request_exception = False
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        "/api/v1/backup/restore/",
        {"file": SimpleUploadedFile("b.zip", zipped(files))},
        format="multipart",
    )
    return target.tenant, response


def refused(response) -> str:
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    assert body["code"] == "invalid"
    return " ".join(body["fields"]["file"])


def nothing_restored(tenant) -> None:
    assert not Customer.objects.filter(tenant=tenant).exists()
    assert not Team.objects.filter(tenant=tenant).exists()
    assert User.objects.filter(tenant=tenant).count() == 1  # its admin only
    tenant.refresh_from_db()
    assert tenant.setting("pool_idle_days") == 30


def test_the_untouched_backup_restores(backup):
    tenant, response = restore(backup)
    assert response.status_code == 200, response.content
    assert Customer.objects.filter(tenant=tenant, name="备份公司").exists()


def test_a_backup_with_a_file_missing_names_it(backup):
    files = {k: v for k, v in backup.items() if k != "customers.customer.json"}
    tenant, response = restore(files)
    assert "customers.customer.json" in refused(response)
    nothing_restored(tenant)


def test_a_null_in_a_required_column_names_the_file_and_column(backup):
    def null_name(rows):
        rows[0]["name"] = None

    tenant, response = restore(edit_rows(backup, "customers.customer.json", null_name))
    message = refused(response)
    assert "customers.customer.json" in message and "“name”" in message and "row 1" in message
    nothing_restored(tenant)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("created_at", "yesterday"),
        ("owner_id", "abc"),
        ("name", {"not": "text"}),
        ("name", "名" * 1000),
    ],
)
def test_a_wrong_type_names_the_file_and_column(backup, column, value):
    def wrong(rows):
        rows[0][column] = value

    tenant, response = restore(edit_rows(backup, "customers.customer.json", wrong))
    message = refused(response)
    assert "customers.customer.json" in message and f"“{column}”" in message
    nothing_restored(tenant)


def test_a_damaged_rows_file_is_refused(backup):
    tenant, response = restore({**backup, "core.team.json": b'{"rows": "?"}'})
    assert "core.team.json" in refused(response)
    nothing_restored(tenant)


@pytest.mark.parametrize(
    "values",
    [
        {"pool_idle_days": 100_000},
        {"pool_idle_days": "30"},
        {"daily_claim_cap": -1},
        {"pool_warning_days": 40, "pool_idle_days": 30},
        {"no_such_setting": 1},
    ],
)
def test_settings_outside_their_limits_are_refused(backup, values):
    def change(manifest):
        manifest["settings"] = values

    tenant, response = restore(edit_manifest(backup, change))
    message = refused(response)
    assert "settings" in message
    fields = response.json()["fields"]
    assert any(key.startswith("settings.") for key in fields), fields
    nothing_restored(tenant)
