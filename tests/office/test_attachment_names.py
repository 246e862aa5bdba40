"""An attachment's name says what its bytes are: the type is checked by content,
so a PDF sent as ``a.html`` or ``a.exe`` must not be downloaded under that name
(opened locally as a page or run as a program)."""

from __future__ import annotations

import pytest

from crm.office.models import Attachment
from tests.office.test_attachments import PDF, PNG, docx, upload
from tests.sales import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("sent", "data", "kept"),
    [
        ("报价单.html", PDF, "报价单.html.pdf"),
        ("setup.exe", PDF, "setup.exe.pdf"),
        ("logo.js", PNG, "logo.js.png"),
    ],
)
def test_a_name_not_matching_the_content_gets_the_contents_extension(admin, api, sent, data, kept):
    cust = f.customer(admin)
    response = upload(api, sent, data, customer=cust.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == kept
    assert Attachment.objects.get(pk=body["id"]).name == kept
    download = api.get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].rstrip('"').endswith(kept[-8:])
    # Names that already say what the bytes are stay as they were sent.
    for name, content in (("报价单.PDF", PDF), ("需求.docx", docx()), ("图.png", PNG)):
        same = upload(api, name, content, customer=cust.pk)
        assert same.status_code == 201 and same.json()["name"] == name
