"""Imports through the API: formats, mapping, validation, semantics, revert, isolation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from crm.core.models import AuditEntry, DictionaryItem
from crm.customers import services as customer_services
from crm.customers.models import Contact, Customer, Lead
from crm.imports.models import ImportJob, ImportRecord
from tests.conftest import client_for, make_user
from tests.imports.helpers import (
    CUSTOMER_HEADER,
    credit_code,
    csv_bytes,
    read_xlsx,
    run,
    upload,
    xlsx_bytes,
)
from workflows.models import Reminder

pytestmark = pytest.mark.django_db


def customer_rows(n=3, start=1):
    rows = [CUSTOMER_HEADER]
    for i in range(start, start + n):
        rows.append(
            [
                f"C{i:04d}",
                f"北京华信科技有限公司{i}",
                credit_code(i),
                "制造业",
                "A 重点客户",
                "官网",
                "北京",
                "北京市",
                f"海淀区{i}号",
                "010-62345678",
                "",
                "2023/5/6",
                "老客户  ",
            ]
        )
    return rows


@pytest.mark.parametrize(
    "encoding,bom", [("gbk", False), ("gb18030", False), ("utf-8", True), ("utf-8", False)]
)
def test_csv_in_chinese_encodings_with_chinese_headers(api, tenant, admin, encoding, bom):
    rows = customer_rows(3)
    rows[1][1] = "北京华信科技有限公司１"  # full-width digit, GBK-encodable
    if encoding == "gb18030":
        rows[2][1] = "㐀字科技公司"  # beyond GBK, only in GB18030
    content = csv_bytes([*rows, [], ["", "", ""]], encoding=encoding, bom=bom)
    job = run(api, content)
    assert job["status"] == "succeeded", job
    assert job["totals"] == {"rows": 3, "new": 3, "updated": 0, "unchanged": 0, "invalid": 0}
    assert job["result"]["ignored_columns"] == []  # 备注 is stored (customers.remark)
    c = Customer.objects.get(tenant=tenant, code="C0002")
    assert c.name == ("㐀字科技公司" if encoding == "gb18030" else "北京华信科技有限公司2")
    assert c.credit_code == credit_code(2)
    assert c.industry.label == "制造业" and c.level.code == "a" and c.source.code == "website"
    assert c.region == "北京市"
    assert c.remark == "老客户"  # trailing spaces ignored
    assert c.owner == admin  # blank owner: the importer, like the API
    assert timezone.localtime(c.created_at).date() == dt.date(2023, 5, 6)
    assert "bjhx" in Customer.objects.get(tenant=tenant, code="C0001").search_key
    assert job["progress"] == 100


def test_xlsx_named_sheet_with_excel_dates_and_numbers(api, tenant):
    rows = [
        ["客户编号", "客户名称", "统一社会信用代码", "创建日期", "电话"],
        [1001, "上海数据有限公司", credit_code(7), dt.datetime(2022, 1, 31), "021-61234567"],
        [1002, "  重庆长安贸易公司  ", "", 45052, ""],
    ]
    content = xlsx_bytes(rows, sheet="客户", extra_first="说明")
    job = run(api, content, name="legacy.xlsx", sheet="客户")
    assert job["status"] == "succeeded", job
    assert job["totals"]["new"] == 2
    first = Customer.objects.get(tenant=tenant, code="1001")
    assert timezone.localtime(first.created_at).date() == dt.date(2022, 1, 31)
    second = Customer.objects.get(tenant=tenant, code="1002")
    assert second.name == "重庆长安贸易公司"
    assert timezone.localtime(second.created_at).date() == dt.date(2023, 5, 6)  # serial 45052
    assert "cqca" in second.search_key

    missing = run(api, content, name="legacy.xlsx", sheet="不存在")
    assert missing["status"] == "failed"
    assert "不存在" in missing["detail"]


def test_first_sheet_by_default(api, tenant):
    content = xlsx_bytes([["客户名称"], ["第一页公司"]])
    job = run(api, content, name="a.xlsx")
    assert job["totals"]["new"] == 1
    assert Customer.objects.filter(tenant=tenant, name="第一页公司").exists()


def test_explicit_mapping_for_unknown_headers(api, tenant):
    content = csv_bytes(
        [["单位全称", "编码", "随便什么", "Tel."], ["映射公司", "M-1", "x", "010-88886666"]]
    )
    job = run(
        api,
        content,
        mapping='{"单位全称": "name", "编码": "code", "随便什么": "", "Tel.": "phone"}',
    )
    assert job["status"] == "succeeded", job
    c = Customer.objects.get(tenant=tenant, code="M-1")
    assert c.name == "映射公司" and c.phone == "010-88886666"
    assert job["result"]["mapping"] == {"单位全称": "name", "编码": "code", "Tel.": "phone"}
    assert job["result"]["ignored_columns"] == ["随便什么"]

    bad = upload(api, content, mapping='{"单位全称": "nonsense"}')
    assert bad.status_code == 201
    from crm.imports.services import run_job

    run_job(bad.json()["id"])
    failed = api.get(f"/api/v1/imports/{bad.json()['id']}/").json()
    assert failed["status"] == "failed" and "nonsense" in failed["detail"]


def test_english_headers_and_missing_required_column(api, tenant):
    job = run(api, csv_bytes([["Customer name", "customer code"], ["English Co", "E1"]]))
    assert job["totals"]["new"] == 1
    no_name = run(api, csv_bytes([["客户编号", "电话"], ["X1", "010-12345678"]]))
    assert no_name["status"] == "failed"
    assert "客户名称" in no_name["detail"] or "customer name" in no_name["detail"]
    assert not Customer.objects.filter(tenant=tenant, code="X1").exists()


def test_a_refused_file_keeps_its_headers_for_the_mapping_step(api, tenant):
    rows = [["公司", "客户编号", "电话"], ["甲公司", "X2", ""]]
    refused = run(api, csv_bytes(rows), dry_run=True)
    assert refused["status"] == "failed"
    assert refused["result"]["header"] == ["公司", "客户编号", "电话"]
    assert refused["result"]["mapping"] == {"客户编号": "code", "电话": "phone"}
    assert refused["result"]["ignored_columns"] == ["公司"]
    # The wizard maps the unknown header and previews again: now it passes.
    mapping = {**refused["result"]["mapping"], "公司": "name"}
    again = run(
        api,
        csv_bytes(rows),
        dry_run=True,
        mapping=json.dumps(mapping, ensure_ascii=False),
    )
    assert again["status"] == "succeeded" and again["totals"]["new"] == 1


def test_dictionary_matches_label_or_code_and_unknown_values(api, tenant):
    rows = [
        ["客户名称", "行业", "客户等级", "客户来源"],
        ["按标签", "金融", "B 普通客户", "展会"],
        ["按代码", "FINANCE", "c", "referral"],
        ["不认识", "航天", "a", "官网"],
    ]
    job = run(api, csv_bytes(rows), on_error="skip")
    assert job["totals"] == {"rows": 3, "new": 2, "updated": 0, "unchanged": 0, "invalid": 1}
    assert Customer.objects.get(tenant=tenant, name="按标签").industry.code == "finance"
    by_code = Customer.objects.get(tenant=tenant, name="按代码")
    assert (by_code.industry.code, by_code.level.code, by_code.source.code) == (
        "finance",
        "c",
        "referral",
    )
    [error] = job["errors"]
    assert error["row"] == 4 and error["column"] == "行业" and error["value"] == "航天"
    assert "航天" in error["message"]

    added = run(api, csv_bytes([rows[0], rows[3]]), add_missing_dictionary="true")
    assert added["status"] == "succeeded", added
    item = DictionaryItem.objects.get(tenant=tenant, kind="industry", label="航天")
    assert Customer.objects.get(tenant=tenant, name="不认识").industry == item


def test_each_validation_rule_is_a_row_error_with_the_file_row_number(api, tenant):
    rows = [
        ["客户编号", "客户名称", "统一社会信用代码", "电话", "负责人", "创建日期", "客户类型"],
        ["V1", "好公司", credit_code(1), "010-62345678", "", "2023年5月6日", "公司"],
        [],  # a blank line: skipped, but still counted in the numbering
        ["V2", "坏信用代码", "91110000000000001X", "", "", "", ""],  # row 4: checksum
        ["V3", "短信用代码", "123", "", "", "", ""],  # row 5: length
        ["V4", "坏电话", "", "电话号码", "", "", ""],  # row 6
        ["V5", "坏日期", "", "", "", "2023-13-45", ""],  # row 7
        ["V6", "没人", "", "", "不存在的人", "", ""],  # row 8
        ["V7", "", "", "", "", "", ""],  # row 9: name required
        ["V8", "坏类型", "", "", "", "", "火星"],  # row 10
    ]
    job = run(api, csv_bytes(rows))
    assert job["status"] == "failed"  # abort: nothing written
    assert job["totals"]["invalid"] == 7 and job["totals"]["rows"] == 8
    errors = {(e["row"], e["column"]) for e in job["errors"]}
    assert errors == {
        (4, "统一社会信用代码"),
        (5, "统一社会信用代码"),
        (6, "电话"),
        (7, "创建日期"),
        (8, "负责人"),
        (9, "客户名称"),
        (10, "客户类型"),
    }
    messages = {e["row"]: e["message"] for e in job["errors"]}
    assert "校验" in messages[4] or "check" in messages[4]  # translated (zh-hans user)
    assert "18" in messages[5]
    assert not Customer.objects.filter(tenant=tenant).exists()


def test_lead_and_contact_validation_mobile_email_birthday(api, tenant):
    customer_services.customer_create(tenant=tenant, actor=None, name="联系人客户", code="K1")
    rows = [
        ["客户编号", "姓名", "手机", "邮箱", "生日"],
        ["K1", "张三", "＋86 138-1234-5678", "zhang@example.cn", "1990/1/2"],
        ["K1", "李四", "12345", "", ""],
        ["K1", "王五", "", "not-an-email", ""],
        ["K1", "赵六", "", "", "19900102x"],
        ["K9", "钱七", "13912345678", "", ""],
    ]
    job = run(api, csv_bytes(rows), resource="contacts", on_error="skip", name="c.csv")
    assert job["totals"]["new"] == 1 and job["totals"]["invalid"] == 4
    assert [(e["row"], e["column"]) for e in job["errors"]] == [
        (3, "手机"),
        (4, "邮箱"),
        (5, "生日"),
        (6, "客户编号"),
    ]
    contact = Contact.objects.get(tenant=tenant, name="张三")
    assert contact.mobile == "+8613812345678"
    assert contact.birthday == dt.date(1990, 1, 2)


def test_abort_writes_nothing_and_skip_writes_exactly_the_good_rows(api, tenant):
    rows = customer_rows(4)
    rows[3][2] = "BAD"  # row 4 invalid
    aborted = run(api, csv_bytes(rows))
    assert aborted["status"] == "failed"
    assert "1" in aborted["detail"]
    assert not Customer.objects.filter(tenant=tenant).exists()
    assert not AuditEntry.objects.filter(tenant=tenant, action="import").exists()

    skipped = run(api, csv_bytes(rows), on_error="skip")
    assert skipped["status"] == "succeeded"
    assert skipped["totals"] == {"rows": 4, "new": 3, "updated": 0, "unchanged": 0, "invalid": 1}
    assert sorted(Customer.objects.filter(tenant=tenant).values_list("code", flat=True)) == [
        "C0001",
        "C0002",
        "C0004",
    ]
    assert [e["row"] for e in skipped["errors"]] == [4]


def test_dry_run_previews_and_writes_nothing(api, tenant):
    job = run(api, csv_bytes(customer_rows(2)), dry_run="true")
    assert job["status"] == "succeeded"
    assert job["totals"]["new"] == 2
    assert [p["action"] for p in job["result"]["preview"]] == ["new", "new"]
    assert not Customer.objects.filter(tenant=tenant).exists()
    assert not ImportRecord.objects.exists()


def test_reimport_is_idempotent_and_upserts_by_natural_keys(api, tenant):
    content = csv_bytes(customer_rows(3))
    first = run(api, content)
    assert first["totals"]["new"] == 3
    before = {c.pk: c.version for c in Customer.objects.filter(tenant=tenant)}
    again = run(api, content)
    assert again["totals"] == {"rows": 3, "new": 0, "updated": 0, "unchanged": 3, "invalid": 0}
    assert {c.pk: c.version for c in Customer.objects.filter(tenant=tenant)} == before

    # Matched by credit code when the code is new to a customer created without one.
    made = customer_services.customer_create(
        tenant=tenant, actor=None, name="旧系统公司", credit_code=credit_code(50)
    )
    changed = run(
        api,
        csv_bytes(
            [
                ["客户编号", "客户名称", "统一社会信用代码", "地址"],
                ["NEW-50", "旧系统公司", credit_code(50), "新地址"],
                ["C0001", "北京华信科技有限公司1", "", "改了地址"],
            ]
        ),
    )
    assert changed["totals"]["updated"] == 2, changed
    made.refresh_from_db()
    assert (made.code, made.address, made.version) == ("NEW-50", "新地址", 2)
    c1 = Customer.objects.get(tenant=tenant, code="C0001")
    assert c1.address == "改了地址" and c1.version == 2
    entry = AuditEntry.objects.filter(tenant=tenant, object_id=c1.pk, action="import").latest("id")
    assert entry.changes["address"] == ["海淀区1号", "改了地址"]


def test_duplicate_rows_inside_a_file(api, tenant):
    rows = customer_rows(2)
    rows.append(list(rows[1]))  # row 4 repeats row 2's code
    job = run(api, csv_bytes(rows), on_error="skip")
    assert job["totals"]["new"] == 2 and job["totals"]["invalid"] == 1
    assert job["errors"][0]["row"] == 4 and "2" in job["errors"][0]["message"]


def test_per_record_and_per_import_audit(api, tenant, admin):
    job = run(api, csv_bytes(customer_rows(2)))
    ct = ContentType.objects.get_for_model(Customer)
    entries = AuditEntry.objects.filter(tenant=tenant, action="import", content_type=ct)
    assert entries.count() == 2
    assert all(e.actor == admin and e.changes["import_job"] == job["id"] for e in entries)
    job_ct = ContentType.objects.get_for_model(ImportJob)
    [summary] = AuditEntry.objects.filter(tenant=tenant, content_type=job_ct, object_id=job["id"])
    assert summary.changes["totals"]["new"] == 2
    history = api.get(f"/api/v1/customers/{entries[0].object_id}/history/").json()
    assert history[0]["action"] == "import"


def test_lead_import_schedules_reminders_in_bulk(api, tenant, rep, sales_team):
    rows = [
        ["公司名称", "联系人", "手机", "邮箱", "来源", "需求", "负责人"],
        ["甲公司", "张三", "13800000001", "a@x.cn", "官网", "CRM", rep.username],
        ["乙公司", "李四", "13800000002", "", "展会", "", "李销售"],
    ]
    job = run(api, csv_bytes(rows), resource="leads", name="leads.csv")
    assert job["totals"]["new"] == 2, job
    leads = Lead.objects.filter(tenant=tenant)
    assert {lead.owner for lead in leads} == {rep}
    assert all(lead.status == "new" and lead.owned_since for lead in leads)
    ct = ContentType.objects.get_for_model(Lead)
    reminders = Reminder.objects.filter(content_type=ct, object_id__in=[x.pk for x in leads])
    rules = sorted(reminders.values_list("rule", flat=True))
    assert rules.count("lead.first_contact") == 2
    assert rules.count("lead.first_contact_escalation") == 2  # the team leader
    assert rules.count("lead.auto_pool") == 2
    first = reminders.get(
        rule="lead.first_contact", object_id=leads.get(mobile="+8613800000001").pk
    )
    expected = leads.get(mobile="+8613800000001").owned_since + dt.timedelta(
        hours=tenant.setting("lead_first_contact_sla_hours")
    )
    assert abs((first.due_at - expected).total_seconds()) < 1
    assert first.recipient == rep


def test_converted_lead_is_never_changed_by_an_import(api, tenant, admin):
    lead = customer_services.lead_create(
        tenant=tenant,
        actor=admin,
        company_name="已转化公司",
        mobile="+8613900000001",
        need="旧需求",
    )
    Lead.objects.filter(pk=lead.pk).update(status="converted", version=5)
    rows = [
        ["公司名称", "手机", "需求"],
        ["已转化公司", "13900000001", "导入想改需求"],
        ["新公司", "13900000002", "新需求"],
    ]
    job = run(api, csv_bytes(rows), resource="leads", on_error="skip", name="l.csv")
    assert job["totals"]["new"] == 1 and job["totals"]["invalid"] == 1
    assert job["errors"][0]["row"] == 2
    lead.refresh_from_db()
    assert (lead.need, lead.version, lead.status) == ("旧需求", 5, "converted")
    # Importing the converted lead's current values is fine: unchanged.
    same = run(
        api,
        csv_bytes([["公司名称", "手机", "需求"], ["已转化公司", "13900000001", "旧需求"]]),
        resource="leads",
        name="l.csv",
    )
    assert same["totals"]["unchanged"] == 1 and same["status"] == "succeeded"


def test_revert_restores_updates_and_removes_creations(api, tenant, admin):
    base = run(api, csv_bytes(customer_rows(2)))
    assert base["totals"]["new"] == 2
    rows = customer_rows(3)
    rows[1][8] = "改过的地址"
    second = run(api, csv_bytes(rows))
    assert second["totals"] == {"rows": 3, "new": 1, "updated": 1, "unchanged": 1, "invalid": 0}
    c1 = Customer.objects.get(tenant=tenant, code="C0001")
    assert c1.address == "改过的地址"

    reverted = api.post(f"/api/v1/imports/{second['id']}/revert/")
    assert reverted.status_code == 200, reverted.content
    assert reverted.json() == {"deleted": 1, "restored": 1}
    c1.refresh_from_db()
    assert c1.address == "海淀区1号" and c1.version == 3
    assert not Customer.objects.filter(tenant=tenant, code="C0003").exists()
    assert api.get(f"/api/v1/imports/{second['id']}/").json()["reverted"] is True
    again = api.post(f"/api/v1/imports/{second['id']}/revert/")
    assert again.status_code == 400


def test_revert_refused_when_newer_changes_touched_the_rows(api, tenant, admin):
    job = run(api, csv_bytes(customer_rows(2)))
    c1 = Customer.objects.get(tenant=tenant, code="C0001")
    customer_services.customer_update(c1, tenant=tenant, actor=admin, address="有人改过")
    refused = api.post(f"/api/v1/imports/{job['id']}/revert/")
    assert refused.status_code == 409
    assert f"#{c1.pk}" in refused.json()["detail"]
    assert Customer.objects.filter(tenant=tenant).count() == 2

    other = run(api, csv_bytes(customer_rows(1, start=10)))
    c10 = Customer.objects.get(tenant=tenant, code="C0010")
    customer_services.contact_create(tenant=tenant, actor=admin, customer=c10, name="新联系人")
    assert api.post(f"/api/v1/imports/{other['id']}/revert/").status_code == 409
    assert Customer.objects.filter(pk=c10.pk).exists()


def test_errors_file_has_the_failed_rows_and_an_error_column(api, tenant):
    rows = customer_rows(3)
    rows[2][2] = "BAD"
    job = run(api, csv_bytes(rows, encoding="gbk"), on_error="skip")
    response = api.get(f"/api/v1/imports/{job['id']}/errors.xlsx")
    assert response.status_code == 200
    sheet = read_xlsx(b"".join(response.streaming_content))
    assert sheet[0][: len(CUSTOMER_HEADER)] == CUSTOMER_HEADER
    assert len(sheet) == 2
    assert sheet[1][1] == "北京华信科技有限公司2" and sheet[1][2] == "BAD"
    assert "统一社会信用代码" in sheet[1][-1]
    # The fixed file re-imports.
    slash = api.get(f"/api/v1/imports/{job['id']}/errors.xlsx/")
    assert slash.status_code == 200


def test_jobs_and_data_are_tenant_scoped(api, tenant, other_admin):
    job = run(api, csv_bytes(customer_rows(1)))
    other = client_for(other_admin)
    assert other.get(f"/api/v1/imports/{job['id']}/").status_code == 404
    assert other.get(f"/api/v1/imports/{job['id']}/errors.xlsx").status_code == 404
    assert other.post(f"/api/v1/imports/{job['id']}/revert/").status_code == 404
    assert other.get("/api/v1/imports/").json()["count"] == 0
    # The same file in the other company creates its own rows, untouched by ours.
    theirs = run(other, csv_bytes(customer_rows(1)))
    assert theirs["totals"]["new"] == 1
    assert Customer.objects.filter(code="C0001").count() == 2
    assert Customer.objects.get(tenant=other_admin.tenant, code="C0001").owner == other_admin


def test_import_needs_permission(api, admin, sales_team):
    rep = make_user(admin, "销售代表", team=sales_team)
    response = upload(client_for(rep), csv_bytes(customer_rows(1)))
    assert response.status_code == 403
    assert api.get("/api/v1/imports/resources/").status_code == 200


def test_bad_upload_answers_400(api):
    old_xls = upload(api, b"\xd0\xcf\x11\xe0" + b"0" * 100, name="old.xls")
    assert old_xls.status_code == 400 and "xlsx" in old_xls.json()["fields"]["file"][0]
    unknown = upload(api, b"a,b\n", resource="spaceships")
    assert unknown.status_code == 400
