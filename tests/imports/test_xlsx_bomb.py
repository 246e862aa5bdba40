"""An xlsx decompression bomb is refused before parsing; the errors file is built once.

A few MB of zip can inflate to gigabytes of shared strings: the archive's
declared sizes are checked before openpyxl opens it, and the errors download
serves the file the worker stored instead of parsing the upload again in the
web process.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from crm.imports import formats
from crm.imports.models import ImportFile
from crm.imports.services import run_job
from tests.imports.helpers import csv_bytes, read_xlsx, run, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def bomb(megabytes: int) -> bytes:
    """A valid workbook whose shared strings inflate to ``megabytes`` of one repeated letter."""
    base = xlsx_bytes([["客户名称"], ["炸弹公司"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                target.writestr(item, source.read(item.filename))
        with target.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                b'count="2" uniqueCount="2"><si><t>\xe5\xae\xa2\xe6\x88\xb7\xe5\x90\x8d\xe7\xa7\xb0'
                b"</t></si><si><t>"
            )
            block = b"A" * MB
            for _ in range(megabytes):
                strings.write(block)
            strings.write(b"</t></si></sst>")
    return out.getvalue()


def test_a_bomb_past_the_size_limit_is_refused_with_bounded_memory(api, settings):
    settings.IMPORT_XLSX_MAX_UNPACKED = 8 * MB  # the real limit is 200 MB: keep the test fast
    content = bomb(32)
    assert len(content) < 200_000  # 32 MB inside a few dozen kB
    response = upload(api, content, name="bomb.xlsx")
    assert response.status_code == 201, response.content
    import openpyxl  # noqa: F401  (loaded before measuring)

    tracemalloc.start()
    try:
        run_job(response.json()["id"])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    job = api.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert job["status"] == "failed", job
    assert "bomb.xlsx" in job["detail"] and "xl/sharedStrings.xml" in job["detail"]
    assert job["totals"] == {} and job["errors"] == []
    assert peak < 16 * MB, peak  # parsing it would hold the 32 MB string at least


def test_a_bomb_under_the_size_limit_is_refused_by_its_ratio(api):
    job = run(api, bomb(4), name="small-bomb.xlsx", dry_run=True)
    assert job["status"] == "failed", job
    assert "small-bomb.xlsx" in job["detail"] and "xl/sharedStrings.xml" in job["detail"]


def test_an_ordinary_workbook_passes_the_check():
    rows = [["客户名称", "备注"], *[[f"公司{i}", "同样的备注" * 20] for i in range(3000)]]
    content = xlsx_bytes(rows)
    formats.check_archive(content, "ok.xlsx")  # no exception
    sheet = formats.open_xlsx(content, name="ok.xlsx")
    assert sum(1 for _row in sheet.rows) == 3000


@pytest.mark.parametrize("name,make", [("bad.csv", csv_bytes), ("bad.xlsx", xlsx_bytes)])
def test_errors_file_is_served_from_storage_without_parsing_the_upload(
    api, monkeypatch, name, make
):
    content = make([["客户名称", "电话"], ["好公司", "010-62345678"], ["坏公司", "不是电话"]])
    job = run(api, content, name=name, on_error="skip")
    assert job["totals"]["invalid"] == 1, job
    stored = ImportFile.objects.get(job_id=job["id"]).errors_xlsx
    assert stored is not None

    def refuse(*args, **kwargs):
        raise AssertionError("the errors download parsed the upload")

    monkeypatch.setattr(formats, "open_upload", refuse)
    monkeypatch.setattr(formats, "open_xlsx", refuse)
    monkeypatch.setattr(formats, "open_csv", refuse)
    response = api.get(f"/api/v1/imports/{job['id']}/errors.xlsx")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == bytes(stored)
    sheet = read_xlsx(body)
    assert sheet[0][:2] == ["客户名称", "电话"] and len(sheet) == 2
    assert sheet[1][:2] == ["坏公司", "不是电话"] and "电话" in sheet[1][2]


def test_a_job_without_errors_serves_an_empty_errors_file(api, monkeypatch):
    job = run(api, csv_bytes([["客户名称"], ["好公司"]]))
    assert job["status"] == "succeeded", job
    monkeypatch.setattr(formats, "open_upload", lambda *a, **k: pytest.fail("parsed"))
    response = api.get(f"/api/v1/imports/{job['id']}/errors.xlsx")
    assert response.status_code == 200
    sheet = read_xlsx(b"".join(response.streaming_content))
    assert len(sheet) == 1 and sheet[0][0] == "客户名称"
