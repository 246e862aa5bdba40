"""Attachments: type by content, size cap and quota, download by those who see the
record only, removal refused on a confirmed contract, image preview, timeline."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.office.models import Attachment
from tests.conftest import client_for
from tests.sales import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def upload(client, name: str, data: bytes, **record):
    return client.post(
        "/api/v1/attachments/",
        {"file": SimpleUploadedFile(name, data), **record},
        format="multipart",
    )


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_pdf_upload_list_and_download(admin, api):
    cust = f.customer(admin)
    r = upload(api, "报价单.pdf", PDF, customer=cust.pk)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF) and body["name"] == "报价单.pdf"
    assert body["preview_url"] is None
    listed = api.get(f"/api/v1/attachments/?customer={cust.pk}").json()
    assert [a["id"] for a in listed["results"]] == [body["id"]]
    d = api.get(body["download_url"])
    assert d.status_code == 200
    assert b"".join(d.streaming_content) == PDF
    assert "attachment" in d["Content-Disposition"]


def test_office_document_and_archive_accepted(admin, api):
    cust = f.customer(admin)
    r = upload(api, "需求.docx", docx(), customer=cust.pk)
    assert r.status_code == 201, r.json()
    assert r.json()["content_type"].endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    "data", [b"MZ\x90\x00\x03" + b"\x00" * 200, b"\x7fELF\x02\x01\x01" + b"\x00" * 200]
)
def test_executable_named_pdf_is_refused(admin, api, data):
    cust = f.customer(admin)
    r = upload(api, "合同.pdf", data, customer=cust.pk)
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert "file" in r.json()["fields"]
    assert not Attachment.objects.exists()


def test_unknown_content_is_refused_whatever_the_name(admin, api):
    cust = f.customer(admin)
    r = upload(api, "scan.jpg", b"just some text, not an image" * 10, customer=cust.pk)
    assert r.status_code == 400
    assert "file" in r.json()["fields"]


def test_json_body_with_base64_content(admin, api, other_admin):
    import base64

    cust = f.customer(admin)
    file = {"name": "a.pdf", "content": base64.b64encode(PDF).decode()}
    r = api.post("/api/v1/attachments/", {"file": file, "customer": cust.pk}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["content_type"] == "application/pdf"
    bad = api.post(
        "/api/v1/attachments/",
        {"file": {"name": "a.pdf", "content": "%%%"}, "customer": cust.pk},
        format="json",
    )
    assert bad.status_code == 400 and "file" in bad.json()["fields"]
    theirs = f.customer(other_admin)
    r = api.post("/api/v1/attachments/", {"file": file, "customer": theirs.pk}, format="json")
    assert r.status_code == 400 and "customer" in r.json()["fields"]


def test_one_record_must_be_named(admin, api):
    r = upload(api, "a.pdf", PDF)
    assert r.status_code == 400
    assert "customer" in r.json()["fields"]


def test_size_cap_and_quota_from_tenant_settings(admin, api):
    cust = f.customer(admin)
    tenant = admin.tenant
    tenant.settings = {**tenant.settings, "attachment_max_mb": 1, "attachment_quota_mb": 1}
    tenant.save(update_fields=["settings"])
    big = PDF + b"0" * (1024 * 1024)
    r = upload(api, "big.pdf", big, customer=cust.pk)
    assert r.status_code == 400 and "1 MB" in r.json()["fields"]["file"][0]
    half = PDF + b"0" * (600 * 1024)
    assert upload(api, "a.pdf", half, customer=cust.pk).status_code == 201
    r = upload(api, "b.pdf", half, customer=cust.pk)
    assert r.status_code == 400
    assert "已满" in r.json()["fields"]["file"][0]  # "is full", in zh-hans (the default)
    assert Attachment.objects.count() == 1
    usage = api.get("/api/v1/attachments/usage/").json()
    assert usage == {
        "used_bytes": len(half),
        "quota_bytes": 1024 * 1024,
        "max_file_bytes": 1024 * 1024,
    }


def test_download_only_for_those_who_see_the_record(admin, api, rep, other_admin):
    cust = f.customer(admin)  # the admin's customer: out of the rep's own scope
    att = upload(api, "a.pdf", PDF, customer=cust.pk).json()
    rep_client = client_for(rep)
    other = client_for(other_admin)
    assert rep_client.get(att["download_url"]).status_code == 404
    assert rep_client.get(f"/api/v1/attachments/{att['id']}/").status_code == 404
    listed = rep_client.get(f"/api/v1/attachments/?customer={cust.pk}")
    assert listed.status_code == 200 and listed.json()["count"] == 0
    assert other.get(f"/api/v1/attachments/?customer={cust.pk}").json()["count"] == 0
    assert other.get(att["download_url"]).status_code == 404
    # A rep may not attach to a customer they cannot see either: the link is refused
    # as a missing id (400 naming it), nothing written.
    refused = upload(rep_client, "x.pdf", PDF, customer=cust.pk)
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["customer"]
    assert Attachment.objects.count() == 1
    own = f.customer(rep, name="李销售的客户")
    mine = upload(rep_client, "x.pdf", PDF, customer=own.pk)
    assert mine.status_code == 201
    assert rep_client.get(mine.json()["download_url"]).status_code == 200


def test_removal_refused_on_signed_contract(admin, api, rep, sales_team):
    c = f.active_contract(rep, sales_team.leader)
    rep_client = client_for(rep)
    att = upload(rep_client, "签字扫描.pdf", PDF, contract=c.pk)
    assert att.status_code == 201, att.json()
    r = rep_client.delete(f"/api/v1/attachments/{att.json()['id']}/")
    assert r.status_code == 409
    assert r.json()["code"] == "frozen"
    assert Attachment.objects.filter(pk=att.json()["id"]).exists()


def test_removal_on_a_draft_record(admin, api):
    cust = f.customer(admin)
    att = upload(api, "a.pdf", PDF, customer=cust.pk).json()
    assert api.delete(f"/api/v1/attachments/{att['id']}/").status_code == 204
    assert not Attachment.objects.exists()


def test_image_preview_inline_and_timeline(admin, api):
    cust = f.customer(admin)
    att = upload(api, "现场.png", PNG, customer=cust.pk).json()
    assert att["preview_url"]
    r = api.get(att["preview_url"])
    assert r.status_code == 200
    assert r["Content-Type"] == "image/png"
    assert "inline" in r["Content-Disposition"]
    pdf = upload(api, "a.pdf", PDF, customer=cust.pk).json()
    assert api.get(f"/api/v1/attachments/{pdf['id']}/preview/").status_code == 404
    timeline = api.get(f"/api/v1/timeline/?customer={cust.pk}").json()
    kinds = [e["kind"] for e in timeline["results"]]
    assert kinds.count("attachment") == 2
