"""An admin imports a GBK spreadsheet of customers through the import wizard.

Upload (with Chinese headers, one bad row and one header the wizard does not
know), preview with the row error, map the unknown header, import with "skip
invalid rows" in the real dramatiq worker, follow the progress to the end,
download the errors file, then revert the import.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from crm.customers.models import Customer
from crm.imports.models import ImportJob
from tests.conftest import make_company
from tests.e2e.helpers import choose_exact, login
from tests.imports.helpers import credit_code, csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["客户编号", "客户名称", "统一社会信用代码", "城市", "办公电话"]
BAD_CODE = "91110000ABCDEFGHIJ"
ROWS = [
    HEADER,
    ["IMP001", "上海导入科技有限公司", credit_code(101), "上海", "021-12345678"],
    ["IMP002", "杭州导入网络有限公司", credit_code(102), "杭州", "0571-87654321"],
    ["IMP003", "南京错误数据有限公司", BAD_CODE, "南京", "025-12345678"],  # row 4: bad credit code
]


def wait_for_job(page, tenant, *, dry_run: bool, after: int = 0) -> ImportJob:
    """The newest job of the tenant after ``after``, once the worker finished it."""
    for _ in range(150):
        job = (
            ImportJob.objects.filter(tenant=tenant, dry_run=dry_run, pk__gt=after)
            .order_by("-pk")
            .first()
        )
        if job is not None and job.status in ("succeeded", "failed"):
            return job
        page.wait_for_timeout(200)
    raise AssertionError("the import job did not finish")


def test_import_customers_from_a_gbk_file_with_mapping_preview_progress_and_revert(
    page, live_server, worker, shot, tmp_path
):
    admin = make_company()
    tenant = admin.tenant
    path = tmp_path / "旧系统客户.csv"
    content = csv_bytes(ROWS, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really GBK, as Excel in China writes it
    path.write_bytes(content)

    login(page, live_server.url, admin.username)

    # --- from the customers list to the wizard, the resource chosen ---------------------
    page.get_by_test_id("menu-customers").click()
    page.get_by_test_id("import").click()
    expect(page).to_have_url(re.compile(r"/imports\?resource=customers$"))
    wizard = page.get_by_test_id("import-wizard")
    expect(wizard.get_by_test_id("import-resource")).to_contain_text("客户")
    expect(page.get_by_test_id("import-columns")).to_contain_text("统一社会信用代码")
    expect(page.get_by_test_id("import-upload")).to_be_disabled()  # no file yet

    # --- 1 upload ------------------------------------------------------------------------
    page.get_by_test_id("step-upload").locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_test_id("step-upload")).to_contain_text("旧系统客户.csv")
    shot(page, "30-import-upload")
    page.get_by_test_id("import-upload").click()

    # --- 2 mapping: the preview ran in the worker; the unknown header is left out -------------
    mapping = page.get_by_test_id("step-mapping")
    expect(mapping.get_by_test_id("import-mapping")).to_be_visible(timeout=30_000)
    expect(mapping.get_by_test_id("mapping-header")).to_have_text(HEADER)
    expect(page.get_by_test_id("mapping-target-统一社会信用代码")).to_contain_text(
        "统一社会信用代码"
    )
    expect(page.get_by_test_id("mapping-target-办公电话")).to_contain_text("不导入")
    first_preview = ImportJob.objects.get(tenant=tenant, dry_run=True)
    assert first_preview.result["encoding"] == "gb18030"
    assert first_preview.result["ignored_columns"] == ["办公电话"]
    assert not Customer.objects.filter(tenant=tenant).exists()  # a preview writes nothing

    expect(page.get_by_test_id("mapping-apply")).to_be_disabled()  # nothing changed yet
    choose_exact(page, "mapping-target-办公电话", "电话")
    expect(page.get_by_test_id("mapping-target-办公电话")).to_contain_text("电话")
    shot(page, "31-import-mapping")
    page.get_by_test_id("mapping-apply").click()
    # A second preview runs with the explicit mapping; the header is now imported.
    second_preview = wait_for_job(page, tenant, dry_run=True, after=first_preview.pk)
    expect(page.get_by_test_id("mapping-next")).to_be_enabled()
    expect(page.get_by_test_id("mapping-apply")).to_be_disabled()
    expect(page.get_by_test_id("mapping-target-办公电话")).to_contain_text("电话")
    assert second_preview.options["mapping"]["办公电话"] == "phone"
    assert second_preview.result["mapping"]["办公电话"] == "phone"

    # --- 3 preview: totals, the first rows, the row error --------------------------------
    page.get_by_test_id("mapping-next").click()
    preview = page.get_by_test_id("step-preview")
    expect(preview.get_by_test_id("total-rows")).to_contain_text("3")
    expect(preview.get_by_test_id("total-new")).to_contain_text("2")
    expect(preview.get_by_test_id("total-invalid")).to_contain_text("1")
    expect(preview.get_by_test_id("preview-rows")).to_contain_text("新建")
    errors = preview.get_by_test_id("errors-table")
    error_row = errors.locator(".el-table__body tr").first
    expect(error_row).to_contain_text("4")
    expect(error_row).to_contain_text("统一社会信用代码")
    expect(error_row).to_contain_text(BAD_CODE)
    expect(preview.get_by_test_id("start-warning")).to_contain_text("不导入任何数据")
    shot(page, "32-import-preview")
    assert not Customer.objects.filter(tenant=tenant).exists()

    # --- 4 import with "skip invalid rows": progress to the end ------------------------------
    preview.get_by_test_id("preview-on-error-skip").click()
    expect(preview.get_by_test_id("start-warning")).to_contain_text("将被跳过")
    preview.get_by_test_id("import-start").click()
    result = page.get_by_test_id("step-import")
    expect(result.get_by_test_id("job-status")).to_have_text("已完成", timeout=30_000)
    expect(result.get_by_test_id("job-progress")).to_contain_text("100%")
    expect(result.get_by_test_id("total-new")).to_contain_text("2")
    expect(result.get_by_test_id("total-invalid")).to_contain_text("1")
    expect(result.get_by_test_id("job-outcome")).to_contain_text("1")
    shot(page, "33-import-result")

    job = ImportJob.objects.get(tenant=tenant, dry_run=False)
    assert job.status == "succeeded" and job.on_error == "skip"
    assert job.options["mapping"]["办公电话"] == "phone"
    customers = {c.code: c for c in Customer.objects.filter(tenant=tenant)}
    assert set(customers) == {"IMP001", "IMP002"}
    assert customers["IMP001"].name == "上海导入科技有限公司"
    assert customers["IMP001"].phone == "021-12345678"  # the mapped column arrived
    assert customers["IMP002"].credit_code == credit_code(102)

    # --- the errors file: the failed row as it was, plus the error -------------------------
    with page.expect_download() as download:
        result.get_by_test_id("errors-download").click()
    errors_file = download.value
    assert errors_file.suggested_filename.endswith("-errors.xlsx")
    data = errors_file.path().read_bytes()
    assert data[:4] == b"PK\x03\x04"
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == [*HEADER, "错误"]
    assert len(table) == 2
    assert table[1][:5] == ROWS[3]
    assert "统一社会信用代码" in table[1][5]

    # --- the list of imports, and revert (a dialog states the consequence) ---------------------
    jobs = page.get_by_test_id("import-jobs")
    page.get_by_test_id("jobs-refresh").click()
    expect(jobs.get_by_test_id("job-link")).to_have_count(1)  # previews are not listed
    expect(jobs.get_by_test_id("job-row-status")).to_have_text("已完成")
    result.get_by_test_id(f"revert-{job.pk}").click()
    dialog = page.locator(".el-dialog:visible")
    expect(dialog.get_by_test_id("revert-consequence")).to_contain_text("新建的 2 条记录将被删除")
    expect(dialog.get_by_test_id("revert-consequence")).to_contain_text("不可撤销")
    shot(page, "34-import-revert")
    dialog.get_by_test_id("revert-confirm").click()
    expect(result.get_by_test_id("job-outcome")).to_contain_text("已撤销")
    assert not Customer.objects.filter(tenant=tenant).exists()
    expect(jobs).to_contain_text("已撤销")

    # --- the job's own page ----------------------------------------------------------------------
    jobs.get_by_test_id("job-link").click()
    expect(page).to_have_url(re.compile(rf"/imports/{job.pk}$"))
    expect(page.get_by_test_id("import-job-page")).to_contain_text("办公电话 → 电话")
    expect(page.get_by_test_id("import-job-page").get_by_test_id("errors-table")).to_contain_text(
        BAD_CODE
    )
    expect(page.get_by_test_id(f"revert-{job.pk}")).to_have_count(0)  # already reverted
    shot(page, "35-import-job")
