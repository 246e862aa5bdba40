"""Users from a file (issue 17 item 8): preview with per-row errors, then all-or-nothing."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from rest_framework.test import APIClient

from crm.core import services
from crm.core.models import AuditEntry, Invitation, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/users/import/"
NEW_PASSWORD = "Fresh-start-2468!"


def _csv(text: str, encoding: str = "utf-8", name: str = "users.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("users.xlsx", out.getvalue())


def _post(api, upload, *, dry_run=True, capture=None):
    data = {"file": upload, "dry_run": "true" if dry_run else "false"}
    if capture is None:
        return api.post(URL, data, format="multipart")
    with capture(execute=True):
        return api.post(URL, data, format="multipart")


def test_the_preview_names_each_rows_errors_and_creates_nothing(api, admin, sales_team):
    before = User.objects.count()
    upload = _csv(
        "用户名,姓名,邮箱,手机,角色,团队\n"
        "zhangsan,张三,zhang@example.cn,13800138000,销售代表,销售一部\n"
        "lisi,李四,not-an-address,12,无此角色,无此团队\n"
        "wangwu,王五,,,,\n"
        f"{admin.username},赵六,zhao@example.cn,,,\n"
        f"sunqi,孙七,{admin.email},,,\n"
    )
    response = _post(api, upload)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 5 and body["error_rows"] == 4 and body["created"] == []
    rows = {r["row"]: r for r in body["rows"]}
    assert rows[2]["errors"] == {}
    assert rows[2]["values"] == {
        "username": "zhangsan",
        "full_name": "张三",
        "email": "zhang@example.cn",
        "mobile": "13800138000",
        "role": "销售代表",
        "team": "销售一部",
    }
    assert set(rows[3]["errors"]) == {"email", "mobile", "role", "team"}
    assert "无此角色" in rows[3]["errors"]["role"][0]
    assert "无此团队" in rows[3]["errors"]["team"][0]
    assert set(rows[4]["errors"]) == {"email"}  # missing
    assert set(rows[5]["errors"]) == {"username"}  # taken
    assert set(rows[6]["errors"]) == {"email"}  # a user of the company has it
    assert User.objects.count() == before and not mail.outbox


def test_a_real_run_with_errors_creates_nothing_and_answers_400(api, sales_team):
    before = User.objects.count()
    upload = _csv(
        "username,name,email,role,team\n"
        "a1,甲,a1@example.cn,销售代表,销售一部\n"
        "a2,乙,a1@example.cn,销售代表,销售一部\n"
        "a1,丙,a3@example.cn,,\n"
    )
    response = _post(api, upload, dry_run=False)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and "file" in body["fields"]
    rows = {r["row"]: r["errors"] for r in body["rows"]}
    assert rows[2] == {}
    assert "第 2 行" in rows[3]["email"][0]  # duplicate e-mail within the file (zh-hans)
    assert "第 2 行" in rows[4]["username"][0]  # duplicate username within the file
    assert User.objects.count() == before and not mail.outbox


def test_a_clean_import_creates_users_and_mails_each_a_link_that_works_once(
    api, admin, tenant, sales_team, django_capture_on_commit_callbacks
):
    upload = _xlsx(
        [
            ["Username", "Name", "E-mail", "Mobile", "Role", "Team"],
            ["zhangsan", "张三", "Zhang@Example.cn", 13800138000, "销售代表", "销售一部"],
            [None, "李四", "li@example.cn", None, "销售代表，销售经理", None],
        ]
    )
    response = _post(api, upload, dry_run=False, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.content
    assert [c["username"] for c in response.json()["created"]] == ["zhangsan", "li@example.cn"]
    zhang = User.objects.get(username="zhangsan")
    assert zhang.tenant == tenant and zhang.team == sales_team and zhang.full_name == "张三"
    assert zhang.email == "zhang@example.cn" and zhang.mobile == "13800138000"
    assert not zhang.has_usable_password()
    assert {r.name for r in zhang.roles.all()} == {"销售代表"}
    li = User.objects.get(username="li@example.cn")
    assert {r.name for r in li.roles.all()} == {"销售代表", "销售经理"} and li.team is None
    assert AuditEntry.objects.filter(tenant=tenant, action="create", object_id=zhang.pk).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.cn", "zhang@example.cn"]
    assert Invitation.objects.filter(user__in=[zhang, li]).count() == 2

    message = next(m for m in mail.outbox if m.to == ["zhang@example.cn"])
    key = re.search(r"/invite/([\w-]+)", message.body).group(1)
    public = APIClient()
    accepted = public.post(
        f"/api/v1/invitations/{key}/accept/", {"password": NEW_PASSWORD}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    again = public.post(
        f"/api/v1/invitations/{key}/accept/", {"password": NEW_PASSWORD}, format="json"
    )
    assert again.status_code == 400 and "token" in again.json()["fields"]
    zhang.refresh_from_db()
    assert zhang.check_password(NEW_PASSWORD)


def test_a_gbk_csv_is_read(api, sales_team, django_capture_on_commit_callbacks):
    upload = _csv("用户名,姓名,邮箱,团队\nchenba,陈八,chen@example.cn,销售一部\n", encoding="gbk")
    preview = _post(api, upload)
    assert preview.status_code == 200, preview.content
    row = preview.json()["rows"][0]
    assert row["errors"] == {} and row["values"]["full_name"] == "陈八"
    upload.seek(0)
    done = _post(api, upload, dry_run=False, capture=django_capture_on_commit_callbacks)
    assert done.status_code == 201, done.content
    assert User.objects.get(username="chenba").full_name == "陈八" and len(mail.outbox) == 1


def test_another_companys_team_and_role_are_unknown(api, other_admin):
    services.team_create(tenant=other_admin.tenant, actor=other_admin, name="外部团队")
    upload = _csv("邮箱,团队\nx@example.cn,外部团队\n")
    row = _post(api, upload).json()["rows"][0]
    assert set(row["errors"]) == {"team"}


def test_bad_files_are_refused_naming_the_file(api, settings):
    no_email = _post(api, _csv("用户名,姓名\nabc,甲\n"))
    assert no_email.status_code == 400 and "file" in no_email.json()["fields"]
    empty = _post(api, _csv("邮箱\n"))
    assert empty.status_code == 400 and "file" in empty.json()["fields"]
    many = "邮箱\n" + "".join(f"u{i}@example.cn\n" for i in range(501))
    too_many = _post(api, _csv(many))
    assert too_many.status_code == 400 and "500" in too_many.json()["fields"]["file"][0]
    settings.IMPORT_XLSX_MAX_UNPACKED = 1000  # the imports' zip-bomb guard applies
    bomb = _post(api, _xlsx([["邮箱"], *[[f"u{i}@example.cn"] for i in range(200)]]))
    assert bomb.status_code == 400 and "file" in bomb.json()["fields"]
    assert not User.objects.filter(email="u0@example.cn").exists()


def test_a_rep_may_not_import(rep):
    response = _post(client_for(rep), _csv("邮箱\nx@example.cn\n"), dry_run=False)
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.cn").exists() and not mail.outbox


def test_the_preview_reads_a_fixed_number_of_queries(
    api, sales_team, django_assert_max_num_queries
):
    rows = "".join(f"u{i},u{i}@example.cn,销售代表,销售一部\n" for i in range(200))
    with django_assert_max_num_queries(20):
        response = _post(api, _csv("username,email,role,team\n" + rows))
    assert response.status_code == 200 and response.json()["error_rows"] == 0
