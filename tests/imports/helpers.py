"""Building import files and running jobs in tests."""

from __future__ import annotations

import csv
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from crm.core.validators import credit_code_check_char
from crm.imports.models import ImportJob
from crm.imports.services import run_job


def credit_code(n: int) -> str:
    first = f"91110000{n:09d}"
    return first + credit_code_check_char(first)


def csv_bytes(rows: list[list], encoding: str = "utf-8", bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list], sheet: str = "Sheet1", extra_first: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if extra_first:
        ws.title = extra_first
        ws.append(["说明：这一页不是数据"])
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes) -> list[list]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def upload(api, content: bytes, *, name="customers.csv", resource="customers", **fields):
    data = {"resource": resource, "file": SimpleUploadedFile(name, content), **fields}
    return api.post("/api/v1/imports/", data, format="multipart")


def run(api, content: bytes, **kwargs) -> dict:
    """Upload, run the job here (no worker), return the job as the API shows it."""
    response = upload(api, content, **kwargs)
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    run_job(job_id)
    job = api.get(f"/api/v1/imports/{job_id}/")
    assert job.status_code == 200, job.content
    return job.json()


def job_row(job_id: int) -> ImportJob:
    return ImportJob._base_manager.get(pk=job_id)


CUSTOMER_HEADER = [
    "客户编号",
    "客户名称",
    "统一社会信用代码",
    "行业",
    "客户等级",
    "客户来源",
    "省份",
    "城市",
    "地址",
    "电话",
    "负责人",
    "创建日期",
    "备注",
]


# --- the Django admin's import (django-import-export's two steps) ----------------------

_CONFIRM_FIELDS = re.compile(
    r'name="(import_file_name|original_file_name|format|resource|tenant)"[^>]*value="([^"]*)"'
)


def admin_preview(client, url: str, tenant, content: bytes, name: str = "f.csv"):
    """The admin's first step (a dry run): its page and the confirm form's fields."""
    response = client.post(
        f"{url}import/",
        {
            "tenant": tenant.pk,
            "format": 0,
            "resource": 0,
            "import_file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    return html, dict(_CONFIRM_FIELDS.findall(html))


def admin_import(client, url: str, tenant, content: bytes, name: str = "f.csv") -> str:
    """Both steps when the preview offers to confirm; the preview's page."""
    html, fields = admin_preview(client, url, tenant, content, name)
    if "import_file_name" in fields:
        done = client.post(f"{url}process_import/", fields)
        assert done.status_code == 302, done.content[:500]
    return html
