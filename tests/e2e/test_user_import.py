"""Users from a file in the browser: choose a CSV, read each row's errors, then import."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from crm.core.models import User
from tests.conftest import make_company
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_preview_a_file_with_errors_then_import_a_clean_one(page, live_server, tmp_path, shot):
    admin = make_company("导入员工演示公司")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "用户名,姓名,邮箱,角色\nzhangsan,张三,zhang@example.cn,销售代表\nlisi,李四,not-an-address,无此角色\n"
    )
    good = tmp_path / "good.csv"
    good.write_text(
        "用户名,姓名,邮箱,角色\nzhangsan,张三,zhang@example.cn,销售代表\n", encoding="gbk"
    )
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings/users")
    page.get_by_test_id("user-import-open").click()
    expect(page.get_by_test_id("user-import-dialog")).to_be_visible()

    page.get_by_test_id("user-import-file").set_input_files(str(bad))
    expect(page.get_by_test_id("user-import-preview")).to_contain_text("李四")
    expect(page.get_by_test_id("user-import-error-3-email")).to_contain_text("邮箱")
    expect(page.get_by_test_id("user-import-error-3-role")).to_contain_text("无此角色")
    expect(page.get_by_test_id("user-import-submit")).to_be_disabled()
    shot(page, "95-user-import-preview")
    assert not User.objects.filter(username="zhangsan").exists()

    page.get_by_test_id("user-import-file").set_input_files(str(good))
    expect(page.get_by_test_id("user-import-summary")).to_contain_text("全部可以导入")
    page.get_by_test_id("user-import-submit").click()
    expect(page.locator(".el-message--success")).to_be_visible()
    expect(page.get_by_test_id("users-admin-table")).to_contain_text("zhangsan")
    user = User.objects.get(username="zhangsan")
    assert user.full_name == "张三" and {r.name for r in user.roles.all()} == {"销售代表"}
    assert [m.to for m in mail.outbox] == [["zhang@example.cn"]]
